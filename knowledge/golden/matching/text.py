"""Text features of a question: the normalized form for exact matching, negations, codes and numbers for the guards.

Pure functions, no Django: the guards must be cheap (they run on the hit path) and easy to test one by one.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalize_question(text: str) -> str:
    """Casefold, NFKC, punctuation removed, whitespace collapsed: "Can I extend my KITAS?" == "can i extend my kitas"."""
    text = unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES).casefold()
    text = text.replace("'", "")  # "can't" -> "cant", not "can t"
    kept = [" " if unicodedata.category(ch)[0] in {"P", "S", "Z", "C"} else ch for ch in text]
    return " ".join("".join(kept).split())


# --- negation ---------------------------------------------------------------------------------------------------------

# Words that flip a question's meaning, in the three languages of the corpus. "without" ("tanpa", "senza") counts:
# "can I stay without a KITAS" asks the opposite of "can I stay with a KITAS".
NEGATION_WORDS = frozenset(
    {
        # English
        "not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "cannot", "cant", "dont", "doesnt",
        "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "mustnt", "neednt",
        "havent", "hasnt", "hadnt", "aint", "without",
        # Indonesian
        "tidak", "tak", "bukan", "belum", "jangan", "tanpa", "gak", "nggak", "enggak", "ngga", "tdk", "kagak",
        # Italian
        "non", "mai", "nessun", "nessuno", "nessuna", "niente", "nulla", "senza", "né",
    }
)  # fmt: skip
_WORD = re.compile(r"\w+(?:'\w+)?", re.UNICODE)


# "bisa nggak?", "right, no?", "va bene, no?": a negation word that closes a question only asks for confirmation.
_QUESTION_TAG = re.compile(r"[,\s]\b(no|not|nggak|gak|enggak|ngga|nda|tidak|tak|ya|kan|vero)\s*\?", re.IGNORECASE)
# "... or not", "atau tidak", "o no", "oppure no": the alternative of a yes/no question, not a negation.
_OR_NOT = re.compile(r"\b(?:or\s+not|atau\s+(?:tidak|nggak|gak|enggak|ngga|tdk|bukan)|o(?:ppure)?\s+no)\b")
# Colloquial Indonesian asks yes/no with the negation after the predicate: "boleh nikah nggak di Indonesia?", "ada KITAS
# khusus nggak buat ...?". A negation right after a word that is not the subject and right before a preposition or a
# particle, in a question, is that form; "saya nggak di Bali" (after the subject) stays a negation.
_ID_NOT = r"(?:nggak|gak|ga|enggak|ngga|tidak|tdk)"
_ID_SUBJECTS = ("saya", "sy", "aku", "gue", "gw", "kami", "kita", "dia", "mereka", "anda", "kamu")
_ID_TAG = re.compile(
    "".join(rf"(?<!\b{subject})" for subject in _ID_SUBJECTS)
    + rf"(?<=\w)\s+{_ID_NOT}\s+(?=(?:di|ke|dari|buat|untuk|utk|sih|ya|kalau|kalo|klo|"
    r"dengan|sama|dong|nih|gitu|kah|sebelum|setelah)\b)"
)
# ... and right after a modal, before the subject: "boleh nggak saya kerja ...?", "perlu nggak, kalau ...?".
_ID_MODAL_TAG = re.compile(
    rf"\b(boleh|bisa|perlu|harus|wajib|mesti|dapat|kena)\s+{_ID_NOT}"
    r"(?=\s*,|\s+(?:saya|sy|aku|gue|gw|kami|kita|dia|mereka|orang|wna|wni|kalau|kalo|klo)\b)"
)
# Words that carry their negation inside: "an unmarried couple" asks about a couple that is not married.
_NEGATED_WORD = re.compile(r"\bun(?:married|registered|licensed|documented|declared|reported)\b")


def _negation_words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _QUESTION_TAG.sub(" ?", text)
    text = _OR_NOT.sub(" ", text)
    if "?" in text:
        text = _ID_MODAL_TAG.sub(r"\1", _ID_TAG.sub(" ", text))
    found = {match.group(0) for match in _NEGATED_WORD.finditer(text)}
    words = _WORD.findall(text)
    for i, word in enumerate(words):
        bare = word.replace("'", "")
        if bare == "no" and i + 1 < len(words) and words[i + 1][:1].isdigit():
            continue  # "No. 22 of 2023" is a number, not a negation
        if bare in NEGATION_WORDS or word.endswith("n't"):
            found.add(bare)
    return found


def has_negation(text: str) -> bool:
    return bool(_negation_words(text))


# --- codes and numbers ------------------------------------------------------------------------------------------------

# Visa and permit indexes (C312, E33G, E28A, D1, B211A): one letter A-F, 1-3 digits, an optional letter.
_VISA_INDEX = re.compile(r"(?<![\w.,])([a-f])(\d{1,3})([a-z]?)(?![\w])", re.IGNORECASE)
# A number: digits with thousands separators (1,000,000 / 1.000.000) or a decimal part (0.5 / 0,5), then an optional
# magnitude word (2 billion, 10 miliar, 1 juta) or a percent sign.
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?)"
    r"(?:\s*(%|percent|persen|per\s+cento|percento|k\b|thousand|ribu|rb\b|mila|million|millions|mln|juta|jt\b|"
    r"milione|milioni|billion|billions|bn\b|miliar|milyar|miliardo|miliardi|trillion|triliun))?",
    re.IGNORECASE,
)
_MAGNITUDE = {
    "k": 10**3, "thousand": 10**3, "ribu": 10**3, "rb": 10**3, "mila": 10**3,
    "million": 10**6, "millions": 10**6, "mln": 10**6, "juta": 10**6, "jt": 10**6, "milione": 10**6, "milioni": 10**6,
    "billion": 10**9, "billions": 10**9, "bn": 10**9, "miliar": 10**9, "milyar": 10**9, "miliardo": 10**9,
    "miliardi": 10**9, "trillion": 10**12, "triliun": 10**12,
}  # fmt: skip
_PERCENT = {"%", "percent", "persen", "per cento", "percento"}
KBLI_DIGITS = 5


def _to_decimal(digits: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", digits):
        digits = re.sub(r"[.,]", "", digits)  # thousands separators, English or Indonesian style
    else:
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Figures:
    """The codes and numbers a text mentions, canonicalised so "IDR 2 billion" == "2.000.000.000" == "2 miliar"."""

    codes: frozenset[str]
    numbers: frozenset[str]

    def __or__(self, other: "Figures") -> "Figures":
        return Figures(codes=self.codes | other.codes, numbers=self.numbers | other.numbers)


EMPTY_FIGURES = Figures(codes=frozenset(), numbers=frozenset())


@lru_cache(maxsize=8192)
def extract_figures(text: str) -> Figures:
    """Visa indexes and KBLI codes (codes), other numbers: amounts, years, percentages, counts (numbers)."""
    text = unicodedata.normalize("NFKC", text or "")
    codes: set[str] = set()
    for match in _VISA_INDEX.finditer(text):
        codes.add((match.group(1) + match.group(2) + match.group(3)).upper())
    without_codes = _VISA_INDEX.sub(" ", text)
    numbers: set[str] = set()
    for match in _NUMBER.finditer(without_codes):
        raw, unit = match.group(1), (match.group(2) or "").lower()
        unit = " ".join(unit.split())
        if unit == "" and len(raw) == KBLI_DIGITS and raw.isdigit():
            codes.add(raw)  # a five-digit KBLI business classification code
            continue
        value = _to_decimal(raw)
        if value is None:
            continue
        if unit in _PERCENT:
            numbers.add(f"{value.normalize():f}%")
            continue
        value *= _MAGNITUDE.get(unit, 1)
        numbers.add(f"{value.normalize():f}")
    return Figures(codes=frozenset(codes), numbers=frozenset(numbers))
