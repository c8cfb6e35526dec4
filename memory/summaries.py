"""Extractive summaries of the older turns of a conversation, for when no LLM is configured.

Sentences are scored by how central their words are to the whole conversation (term frequency), with a bonus for what
the user said, for concrete details (numbers, dates, visa and company names) and for the user's questions; the best
ones are kept in their original order within the token budget. Deterministic, no model, about a millisecond.
"""

import math
import re
from collections import Counter

from .models import estimate_tokens

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_DETAIL = re.compile(r"\d|\b(?:PT|CV|KITAS|KITAP|B211A|E33G|E28A|E31A|NPWP|NIB|KBLI|SPT|VOA|PMA)\b", re.IGNORECASE)
_STOP = set(
    """
    the and for you your with that this are was have has can will not but from what how when where which who about
    there their they them then than also just like into would could should does did our out any all yes thanks thank
    please yang dan untuk dengan ini itu ada dari saya aku kamu anda bisa tidak juga atau akan sudah belum kalau jadi
    apa bagaimana berapa che per con non una uno del della sono hai come cosa anche più quando dove questo questa
    """.split()
)
MAX_SENTENCE_CHARS = 300


def _words(text: str) -> list[str]:
    return [w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _STOP]


def extractive_summary(turns: list[tuple[str, str]], *, budget_tokens: int) -> str:
    """Bullet lines "- User: ..." / "- ZANTARA: ..." chosen from `turns` [(role, text)], at most `budget_tokens`."""
    sentences: list[tuple[int, str, str]] = []  # (order, role, sentence)
    for role, text in turns:
        for part in _SENTENCE.split(text or ""):
            part = " ".join(part.split())
            if len(part) < 12:
                continue
            if len(part) > MAX_SENTENCE_CHARS:
                part = part[: MAX_SENTENCE_CHARS - 1].rsplit(" ", 1)[0] + "…"
            sentences.append((len(sentences), role, part))
    if not sentences:
        return ""
    frequency = Counter(w for _, _, s in sentences for w in set(_words(s)))
    scored: list[tuple[float, int, str, str]] = []
    for order, role, sentence in sentences:
        words = _words(sentence)
        centrality = sum(math.log1p(frequency[w]) for w in set(words)) / math.sqrt(len(words) + 1)
        bonus = (0.6 if role == "user" else 0.0) + (0.5 if _DETAIL.search(sentence) else 0.0)
        bonus += 0.3 if role == "user" and sentence.endswith("?") else 0.0
        scored.append((centrality + bonus, order, role, sentence))
    chosen: list[tuple[int, str, str]] = []
    used = 0
    for _, order, role, sentence in sorted(scored, key=lambda item: (-item[0], item[1])):
        line = f"- {'User' if role == 'user' else 'ZANTARA'}: {sentence}"
        cost = estimate_tokens(line) + 1
        if used + cost > budget_tokens:
            continue
        chosen.append((order, role, line))
        used += cost
    return "\n".join(line for _, _, line in sorted(chosen))
