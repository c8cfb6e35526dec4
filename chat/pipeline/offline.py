"""The offline answerer: when no model is reachable, answers with the retrieved sentences that match the question.

Sentences are scored by the question's key terms in English (knowledge.golden.matching.coverage: the same glosses,
concepts and word weights as the golden guards), so an Italian question finds its answer in an English document.
"""

import re
from dataclasses import dataclass, replace

from .prompt import SourceChunk

TEXTS = {
    "en": {
        "note": "Answered offline from our knowledge base (no AI model is reachable right now).",
        "told": "You told me:",
        "none": "ZANTARA is answering offline and found nothing in the knowledge base for this question. "
        "Ask me to book a consultation and a consultant will get back to you.",
        "smalltalk": "Hello! I'm ZANTARA, Bali Zero's assistant. I answer questions on Indonesian visas (KITAS, KITAP), "
        "company setup (PT PMA, KBLI), tax and property, with sources. (I'm running offline right now.)",
        "stale": "(may be out of date)",
    },
    "id": {
        "note": "Dijawab secara offline dari basis pengetahuan kami (model AI tidak dapat dijangkau saat ini).",
        "told": "Anda memberi tahu saya:",
        "none": "ZANTARA sedang offline dan tidak menemukan informasi untuk pertanyaan ini. "
        "Minta saya menjadwalkan konsultasi dan konsultan kami akan menghubungi Anda.",
        "smalltalk": "Halo! Saya ZANTARA, asisten Bali Zero. Saya menjawab pertanyaan tentang visa (KITAS, KITAP), "
        "pendirian perusahaan (PT PMA, KBLI), pajak, dan properti di Indonesia. (Saat ini saya berjalan offline.)",
        "stale": "(mungkin sudah tidak terbaru)",
    },
    "it": {
        "note": "Risposta offline dalla nostra base di conoscenza (nessun modello di IA raggiungibile in questo momento).",
        "told": "Mi hai detto:",
        "none": "ZANTARA è offline e non ha trovato nulla nella base di conoscenza per questa domanda. "
        "Chiedimi di prenotare una consulenza e un consulente ti ricontatterà.",
        "smalltalk": "Ciao! Sono ZANTARA, l'assistente di Bali Zero. Rispondo a domande su visti (KITAS, KITAP), "
        "costituzione di società (PT PMA, KBLI), tasse e immobili in Indonesia. (Al momento funziono offline.)",
        "stale": "(potrebbe non essere aggiornato)",
    },
}

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")
# A full stop that ends an abbreviation ("i.e.", "e.g.", "No.", "arts.") does not end the sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:i\.e|e\.g|etc|approx|vs|cf|incl|excl|jl|jln|mr|mrs|ms|dr|st|pt|cv|tbk|dll|dsb|yth|ca|ecc|sig|dott|avv)\.)$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"\b(?:no|nos|art|arts|para|pag|n)\.$", re.IGNORECASE)  # "art. 7", "No. 22"


def _split_sentences(line: str) -> list[str]:
    parts: list[str] = []
    for part in _SENTENCE.split(line):
        if parts and (_ABBREVIATION.search(parts[-1]) or (_NUMBERED.search(parts[-1]) and part[:1].isdigit())):
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return parts


_MARKUP = re.compile(r"[*_`]+|\[(\d+)\]")
# The sample-content notice every demo document opens with: true, but never an answer.
_NOTICE = re.compile(r"sample content|contenuto di esempio|konten contoh", re.IGNORECASE)
_CODE = re.compile(r"\b(?=\w*\d)(?=\w*[A-Za-z])\w{2,8}\b")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LIST_ITEM = re.compile(r"^(?:[-*+>]|\d+[.)])\s+")
QUOTED_SENTENCES = 3
SALIENT_WEIGHT = 1.0  # a sentence must share at least one word this specific with the question...
MIN_SENTENCE_COSINE = 0.55  # ...or be this close to it in meaning
COSINE_WEIGHT = 2.0  # chosen on bench/data/offline_answers/tune.jsonl (1.0: 0.80, 2.0: 0.84, 3.0: 0.80)
MAX_SOURCES = 3
HEADING_WEIGHT = 3.0  # a heading's words that name its sentences' subject: concepts, codes and rare words ("HGU")
HEADING_SHARE = 0.5  # ...count half: a sentence that names the subject itself says more about it
TABLE_ROW_FACTOR = 0.8  # a table row, for a question that asks for no figure (tune 0.724 -> 0.731; 0.5-0.9 alike)


def _texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def _table_row(line: str) -> str:
    """A table row as one sentence: its non-empty cells joined by " — " ("" for a row of empty cells)."""
    return " — ".join(cell for cell in (c.strip() for c in line.strip().strip("|").split("|")) if cell)


def sentences(text: str) -> list[str]:
    """A chunk's sentences: prose split at sentence ends, list items and table rows as one sentence each."""
    out: list[str] = []
    paragraph: list[str] = []  # prose wrapped over several lines is one paragraph: never cut a sentence at a line end
    lead = [""]  # the sentence that introduces a list ("... can own a home:"), for items that continue it
    in_item = [False]

    def flush() -> None:
        line = _MARKUP.sub("", " ".join(paragraph)).strip()
        parts = [part.strip() for part in _split_sentences(line) if len(part.strip()) > 2]
        if in_item[0] and parts and parts[0][:1].islower() and lead[0]:
            parts[0] = f"{lead[0]} {parts[0]}"  # "an apartment unit under strata title" needs its lead-in
        elif not in_item[0] and parts:
            lead[0] = parts[-1] if parts[-1].endswith(":") else ""
        out.extend(parts)
        paragraph.clear()

    table_header = True
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            flush()
            if line.startswith("#"):
                lead[0] = ""
            table_header = True
            continue
        if line.startswith("|"):
            flush()
            if _TABLE_RULE.match(line):
                continue
            row = _table_row(line)
            if not table_header and row:
                out.append(row)
            table_header = False
            continue
        table_header = True
        item = _LIST_ITEM.match(line)
        if item:  # a list item starts its own sentence(s)
            flush()
            line = line[item.end() :]
            in_item[0] = True
        elif not paragraph:
            in_item[0] = False  # a new prose paragraph
        paragraph.append(line)
    flush()
    return [sentence for sentence in out if not _NOTICE.search(sentence)]


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, text under it) in order, for every heading; the text before the first heading has the heading ""."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            out.append((line.strip().lstrip("#").strip(), []))
        else:
            out[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in out]


def _table_rows(text: str) -> set[str]:
    """The sentences `sentences` makes of this text's table rows."""
    return {_table_row(line) for line in text.splitlines() if line.strip().startswith("|")}


@dataclass(frozen=True)
class OfflineAnswer:
    text: str
    chunks: list[SourceChunk]  # exactly the quoted ones, renumbered from 1


@dataclass(frozen=True)
class _Scored:
    score: float
    chunk_rank: int
    position: int
    sentence: str


def _terms(text: str, language: str) -> dict[str, float]:
    from knowledge.golden.matching.coverage import analyze

    analysis = analyze(text, language)
    terms = dict(analysis.weights) | dict(analysis.local_weights)  # "the plot in Canggu" is that listing's
    for word in _CODE.findall(text):  # visa indexes, KBLI codes, PPh 21: the most specific words of all
        terms[word.casefold()] = 3.0
    for name in analysis.keys | analysis.actions:
        terms[f"#{name}"] = 3.0
    return terms


_QUANTITY = re.compile(
    r"\b(how much|how many|how long|berapa|quanto|quanti|quanta|quante|quale aliquota|cost|price|fee|rate|biaya|harga)\b",
    re.IGNORECASE,
)


def _similarities(question: str, language: str, candidates: list[tuple[str, str]]) -> list[float]:
    """Cosine between the question and each (sentence, language), both in English (the embedder reads English)."""
    from knowledge.search.embedding import english
    from nuzantara.embeddings import get_embedder

    texts = [english(question, language), *(english(sentence, lang) for sentence, lang in candidates)]
    vectors = get_embedder().encode(texts)
    return [float(v) for v in vectors[1:] @ vectors[0]]


# "What is a KITAS?", "Apa itu KITAP?", "Cos'è il KBLI?", "Who are the pecalang?": asks for a definition of the term
# that follows.
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)|what's|whats|apa\s+itu|apakah\s+itu|apa\s+sih|cos['’]?\s*è|che\s+cos['’]?\s*è|"
    r"cosa\s+(?:è|sono)|che\s+cosa\s+(?:è|sono)|who\s+(?:is|are)|who's|siapa(?:kah)?\s+itu|chi\s+(?:è|sono))\s+"
    r"(?:an?\s+|the\s+|il\s+|lo\s+|la\s+|l['’]|i\s+|gli\s+|le\s+|un[oa]?\s+|un['’])?"
    r"(?P<term>[^?.!,]{2,40}?)\s*(?:\?|$|\s+(?:in|di|a)\s+(?:indonesia|bali)\b)",
    re.IGNORECASE,
)
DEFINITION_BOOST = 1.5


def _defines(sentence: str, term: str) -> bool:
    """The sentence says what `term` is: "A KITAS is...", "...(commonly called KITAS) is for...", "KITAS adalah..."."""
    t = re.escape(term)
    return bool(
        re.search(
            rf"\b{t}\b[^.;:]{{0,60}}?\b(?:is|are|means|adalah|merupakan|ialah|yaitu|è|sono|indica)\b", sentence, re.I
        )
        or re.search(rf"\b(?:called|known\s+as|disebut|chiamat[oa])\s+(?:the\s+|an?\s+)?{t}\b", sentence, re.I)
    )


def _select(question: str, language: str, chunks: list[SourceChunk]) -> list[_Scored]:
    """Sentences scored by the question's weighted terms they share (normalized), plus their closeness in meaning."""
    wanted = _terms(question, language)
    total = sum(wanted.values()) or 1.0
    wants_figure = bool(_QUANTITY.search(question))
    definition = _DEFINITION.match(question)
    term = definition.group("term").strip() if definition else ""
    candidates: list[tuple[int, int, str, str, float]] = []
    table_rows: set[str] = set()
    for rank, chunk in enumerate(chunks):
        chunk_language = chunk.language or "en"
        # A sentence's subject is often only in its title or heading ("A permit is lost if..." under "KITAP"): the
        # concepts of the title and every heading of the chunk, and the specific words of the heading it sits under
        # ("Right to cultivate state land: 35 + 25 + 35 years" under "Hak Guna Usaha (HGU)").
        sections = _sections(chunk.text)
        headings = " ".join([chunk.title, chunk.heading, *(heading for heading, _ in sections)])
        subject = {name for name in _terms(headings, chunk_language) if name.startswith("#")}
        position = 0
        for heading, section in sections:
            heading = heading or chunk.heading  # the chunk's own text often starts below its heading
            under = {word for word, weight in _terms(heading, chunk_language).items() if weight >= HEADING_WEIGHT}
            rows = _table_rows(section)
            for sentence in sentences(section):
                found = _terms(sentence, chunk_language).keys() | subject
                shared = [
                    weight if word in found else HEADING_SHARE * weight
                    for word, weight in wanted.items()
                    if word in found or word in under
                ]
                salient = bool(shared) and max(shared) >= SALIENT_WEIGHT
                if sentence in rows:
                    table_rows.add(sentence)
                candidates.append((rank, position, sentence, chunk_language, sum(shared) / total if salient else 0.0))
                position += 1
    if not candidates:
        return []
    closeness = _similarities(question, language, [(c[2], c[3]) for c in candidates])
    scored: list[_Scored] = []
    for (rank, position, sentence, chunk_language, overlap), cosine in zip(candidates, closeness, strict=True):
        if not overlap and cosine < MIN_SENTENCE_COSINE:
            continue  # only everyday words in common and not close in meaning: not an answer
        score = (overlap + COSINE_WEIGHT * max(0.0, cosine)) / (1.0 + 0.15 * rank)  # retriever order breaks ties
        if wants_figure and any(ch.isdigit() for ch in sentence):
            score *= 1.3
        elif sentence in table_rows:
            score *= TABLE_ROW_FACTOR  # a row of a price list or a schedule answers "how much", "when"; prose explains
        if chunk_language == language:
            score *= 1.1  # the user's language, where the corpus has the fact in it
        if term and _defines(sentence, term):
            score *= DEFINITION_BOOST
        scored.append(_Scored(score, rank, position, sentence))
    scored.sort(key=lambda s: (-s.score, s.chunk_rank, s.position))
    return scored


def offline_answer(
    *,
    chunks: list[SourceChunk],
    language: str,
    smalltalk: bool = False,
    question: str = "",
    told: list[str] | None = None,
) -> OfflineAnswer:
    """Lead with the retrieved sentences that answer the question (by its key terms), each cited; then one line
    saying the answer is offline. Cites exactly the sources it quotes. `told`: what the user told ZANTARA that answers
    a question about their own situation, which comes first."""
    texts = _texts(language)
    if smalltalk:
        return OfflineAnswer(texts["smalltalk"], [])
    if told:
        lead = texts["told"] + " " + "; ".join(told) + "."
        rest = offline_answer(chunks=chunks, language=language, question=question)
        if not rest.chunks:
            return OfflineAnswer(f"{lead}\n\n_{texts['note']}_", [])
        return OfflineAnswer(f"{lead}\n\n{rest.text}", rest.chunks)
    picked: list[_Scored] = []
    seen: set[str] = set()
    for candidate in _select(question, language, chunks):
        key = candidate.sentence.casefold()
        if key in seen:
            continue
        sources = {p.chunk_rank for p in picked} | {candidate.chunk_rank}
        if len(sources) > MAX_SOURCES:
            continue
        picked.append(candidate)
        seen.add(key)
        if len(picked) == QUOTED_SENTENCES:
            break
    if not picked:
        return OfflineAnswer(texts["none"], [])
    # Number the quoted sources in the order they are first quoted (one number per document or curated answer).
    numbers: dict[tuple[str, int], int] = {}
    quoted: list[SourceChunk] = []
    for candidate in picked:
        chunk = chunks[candidate.chunk_rank]
        if chunk.key not in numbers:
            numbers[chunk.key] = len(numbers) + 1
            quoted.append(replace(chunk, n=numbers[chunk.key]))
    parts = []
    for candidate in picked:
        chunk = chunks[candidate.chunk_rank]
        stale = f" {texts['stale']}" if chunk.stale else ""
        sentence = candidate.sentence if candidate.sentence[-1:] in ".!?" else candidate.sentence + "."
        parts.append(f"{sentence} [{numbers[chunk.key]}]{stale}")
    return OfflineAnswer("\n\n".join([" ".join(parts), f"_{texts['note']}_"]), quoted)


def handoff_confirmation(*, language: str, request_id: int) -> str:
    replies = {
        "en": f"I've asked our team to contact you (request #{request_id}). A consultant will reach out during office "
        "hours (Mon-Fri, 09:00-17:00 WITA). Tell me how you prefer to be contacted (WhatsApp, email or phone).",
        "id": f"Saya sudah meminta tim kami menghubungi Anda (permintaan #{request_id}). Konsultan kami akan menghubungi "
        "pada jam kerja (Senin-Jumat, 09.00-17.00 WITA). Beri tahu saya cara kontak yang Anda sukai (WhatsApp, email, telepon).",
        "it": f"Ho chiesto al nostro team di contattarti (richiesta n. {request_id}). Un consulente ti contatterà in orario "
        "d'ufficio (lun-ven, 09:00-17:00 WITA). Dimmi come preferisci essere contattato (WhatsApp, email o telefono).",
    }
    return replies.get(language, replies["en"])


def handoff_details_noted(*, language: str, request_id: int, contact: str, time: str, created: bool = False) -> str:
    """The reply to a follow-up in an open request: what was noted, and what is still missing."""
    when = f" ({time})" if time else ""
    how = contact or ""
    replies = {
        "en": {
            "both": f"Thank you: our consultant will contact you by {how}{when} (request #{request_id}).",
            "how": f"Noted: {how} (request #{request_id}). When is a good time to reach you?",
            "when": f"Noted: {time} (request #{request_id}). How should we contact you: WhatsApp, email or phone?",
            "open": f"Your request #{request_id} is already open: a consultant will contact you during office hours. "
            "Tell me how you prefer to be contacted (WhatsApp, email or phone) and when.",
        },
        "id": {
            "both": f"Terima kasih: konsultan kami akan menghubungi Anda melalui {how}{when} (permintaan #{request_id}).",
            "how": f"Dicatat: {how} (permintaan #{request_id}). Kapan waktu yang tepat untuk menghubungi Anda?",
            "when": f"Dicatat: {time} (permintaan #{request_id}). Kami hubungi lewat apa: WhatsApp, email, atau telepon?",
            "open": f"Permintaan #{request_id} Anda sudah terbuka: konsultan kami akan menghubungi pada jam kerja. "
            "Beri tahu saya cara kontak yang Anda sukai (WhatsApp, email, telepon) dan waktunya.",
        },
        "it": {
            "both": f"Grazie: il nostro consulente ti contatterà via {how}{when} (richiesta n. {request_id}).",
            "how": f"Annotato: {how} (richiesta n. {request_id}). Quando è il momento migliore per contattarti?",
            "when": f"Annotato: {time} (richiesta n. {request_id}). Come preferisci essere contattato: WhatsApp, email o "
            "telefono?",
            "open": f"La tua richiesta n. {request_id} è già aperta: un consulente ti contatterà in orario d'ufficio. "
            "Dimmi come preferisci essere contattato (WhatsApp, email o telefono) e quando.",
        },
    }
    texts = replies.get(language, replies["en"])
    if created:
        return handoff_confirmation(language=language, request_id=request_id)
    if contact and time:
        return texts["both"]
    if contact:
        return texts["how"]
    if time:
        return texts["when"]
    return texts["open"]


HANDOFF_PENDING_NOTES = {
    "en": "A consultant is on your request #{id} and will reply here.",
    "id": "Seorang konsultan sedang menangani permintaan #{id} Anda dan akan membalas di sini.",
    "it": "Un consulente sta seguendo la tua richiesta n. {id} e ti risponderà qui.",
}


def handoff_pending_note(*, language: str, request_id: int) -> str:
    """The line that ends every answer while a handoff request is open: a person is on it."""
    return HANDOFF_PENDING_NOTES.get(language, HANDOFF_PENDING_NOTES["en"]).format(id=request_id)


_PENDING_NOTE = re.compile(
    "\n\n(?:" + "|".join(re.escape(n).replace(r"\{id\}", r"\d+") for n in HANDOFF_PENDING_NOTES.values()) + r")\Z"
)


def without_handoff_note(text: str) -> str:
    """An answer without the closing "a consultant is on it" line (for the prompt history and golden answers)."""
    return _PENDING_NOTE.sub("", text)


def handoff_resolved_notice(*, language: str, request_id: int) -> str:
    """What the client is told when a consultant resolves their request."""
    notices = {
        "en": f"Your request #{request_id} has been resolved by our team. If you need a consultant again, just ask.",
        "id": f"Permintaan #{request_id} Anda telah diselesaikan oleh tim kami. Jika Anda memerlukan konsultan lagi, "
        "cukup minta.",
        "it": f"La tua richiesta n. {request_id} è stata risolta dal nostro team. Se ti serve di nuovo un consulente, "
        "chiedilo pure.",
    }
    return notices.get(language, notices["en"])
