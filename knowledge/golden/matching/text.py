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


# --- the asker's own situation: an age or a length of time, and the bounds an answer states -----------------------------
# "I'm 64", "I overstayed 3 days", "tinggal 200 hari setahun" describe the asker, not a different fact: the answer that
# says "60 or older", "IDR 1,000,000 per day" or "183 days in 12 months" covers them. Figures in days (a year is 365).

_DAYS = {
    "day": 1, "days": 1, "hari": 1, "giorno": 1, "giorni": 1, "gg": 1,
    "week": 7, "weeks": 7, "minggu": 7, "settimana": 7, "settimane": 7,
    "month": 30, "months": 30, "bulan": 30, "mese": 30, "mesi": 30,
    "year": 365, "years": 365, "yr": 365, "yrs": 365, "tahun": 365, "thn": 365, "th": 365, "anno": 365, "anni": 365,
}  # fmt: skip
_UNIT = "|".join(sorted(_DAYS, key=len, reverse=True))
_LENGTH = re.compile(rf"(?<![\d.,])(\d{{1,4}})\s*-?\s*({_UNIT})\b", re.IGNORECASE)
_AGE_BEFORE = re.compile(
    r"(?:\bi'?m|\bi\s+am|\baged?|\bumur(?:\s+saya)?|\busia(?:\s+saya)?|\bberumur|\bberusia|\bdi\s+età|"
    r"\bet[aà](?:\s+di)?)\s*$",
    re.IGNORECASE,
)
_HAS_YEARS = re.compile(r"\b(?:ho|ha|hanno)\s*$", re.IGNORECASE)  # "ho 65 anni"; "ho 30 giorni" is no age
_AGE_AFTER = re.compile(r"^\s*(?:-?\s*years?[\s-]*old|y\.?o\b|anni\b|tahun\b)", re.IGNORECASE)
_AGE_WORD = re.compile(r"\b(?:age|aged|old|older|usia|umur|berusia|età|anni\s+di\s+età|lansia)\b", re.IGNORECASE)
# A bound the answer states: "at least 60", "60 or older", "usia 60 tahun ke atas", "almeno 183 giorni", "up to 5 years".
_AT_LEAST_BEFORE = re.compile(
    r"(?:at\s+least|minimum(?:\s+of)?|min\.?|over|more\s+than|from|minimal|paling\s+sedikit|sekurang-kurangnya|"
    r"lebih\s+dari|almeno|minimo(?:\s+di)?|oltre|più\s+di|dai)\s*$",
    re.IGNORECASE,
)
_AT_LEAST_AFTER = re.compile(
    r"^\s*(?:\+|or\s+(?:more|older|over|above|longer)|and\s+(?:over|above|older)|ke\s+atas|atau\s+lebih|"
    r"o\s+(?:più|oltre)|e\s+oltre|in\s+su)",
    re.IGNORECASE,
)
_AT_MOST_BEFORE = re.compile(
    r"(?:up\s+to|less\s+than|under|below|within|maximum(?:\s+of)?|max\.?|at\s+most|maksimal|paling\s+lama|"
    r"kurang\s+dari|di\s+bawah|dalam|fino\s+a|entro|meno\s+di|massimo(?:\s+di)?|al\s+massimo|sotto\s+i)\s*$",
    re.IGNORECASE,
)
# A charge per day, week or month covers any length of time ("IDR 1,000,000 per day of overstay"). Not per year: "22%
# a year" is not about a length of stay.
_RATE_UNIT = r"(?:day|hari|giorno|week|minggu|settimana|month|bulan|mese)"
_RATE = re.compile(
    rf"\b(?:per|a|each|every|setiap|tiap|ogni|al|alla)\s+{_RATE_UNIT}\b|/\s*{_RATE_UNIT}\b", re.IGNORECASE
)
AGE = "age"
LENGTH = "length"
_AGES = range(15, 111)  # a number outside it is no one's age ("2019", "5")


@dataclass(frozen=True)
class Situation:
    """One number of the asker's situation: its canonical form (as in Figures.numbers), kind and value (days or
    years of age)."""

    number: str
    kind: str  # AGE or LENGTH
    value: int


@dataclass(frozen=True)
class Bound:
    kind: str  # AGE or LENGTH
    low: float  # inclusive
    high: float  # inclusive


@lru_cache(maxsize=8192)
def situations(text: str) -> tuple[Situation, ...]:
    """The ages and lengths of time a question states ("I'm 64", "10 giorni", "7 months a year")."""
    text = unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES)
    found: list[Situation] = []
    for match in re.finditer(r"(?<![\d.,])(\d{1,3})(?![\d.,]\d)", text):
        number = int(match.group(1))
        before, after = text[: match.start()], text[match.end() :]
        aged = (
            _AGE_BEFORE.search(before)
            or (_HAS_YEARS.search(before) and re.match(r"\s*anni\b", after, re.IGNORECASE))
            or (_AGE_AFTER.match(after) and _AGE_WORD.search(text))
        )
        if number in _AGES and aged:
            found.append(Situation(str(number), AGE, number))
    for match in _LENGTH.finditer(text):
        count = int(match.group(1))
        if any(s.value == count and s.kind == AGE for s in found):
            continue
        found.append(Situation(str(count), LENGTH, count * _DAYS[match.group(2).lower()]))
    return tuple(found)


@lru_cache(maxsize=4096)
def stated_bounds(text: str) -> tuple[Bound, ...]:
    """The ranges an answer text states: the ages it names, minimum and maximum lengths of time, and a charge per day
    (or week, month), which covers any length."""
    text = re.sub(r"[*_`]+", "", unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES))
    bounds: list[Bound] = []
    if _RATE.search(text):
        bounds.append(Bound(LENGTH, 1, float("inf")))
    for match in re.finditer(rf"(?<![\d.,])(\d{{1,4}})(?:\s*-?\s*({_UNIT})\b)?", text):
        before, after = text[: match.start()], text[match.end() :]
        unit = (match.group(2) or "").lower()
        value = int(match.group(1))
        age = bool(_AGE_WORD.search(text[max(0, match.start() - 40) : match.end() + 25]))
        if not unit and not age:
            continue
        if age and (not unit or _DAYS[unit] == 365):  # an age it names is a limit ("usia minimal menikah 19 tahun")
            if value in _AGES:
                bounds.append(Bound(AGE, value, value))
            continue
        days = value * _DAYS[unit]  # (a number with no unit and no age nearby was skipped above)
        if _AT_LEAST_BEFORE.search(before[-40:]) or _AT_LEAST_AFTER.match(after):
            bounds.append(Bound(LENGTH, days, float("inf")))
        elif _AT_MOST_BEFORE.search(before[-40:]):
            bounds.append(Bound(LENGTH, 0, days))
    return tuple(bounds)


def covered_by_bounds(situation: Situation, bounds: tuple[Bound, ...]) -> bool:
    """An age is answered by any age limit the answer states ("60 or older" answers "I'm 55" too: not yet); a length
    of time only by a range it falls in (an answer about "up to 60 days" says nothing about 90)."""
    return any(
        b.kind == situation.kind and (situation.kind == AGE or b.low <= situation.value <= b.high) for b in bounds
    )
