"""Language-agnostic lexical tokens for English, Bahasa Indonesia and Italian.

Unicode word split, casefold and accent fold, a light stopword list per language and no stemming: an English stemmer
would mangle Indonesian and Italian words ("perusahaan", "permesso"), and exact terms such as "E33G" or "KBLI 68111"
matter more here than morphology.
"""

import re
import unicodedata
from functools import lru_cache

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS_EN = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers him
    his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your yours""".split()
)
STOPWORDS_ID = frozenset(
    """ada adalah agar akan aku anda apa apakah atas atau bagaimana bagi bahwa beberapa begitu belum berapa bisa boleh
    dalam dan dapat dari daripada dengan di dia dua ia ialah ini itu jadi jika juga kalau kami kamu karena ke kepada
    ketika kita lagi lain lalu maka masih mau melalui mereka nya oleh pada para saat saja sampai sangat saya secara
    sebagai sebelum sedang sehingga seperti setelah sudah tanpa tapi telah tentang tersebut tetapi tidak untuk yaitu
    yang""".split()
)
STOPWORDS_IT = frozenset(
    """a ad agli ai al alla alle allo anche che chi ci come con cui da dagli dai dal dalla dalle dallo degli dei del
    della delle dello di dove e ed gli ha hanno ho i il in io la le lei lo loro lui ma mi ne negli nei nel nella nelle
    nello noi non o per perche piu quale quando quello questa queste questi questo se sei si sia siamo sono su sua sue
    sugli sui sul sulla sulle suo suoi ti tra tu un una uno voi""".split()
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_ID | STOPWORDS_IT


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Casefold and strip accents: "Perché" and "perche" are the same term."""
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Index and query terms: folded words that are not stopwords (single letters dropped, digits kept)."""
    terms = []
    for word in WORD_RE.findall(text.casefold()):
        term = word if word.isascii() else fold(word)
        if term in STOPWORDS or (len(term) == 1 and not term.isdigit()):
            continue
        terms.append(term)
    return terms


def detect_language(text: str, *, default: str = "en") -> str:
    """Guess en/id/it from the share of each language's stopwords (good enough for whole documents)."""
    counts = {"en": 0, "id": 0, "it": 0}
    for word in WORD_RE.findall(text[:20000]):
        term = fold(word)
        counts["en"] += term in STOPWORDS_EN
        counts["id"] += term in STOPWORDS_ID
        counts["it"] += term in STOPWORDS_IT
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] > 0 else default
