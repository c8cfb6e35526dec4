"""The offline extractor: regular patterns for the facts people most often tell ZANTARA, in English, Indonesian, Italian.

It reads only what the user wrote (the assistant's words are not facts about the user), one sentence at a time, and
skips questions, conditionals and intentions ("if I live in Ubud...", "I want to get a KITAS"). Each fact comes out in
one canonical English form with a slot (`key`) and a normalized value, so the same fact said in another language or
another wording is recognized as a duplicate, and a different value for the same slot as a correction.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .base import ExistingFact, FactCandidate
from .dates import MONTH_NAMES, first_date, parse_dates
from .lexicon import (
    LANGUAGE_PATTERN,
    LANGUAGES,
    NOT_A_PLACE,
    NUMBER_PATTERN,
    OCCUPATION_PATTERN,
    OCCUPATIONS,
    PLACE_MENTION,
    PLACES_BY_LOWER,
    STOP_WORDS,
    VISA_PATTERN,
    nationality_of,
    nationality_pattern,
    number_of,
    visa_label,
)

I = re.IGNORECASE  # noqa: E741 - the flag, as `re` names it
NAT = nationality_pattern()
ME_ID = r"(?:saya|aku|ku|sy|gue|gw|gua)"
WE_ID = r"(?:saya|aku|sy|gue|gw|kami|kita)"

# Markers that make what follows hypothetical, a plan or a condition rather than a fact.
_CONDITIONAL = re.compile(
    r"\b(?:if|whether|in case|unless|suppose|supposing|say|what if|imagine|assuming|kalau|kalo|klo|jika|jikalau|"
    r"apabila|seandainya|andaikan|andai|andaikata|seumpama|seumpamanya|sekiranya|misalnya|misalkan|misal|anggap(?:lah)?|"
    r"umpamanya|umpama|bayangkan|se|qualora|nel caso|mettiamo|hypothetically|"
    r"poniamo|ipotizziamo|immagina|immaginiamo|supponiamo|ammesso)\b",
    I,
)
_INTENT = re.compile(
    r"\b(?:want(?:s|ed)? to|wanna|plan(?:ning|s)? to|going to|gonna|would like to|'d like to|thinking (?:of|about)|"
    r"considering|might|maybe|hope to|will|'ll|should|could|ingin|pengen|pingin|mau|rencana|berencana|akan|"
    r"mungkin|vorrei|voglio|vogliamo|penso di|pensavo di|ho intenzione di|sto pensando di|potrei|dovrei|forse|"
    r"spero di)\b",
    I,
)
_QUESTION_START = re.compile(
    r"^\s*(?:can|could|do|does|did|is|are|am|should|shall|how|what|what's|whats|which|who|when|where|why|will|"
    r"would|may|have|has|apa|apakah|bagaimana|gimana|bisakah|bisa|boleh|berapa|kapan|dimana|di mana|siapa|mengapa|"
    r"kenapa|perlu|haruskah|posso|possiamo|come|cosa|che cosa|quando|dove|quale|quali|quanto|quanti|perché|"
    r"è possibile|si può|serve|devo|dovrei|ho bisogno)\b",
    I,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|;\s*")
_CLAUSE_BREAK = re.compile(r"[,:;(]|\b(?:but|tapi|tetapi|namun|ma|però|and|dan|e)\b", I)
_ABBREVIATIONS = re.compile(r"\b(PT|CV|Jl|Jln|No|Mr|Mrs|Ms|Dr|Pak|Bu|Ibu|Sig|Dott)\.", I)


@dataclass(frozen=True)
class Sentence:
    text: str
    today: date
    explicit: bool  # the user asked to remember this: identifiers (phone, email, birthday) are kept too
    mentions_visa: bool  # somewhere in the message, so "it expires in March" refers to the visa
    knows_visa: bool = False  # the user already has visa facts: a bare "habisnya 15 Oktober" is about the visa
    knows_deadline: bool = False  # the user has a deadline: "it was moved to 30 April" is about it


def _clause_before(sentence: str, start: int) -> str:
    prefix = sentence[:start]
    cut = 0
    for match in _CLAUSE_BREAK.finditer(prefix):
        cut = match.end()
    return prefix[cut:]


# Who a clause is about. A fact belongs to the user only when the last person mentioned before it is the user:
# "my brother's E33G expires in May", "a client of mine ... his KITAS", "paman saya pemegang KITAS", "la mia amica
# Sara ha un E33G" are about someone else; "my KITAS", "saya", "io" are the user.
_RELATION = (
    r"istri|isteri|suami|pasangan|anak|anaknya|teman|temen|kawan|sahabat|pacar|tunangan|ibu|ayah|bapak|papa|mama|"
    r"orang\s*tua|ortu|kakak|adik|adek|abang|saudara|saudari|sodara|ponakan|bini|nyokap|bokap|paman|om|bibi|tante|sepupu|keponakan|kakek|nenek|mertua|ipar|bos|atasan|"
    r"rekan|kolega|klien|pelanggan|karyawan|pegawai|staf|staff|pembantu|sopir|supir|tetangga|penyewa|pemilik|mitra|"
    r"teman\s+kos|moglie|marito|compagn[oa]|fidanzat[oa]|figli[oa]?|figlie|amic[oa]|amici|amiche|fratell[oi]|"
    r"sorell[ae]|madre|padre|mamma|papà|papa|genitori|zi[oa]|cugin[oa]|nipote|nonn[oa]|suocer[oa]|cognat[oa]|"
    r"collega|colleghi|client[ei]|coinquilin[oa]|dipendent[ei]|soci[oa]?|capo|vicin[oa]|proprietari[oa]|"
    r"wife|husband|partner|fianc[ée]e?|girlfriend|boyfriend|friend|friends|son|daughter|kids?|children|child|"
    r"brother|sister|mother|father|mom|mum|dad|parents|uncle|aunt|cousin|nephew|niece|grandfather|grandmother|"
    r"grandma|grandpa|in-laws?|boss|colleague|coworker|co-worker|client|customer|employee|staff|maid|nanny|driver|"
    r"neighbou?r|landlord|tenant|roommate|flatmate|housemate"
)
# People named by the role they play for the user ("my villa manager", "akuntan saya", "il mio avvocato"): someone else,
# though "I'm an accountant" is the user.
_ROLE = (
    r"manager|accountant|lawyer|notary|agent|broker|assistant|secretary|gardener|housekeeper|cook|contractor|"
    r"builder|architect|consultant|tax\s+advisor|advisor|adviser|director|supplier|investor|shareholder|tutor|teacher|"
    r"doctor|manajer|akuntan|pengacara|notaris|agen|asisten|sekretaris|tukang\s+kebun|kontraktor|konsultan|"
    r"direktur|pemasok|investor|pemegang\s+saham|commercialista|avvocato|avvocata|notaio|agente|assistente|"
    r"segretari[oa]|giardiniere|consulente|direttore|direttrice|fornitore|azionista"
)
_THIRD_PERSON = re.compile(
    rf"\b(?:(?:{_RELATION})(?:'s)?|he|she|his|her|hers|him|they|their|them|dia|beliau|mereka|lui|lei|loro|"
    r"suo|sua|suoi|sue)\b"
    rf"|\b(?:my|our)\s+(?:[a-z]+\s+)?(?:{_ROLE})\b|\b(?:{_ROLE})\s+(?:saya|kami|aku|sy|gue)\b"
    rf"|\b(?:il\s+mio|la\s+mia|il\s+nostro|la\s+nostra)\s+(?:{_ROLE})\b",
    I,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|im|i've|i'd|me|my|mine|we|we're|our|us|saya|aku|sy|gue|gw|gua|kami|kita|io|mi|mio|mia|miei|mie|"
    r"sono|ho|abbiamo|siamo|nostro|nostra)\b",
    I,
)
_FIRST_PERSON_SUBJECT = re.compile(r"\b(?:i|i'm|im|we|we're|saya|aku|sy|kami|gue|gw|io|sono|siamo)\b", I)
_OF_MINE = re.compile(rf"(?:{_RELATION})\s*(?:'s)?\s*$|^\s*(?:{_RELATION})\b", I)


def _about_someone_else(sentence: str, start: int) -> bool:
    """True when the last person the sentence mentions before `start` is not the user."""
    prefix = sentence[:start]
    last_third = max((m.end() for m in _THIRD_PERSON.finditer(prefix)), default=-1)
    last_first = -1
    for match in _FIRST_PERSON.finditer(prefix):
        before, after = prefix[: match.start()], prefix[match.end() :]
        # "my friend", "teman saya", "la mia amica", "a client of mine": the pronoun only says whose relation it is
        if _OF_MINE.search(before) or re.match(rf"\s*(?:{_RELATION})\b", after, I):
            continue
        last_first = match.end()
    return last_third > last_first


def _is_hypothetical(sentence: str, start: int, *, timed: bool = False) -> bool:
    """Conditions always disqualify; intentions ("I want to", "akan") only for state facts, not for dates ahead."""
    clause = _clause_before(sentence, start)
    if _CONDITIONAL.search(clause):
        return True
    return not timed and bool(_INTENT.search(clause))


def _words(text: str, *, max_words: int) -> list[str]:
    """The leading words of `text` up to a stop word, a digit or punctuation."""
    taken: list[str] = []
    for raw in text.split():
        word = raw.strip("\"'“”‘’()[]")
        trailing = word[-1:] in {",", ".", ";", ":", "!", "?"}
        word = word.rstrip(",.;:!?")
        if not word or any(ch.isdigit() for ch in word) or not re.match(r"^[^\W\d_][\w'’&.-]*$", word):
            break
        if word.lower() in STOP_WORDS and taken:
            break
        if word.lower() in STOP_WORDS and not taken and word.lower() not in {"a", "an", "the"}:
            break
        taken.append(word)
        if trailing or len(taken) >= max_words:
            break
    return taken


def _titled(words: list[str]) -> str:
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)


_PLACE_FILLERS = re.compile(
    r"^(?:(?:the\s+)?area\s+of\s+|(?:the\s+)?(?:town|village|city)\s+of\s+|daerah\s+|kawasan\s+|area\s+|sekitar\s+|"
    r"kota\s+|desa\s+|la\s+zona\s+di\s+|zona\s+|la\s+città\s+di\s+|il\s+paese\s+di\s+)",
    I,
)


def _place(text: str) -> str | None:
    """A place name at the start of `text`: a known place (any case) or a capitalized name, else the first known
    place mentioned further on ("I live in a small villa in Ubud")."""
    text = _PLACE_FILLERS.sub("", text.lstrip())
    words = _words(text, max_words=3)
    if words:
        for n in range(len(words), 0, -1):  # longest known prefix: "Canggu Bali" -> "Canggu"
            known = PLACES_BY_LOWER.get(" ".join(words[:n]).lower())
            if known:
                return known
        if words[0][0].isupper() and words[0].lower() not in NOT_A_PLACE:
            return _titled(words)
    clause = _CLAUSE_BREAK.split(text, maxsplit=1)[0] if text else ""
    later = PLACE_MENTION.search(clause)
    return PLACES_BY_LOWER[later.group().lower()] if later else None


_NOT_A_NAME = set(
    """
    not from a an the here there looking interested going moving married single divorced retired new sorry fine good
    ok okay tired back still just also really very so currently living based working on in at with staying planning
    trying happy glad thinking writing asking wondering calling reaching the one your you bukan dari di ke sedang lagi
    mau ingin sudah udah belum juga non di da in a con qui sposato sposata divorziato divorziata pensionato pensionata
    contento contenta felice nuovo nuova stanco stanca wn wna wni warga orang janda duda lajang cerai vedovo vedova
    widow widower widowed separated
    """.split()
)


def _name(text: str, *, require_capital: bool) -> str | None:
    words = _words(text, max_words=3)
    if not words:
        return None
    if require_capital and not words[0][0].isupper():
        return None
    if require_capital:
        words = words[: next((i for i, w in enumerate(words) if not w[0].isupper()), len(words))]
    first = words[0].lower()
    if first in _NOT_A_NAME or nationality_of(first) or first in OCCUPATIONS or first in PLACES_BY_LOWER:
        return None
    return _titled(words)


_COMPANY = re.compile(
    r"(?P<name>(?:PT|CV)\.?\s+(?:PMA\s+)?[^\W\d_][\w&'’.-]*(?:\s+[^\W\d_][\w&'’.-]*){0,4}|\"[^\"]{2,60}\"|“[^”]{2,60}”)",
    I,
)


def _company(text: str) -> str | None:
    text = text.lstrip()
    match = _COMPANY.match(text)
    if not match:  # "a small business, CV Sari Kriya": the name comes a few words later
        later = re.search(r"\b(?:PT|CV)\.?\s+[A-Z]", text[:50])
        match = _COMPANY.match(text[later.start() :]) if later else None
    if match:
        raw = match.group("name").strip('"“”')
        if raw.lower().startswith(("pt", "cv")):
            head, _, rest = raw.partition(" ")
            words = _words(rest, max_words=5)
            if not words:
                return None
            if words[0].lower() == "pma":
                rest_words = words[1:]
                return f"PT PMA {_titled(rest_words)}".strip() if rest_words else None
            return f"{head.rstrip('.').upper()} {_titled(words)}"
        return raw.strip()
    words = _words(text, max_words=4)
    if words and words[0][0].isupper() and words[0].lower() not in {"a", "an", "the", "il", "la", "una", "un"}:
        return " ".join(words)
    return None


def _candidate(kind: str, key: str, value: str, text: str, confidence: float = 0.85) -> FactCandidate:
    return FactCandidate(kind=kind, key=key, value=value, text=text, confidence=confidence)


def _retract(kind: str, key: str, value: str = "", confidence: float = 0.8) -> FactCandidate:
    return FactCandidate(kind=kind, key=key, value=value, text="", confidence=confidence, action="retract")


# ---------------------------------------------------------------------------------------------------------------- name
_NAME_PATTERNS = [
    (re.compile(r"\bmy\s+(?:full\s+|first\s+)?name(?:'s|’s|\s+is)\s+(?P<rest>.+)", I), False),
    (re.compile(r"\b(?:call\s+me|i'm\s+called|i\s+am\s+called|people\s+call\s+me)\s+(?P<rest>.+)", I), False),
    (re.compile(r"(?:^|\b(?:hi|hello|hey|hallo|good\s+\w+)[,!]?\s+)(?:i'm|i’m|i\s+am|im)\s+(?P<rest>.+)", I), True),
    (re.compile(rf"\b(?:nama\s+{ME_ID}|namaku|nama\s+lengkap\s+{ME_ID})\s+(?:adalah\s+|ialah\s+|:\s*)?(?P<rest>.+)", I), False),
    (re.compile(rf"\bpanggil\s+(?:saja\s+|aja\s+)?{ME_ID}\s+(?:saja\s+|aja\s+)?(?P<rest>.+)", I), False),
    (re.compile(r"\bperkenalkan,?\s+(?:nama\s+)?(?:saya|aku)\s+(?P<rest>.+)", I), True),
    (re.compile(r"\b(?:mi\s+chiamo|il\s+mio\s+nome\s+(?:è|e'|e)|chiamami)\s+(?P<rest>.+)", I), False),
    (re.compile(r"(?:^|\b(?:ciao|salve|buongiorno|buonasera)[,!]?\s+)sono\s+(?P<rest>.+)", I), True),
    (re.compile(r"(?:^|\b(?:hi|hello|hey|hey\s+there)[,!]?\s+)(?P<rest>[A-Z][a-z]+)\s+here\b"), True),
    (re.compile(r"(?:^|\b(?:halo|hai|hallo|selamat\s+\w+|permisi)[,!]?\s+)(?:saya|aku)\s+(?P<rest>[A-Z].+)", I), True),
    (re.compile(r"\b(?:name|nama|nome)\b.*?\b(?:it's|it\s+is|è|adalah|yang\s+benar)\s+(?P<rest>.+?)\s+(?:not|bukan|non)\s+[A-Z]", I), True),
]  # fmt: skip


def extract_name(s: Sentence) -> list[FactCandidate]:
    for pattern, require_capital in _NAME_PATTERNS:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start()):
            continue
        name = _name(match.group("rest"), require_capital=require_capital)
        if name:
            return [_candidate("identity", "name", name, f"Name: {name}", 0.9)]
    return []


# --------------------------------------------------------------------------------------------------------- nationality
_NAME_WORDS = r"[^\W\d_][\w'’-]+(?:\s+[^\W\d_][\w'’-]+)?"
_NATIONALITY_PATTERNS = [
    (re.compile(rf"\b(?:i'm|i’m|i\s+am|im)\s+(?:an?\s+)?(?:proud\s+)?(?P<v>{NAT})(?:\s+(?:citizen|national))?\b(?!\s+(?:food|restaurant|company|wife|husband|partner|girlfriend|boyfriend|friend|visa|law|rules))", I), False),
    (re.compile(rf"\b(?:i'm|i’m|i\s+am|im)\s+(?:a\s+)?citizen\s+of\s+(?:the\s+)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b(?:i'm|i’m|i\s+am|im|i\s+come|i\s+came)\s+(?:originally\s+)?from\s+(?:the\s+)?(?P<v>{NAT})\b", I), True),
    (re.compile(rf"\b(?:i'm|i’m|i\s+am)\s+[A-Z][a-z]+\s+from\s+(?:the\s+)?(?P<v>{NAT})\b", I), True),
    (re.compile(rf"\bi\s+(?:have|hold|carry)\s+(?:an?\s+)?(?P<v>{NAT})\s+passport\b", I), False),
    (re.compile(rf"(?:^|,\s*|\bi'm\s+|\bi\s+am\s+)originally\s+from\s+(?:the\s+)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b(?:and\s+i|we)\s+are\s+both\s+(?P<v>{NAT})\b|\bwe're\s+both\s+(?P<v2>{NAT})\b", I), False),
    (re.compile(rf"\basli\s+(?:orang\s+)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\bmy\s+(?:nationality|citizenship)\s+(?:is\s+|:\s*)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\bnationality\s+(?:in\s+your\s+notes\s+)?to\s+(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b{ME_ID}\s+(?:adalah\s+|ini\s+)?(?:orang|warga\s+negara|warganegara|wn|wna|bule)\s+(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\bkewarganegaraan\s+{ME_ID}\s+(?:adalah\s+|jadi\s+|menjadi\s+|:\s*)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b{ME_ID}\s+(?:berasal\s+)?dari\s+(?:negara\s+)?(?P<v>{NAT})\b", I), True),
    (re.compile(rf"\b(?:paspor\s+{ME_ID}\s+(?:paspor\s+)?|{ME_ID}\s+(?:pemegang|punya|pegang)\s+paspor\s+)(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\bsono\s+(?:un[a']?\s*|di\s+nazionalità\s+|cittadin[oa]\s+)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b(?:vengo|veniamo|arrivo)\s+(?:dall'|dalla\s+|dal\s+|dagli\s+|da\s+|dai\s+)(?P<v>{NAT})\b", I), True),
    (re.compile(rf"\bho\s+(?:il\s+|un\s+)?passaporto\s+(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\bla\s+mia\s+(?:nazionalità|cittadinanza)\s+(?:è\s+)?(?P<v>{NAT})\b", I), False),
    # a name, then the nationality: "I'm Mateo, Argentinian", "saya Maria dari Spanyol", "sono Francesca, italiana"
    (re.compile(rf"\b(?:i'm|i’m|i\s+am|my\s+name\s+is|sono|mi\s+chiamo)\s+{_NAME_WORDS},\s+(?:an?\s+)?(?P<v>{NAT})\b", I), False),
    (re.compile(rf"\b{ME_ID}\s+(?:nama\s+saya\s+)?{_NAME_WORDS}\s+(?:dari|asal)\s+(?:negara\s+)?(?P<v>{NAT})\b", I), True),
]  # fmt: skip


def extract_nationality(s: Sentence) -> list[FactCandidate]:
    for pattern, after_from in _NATIONALITY_PATTERNS:
        for match in pattern.finditer(s.text):
            if _is_hypothetical(s.text, match.start()) or _about_someone_else(s.text, match.start()):
                continue
            word = match.group("v") or match.groupdict().get("v2") or ""
            nationality = nationality_of(word)
            if nationality and not (after_from and word.lower() == "bali"):
                return [_candidate("identity", "nationality", nationality, f"Nationality: {nationality}", 0.85)]
    return []


# ---------------------------------------------------------------------------------------------------------- location
_LIVE_PATTERNS = [
    re.compile(r"\b(?:i|we)\s+(?:currently\s+|now\s+|still\s+|also\s+|actually\s+|already\s+|permanently\s+)?(?:live|reside|stay)\s+(?:in|at|near)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:i'm|i’m|i\s+am|im|we're|we\s+are)\s+(?:currently\s+|now\s+|still\s+|actually\s+)?(?:living|based|staying|settled|located)\s+(?:in|at|near)\s+(?P<rest>.+)", I),
    re.compile(r"(?:^|,\s*)(?:living|based)\s+in\s+(?P<rest>.+)", I),
    re.compile(r"\bmy\s+(?:new\s+|current\s+)?(?:home\s+)?(?:address|home|house|base)\s+is\s+(?:now\s+)?(?:in\s+)?(?P<rest>.+)", I),
    re.compile(rf"\b{WE_ID}\s+(?:sekarang\s+|sudah\s+|udah\s+|masih\s+|lagi\s+|juga\s+|tetap\s+)?(?:tinggal|menetap|berdomisili|domisili|stay|ngekos|ngontrak|netap)\s+(?:di|dekat)\s+(?P<rest>.+)", I),
    re.compile(rf"\b(?:domisili|alamat)\s+{ME_ID}\s+(?:sekarang\s+)?(?:di\s+|ada\s+di\s+)?(?P<rest>.+)", I),
    re.compile(r"\b(?:sekarang|skrg|ora|adesso|now)\s+(?:sudah\s+|udah\s+)?(?:di|sto\s+a|vivo\s+a|abito\s+a|in)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:vivo|abito|risiedo|viviamo|abitiamo|risiediamo|sto|stiamo)\s+(?:ora\s+|adesso\s+|attualmente\s+|stabilmente\s+|ormai\s+)?(?:a|ad|in|vicino\s+a)\s+(?P<rest>.+)", I),
]  # fmt: skip
# "..., and live in X": continues a sentence about the user, so it needs a first person before it
_LIVE_CONTINUED = re.compile(r"\b(?:living|based|staying)\s+in\s+(?P<rest>.+)", I)
_LIVE_AFTER_AND = re.compile(
    r"(?:\b(?:and|dan|e)|,)\s+(?:now\s+|sekarang\s+|ora\s+|currently\s+)?(?:live|living|based|tinggal|menetap|vivo|abito)\s+(?:in|di|a|ad)\s+(?P<rest>.+)",
    I,
)
_MOVE_PATTERNS = [
    re.compile(r"\b(?:i|we)(?:'ve|’ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+|already\s+|now\s+)?(?:moved|relocated)(?:\s+(?:house|here|back))?\s+(?:from\s+(?P<from>.+?)\s+)?to\s+(?P<rest>.+)", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+|baru\s+|barusan\s+|baru\s+saja\s+|akhirnya\s+)?pindah(?:an)?\s+(?:rumah\s+)?(?:dari\s+(?P<from>.+?)\s+)?ke\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:mi\s+sono|ci\s+siamo)\s+(?:appena\s+|da\s+poco\s+|ormai\s+|già\s+|finalmente\s+)?trasferit[oaie]\s+(?:da\s+(?P<from>.+?)\s+)?(?:a|ad|in)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:ho|abbiamo)\s+traslocato\s+(?:da\s+(?P<from>.+?)\s+)?(?:a|ad|in)\s+(?P<rest>.+)", I),
]  # fmt: skip
_MOVE_AFTER_AND = re.compile(
    r"(?:\b(?:and|dan|e)|,)\s+(?:sudah\s+|udah\s+|just\s+|recently\s+|then\s+|poi\s+)?"
    r"(?:pindah|moved|relocated|mi\s+sono\s+trasferit[oa]|ci\s+siamo\s+trasferiti)\s+"
    r"(?:(?:dari|from|da)\s+.+?\s+)?(?:ke|to|a|ad)\s+(?P<rest>.+)",
    I,
)
_LEAVE_PATTERNS = [
    re.compile(r"\bi\s+(?:no\s+longer|don't|don’t|do\s+not|dont)\s+live\s+in\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:i|we)(?:'ve|\s+have)?\s+(?:left|moved\s+out\s+of|moved\s+away\s+from)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:i|we)(?:'ve|\s+have)?\s+moved\s+from\s+(?P<rest>[^,.;]+?)(?:[,.;]|$)(?!.*\bto\b)", I),
    re.compile(r"\b(?:i'm|i’m|i\s+am)\s+(?:not|no\s+longer)\s+(?:living\s+)?in\s+(?P<rest>.+?)\s+any\s*more\b", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+)?(?:tidak|gak|nggak|enggak|ga|tak)\s+(?:tinggal\s+)?di\s+(?P<rest>.+?)\s+lagi\b", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+)?(?:meninggalkan|keluar\s+dari)\s+(?P<rest>.+)", I),
    re.compile(r"\bnon\s+(?:vivo|abito|sto|viviamo|abitiamo)\s+più\s+(?:a|ad|in)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:ho|abbiamo)\s+lasciato\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:me\s+ne\s+sono|ce\s+ne\s+siamo)\s+andat[oaie]\s+da\s+(?P<rest>.+)", I),
]  # fmt: skip


def _city(place: str, confidence: float = 0.85) -> FactCandidate:
    return _candidate("location", "city", place, f"Lives in {place}", confidence)


def extract_location(s: Sentence) -> list[FactCandidate]:
    for pattern in [*_MOVE_PATTERNS, _MOVE_AFTER_AND]:
        match = pattern.search(s.text)
        if pattern is _MOVE_AFTER_AND and match and not _FIRST_PERSON_SUBJECT.search(s.text[: match.start()]):
            continue
        continued = pattern is _MOVE_AFTER_AND
        if (
            match
            and not _is_hypothetical(s.text, match.start())
            and (continued or not _about_someone_else(s.text, match.start()))
        ):
            place = _place(match.group("rest"))
            if place:
                return [_city(place, 0.9)]
    found: list[FactCandidate] = []
    for pattern in _LEAVE_PATTERNS:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            place = _place(match.group("rest"))
            if place:
                found.append(_retract("location", "city", place))
                break
    for pattern in [*_LIVE_PATTERNS, _LIVE_CONTINUED, _LIVE_AFTER_AND]:
        for match in pattern.finditer(s.text):
            continued = pattern is _LIVE_CONTINUED or pattern is _LIVE_AFTER_AND
            if _is_hypothetical(s.text, match.start()):
                continue
            if continued and not _FIRST_PERSON_SUBJECT.search(s.text[: match.start()]):
                continue
            if not continued and _about_someone_else(s.text, match.start()):
                continue
            rest = match.group("rest")
            place = _place(rest)
            if place and pattern.pattern.startswith(r"\b(?:sekarang") and place not in PLACES_BY_LOWER.values():
                continue  # "sekarang di kantor" is not an address: only known places after a bare "now in"
            if place and not any(c.value == place for c in found):
                return [*found, _city(place)]
    return found


# --------------------------------------------------------------------------------------------------------- business
_COMPANY_PATTERNS = [
    re.compile(r"\b(?:my|our)\s+(?:own\s+)?(?:company|business|firm|startup|pt(?:\s+pma)?|cv|agency)(?:'s\s+name|’s\s+name)?\s*(?:,|:)?\s*(?:is\s+)?(?:called\s+|named\s+)?(?P<rest>.+)", I),
    re.compile(r"\b(?:i|we)\s+(?:own|run|have|founded|set\s+up|registered|started|opened|established)\s+(?:a\s+|an\s+|the\s+)?(?:(?:small\s+|local\s+|new\s+)?(?:company|business|pt(?:\s+pma)?|cv|firm|startup)\s+)?(?:called\s+|named\s+)?(?P<rest>.+)", I),
    re.compile(rf"\b(?:perusahaan|usaha|bisnis|pt|cv)\s+{WE_ID}\s+(?:bernama\s+|namanya\s+|adalah\s+|yaitu\s+|:\s*)?(?P<rest>.+)", I),
    re.compile(rf"\bnama\s+(?:perusahaan|pt|usaha|bisnis)\s+{WE_ID}\s+(?:adalah\s+|yaitu\s+|:\s*)?(?P<rest>.+)", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+)?(?:punya|memiliki|mendirikan|membuka|buka|bikin|mempunyai)\s+(?:perusahaan\s+|usaha\s+|bisnis\s+)?(?:bernama\s+|namanya\s+)?(?P<rest>.+)", I),
    re.compile(r"\b(?:la\s+mia|la\s+nostra|il\s+mio|il\s+nostro)\s+(?:azienda|società|ditta|impresa|pt(?:\s+pma)?|attività)\s+(?:si\s+chiama|è)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:ho|abbiamo)\s+(?:un'azienda|un’azienda|una\s+società|una\s+ditta|una\s+pt(?:\s+pma)?|un'impresa)\s+(?:che\s+si\s+chiama|chiamata|di\s+nome)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:ho|abbiamo)\s+(?:aperto|fondato|registrato|costituito)\s+(?:una\s+|la\s+)?(?:società\s+|azienda\s+)?(?:chiamata\s+)?(?P<rest>.+)", I),
]  # fmt: skip
_COMPANY_GONE = [
    re.compile(r"\b(?:i|we)(?:'ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+|already\s+|eventually\s+)?(?:sold|closed|shut\s+down|liquidated|dissolved|closed\s+down|wound\s+up)\s+(?:my|our|the)\s+(?:company|business|pt|firm)", I),
    re.compile(r"\b(?:my|our)\s+(?:company|business|pt)\s+(?:was|has\s+been|is|got)\s+(?:closed|liquidated|dissolved|sold|shut\s+down)", I),
    re.compile(rf"\b(?:perusahaan|usaha|pt|bisnis)\s+{WE_ID}\s+(?:sudah\s+|udah\s+)?(?:tutup|ditutup|dibubarkan|dijual|bubar|dilikuidasi)", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+)?(?:menutup|menjual|membubarkan|tutup|jual)\s+(?:perusahaan|usaha|pt|bisnis)", I),
    re.compile(r"\b(?:ho|abbiamo)\s+(?:chiuso|venduto|liquidato|sciolto)\s+(?:la\s+mia|la\s+nostra|l'|l’)\s*(?:azienda|società|ditta|pt|attività)", I),
    re.compile(r"\b(?:la\s+mia|la\s+nostra)\s+(?:azienda|società|ditta)\s+è\s+(?:stata\s+)?(?:chiusa|venduta|liquidata|sciolta)", I),
]  # fmt: skip
_PMA = re.compile(r"\bPT\s+PMA\b|\bPMA\s+company\b|\bforeign[- ]owned\s+PT\b", I)
_OWNER = re.compile(r"\b(?:i|my|we|our|saya|aku|sy|kami|mia|mio|nostra|nostro|ho|abbiamo)\b|\bi'|\bi’", I)
_EMPLOYER_AT = [  # "a data analyst at Gojek", "chef di Locavore", "lavoro al BIMC Hospital": the name is capitalized
    re.compile(rf"\b(?:{OCCUPATION_PATTERN})\s+(?:at|with|for|di|pada|al|alla|all'|presso|per)\s+(?:the\s+)?(?P<rest>\S.+)", I),
    re.compile(rf"\b(?:i\s+work|i'm\s+working|i\s+am\s+working|{ME_ID}\s+(?:bekerja|kerja)|lavoro)\s+(?:at|di|al|alla|all'|presso)\s+(?:the\s+)?(?P<rest>\S.+)", I),
]  # fmt: skip
_EMPLOYER_PATTERNS = [
    re.compile(r"\bi\s+work\s+(?:remotely\s+|full[- ]time\s+|part[- ]time\s+)?for\s+(?P<rest>.+)", I),
    re.compile(rf"\b{ME_ID}\s+(?:bekerja|kerja)\s+(?:remote\s+)?(?:di|untuk|buat)\s+(?P<rest>(?:PT|CV)\b.+)", I),
    re.compile(r"\blavoro\s+(?:da\s+remoto\s+)?per\s+(?P<rest>.+)", I),
    re.compile(r"(?:\band|,)\s+(?:now\s+)?work(?:ing)?\s+(?:remotely\s+|full[- ]time\s+)?for\s+(?P<rest>.+)", I),
    re.compile(rf"(?:^|,\s*|\b{ME_ID}\s+)(?:bekerja|kerja)\s+(?:remote\s+|jarak\s+jauh\s+)?(?:untuk|buat)\s+(?P<rest>.+)", I),
    re.compile(r"\blavoro\b[^.;]{0,40}?\bper\s+(?P<rest>(?:un'|un’|una\s+|l')\s*(?:azienda|società|ditta).+|[A-Z].+)", I),
]  # fmt: skip


_EMPLOYER_END = re.compile(
    r"\s+(?:as|sebagai|sbg|jadi|come|in\s+qualità\s+di)\s+", I
)  # "for Airbnb as a data scientist"
_NOT_AN_EMPLOYER = {"free", "myself", "me", "home", "bali", "indonesia", "jakarta", "ubud", "canggu", "casa", "rumah"}


def extract_business(s: Sentence) -> list[FactCandidate]:
    found: list[FactCandidate] = []
    for pattern in _COMPANY_GONE:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            found = [_retract("business", "company"), _retract("business", "company_type")]
            break
    retracted = bool(found)
    for pattern in [] if retracted else _COMPANY_PATTERNS:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start()):
            continue
        name = _company(match.group("rest"))
        generic = pattern.pattern.startswith((r"\b(?:i|we)\s+(?:own", rf"\b{WE_ID}\s+(?:sudah"))
        if name and generic and not name.upper().startswith(("PT", "CV")) and "called" not in match.group(0).lower():
            continue  # "I have Dutch friends": only a PT/CV name counts after a bare "I have"
        if name and name.upper() not in {"PT PMA", "PT", "CV"}:
            found.append(_candidate("business", "company", name, f"Company: {name}", 0.85))
            break
    if (
        not retracted
        and _PMA.search(s.text)
        and _OWNER.search(s.text)
        and not _is_hypothetical(s.text, _PMA.search(s.text).start())
    ):
        found.append(_candidate("business", "company_type", "PT PMA", "Company type: PT PMA (foreign-owned)", 0.75))
    for pattern in _EMPLOYER_AT:
        match = pattern.search(s.text)
        if (
            match
            and match.group("rest")[0].isupper()
            and _FIRST_PERSON.search(s.text[: match.end()])
            and not _is_hypothetical(s.text, match.start())
            and not _about_someone_else(s.text, match.start())
        ):
            words = _words(_EMPLOYER_END.split(match.group("rest"))[0], max_words=5)
            if words and words[0].lower() not in _NOT_AN_EMPLOYER:
                employer = " ".join(words)
                found.append(_candidate("business", "employer", employer, f"Works for {employer}", 0.75))
                return found
    for pattern in _EMPLOYER_PATTERNS:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            words = _words(_EMPLOYER_END.split(match.group("rest"))[0], max_words=5)
            if words and words[0].lower() not in {"free", "myself", "me"}:
                employer = " ".join(words)
                found.append(_candidate("business", "employer", employer, f"Works for {employer}", 0.75))
                break
    return found


# ------------------------------------------------------------------------------------------------------- occupation
_OCCUPATION_PATTERNS = [
    re.compile(r"\bi\s+work\s+as\s+(?:an?\s+)?(?P<rest>.+)", I),
    re.compile(rf"\b(?:i'm|i’m|i\s+am|im)\s+(?:an?\s+)?(?:{NAT}\s+)?(?:freelance\s+|self-employed\s+|professional\s+)?(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\b{ME_ID}\s+(?:bekerja|kerja)\s+(?:sebagai|sbg|jadi)\s+(?:seorang\s+)?(?P<rest>.+)", I),
    re.compile(rf"^(?:[^,;]*,\s*)?{ME_ID}\s+(?:seorang\s+)?(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\bsono\s+(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\b(?:i'm|i’m|i\s+am)\s+the\s+(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\bpekerjaan\s+{ME_ID}\s+(?:adalah\s+|sebagai\s+)?(?P<rest>.+)", I),
    re.compile(rf"\b{ME_ID}\s+(?:adalah\s+)?seorang\s+(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(r"\blavoro\s+come\s+(?P<rest>.+)", I),
    re.compile(rf"\b(?:work|working|kerja|bekerja|lavoro)\b.*?\b(?:as|sebagai|come)\s+(?:an?\s+|seorang\s+)?(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\bfaccio\s+(?:il\s+|la\s+|l'|l’|lo\s+)(?P<occ>{OCCUPATION_PATTERN})\b", I),
    re.compile(rf"\bsono\s+(?:un|una|un')\s*(?P<occ>{OCCUPATION_PATTERN})\b", I),
]  # fmt: skip
_RETIRED = re.compile(
    rf"\b(?:i'm|i’m|i\s+am|im)\s+(?:now\s+)?retired\b|\b(?:i'm|i’m|i\s+am)\b[^.;]{{0,40}},\s*retired\b|\b{ME_ID}\s+(?:sudah\s+|udah\s+)?pensiun\b|"
    r"\b(?:sono|ora\s+sono)\s+(?:in\s+pensione|pensionat[oa])\b",
    I,
)


def extract_occupation(s: Sentence) -> list[FactCandidate]:
    match = _RETIRED.search(s.text)
    if match and not _is_hypothetical(s.text, match.start()):
        return [_candidate("identity", "occupation", "retired", "Occupation: retired", 0.85)]
    for pattern in _OCCUPATION_PATTERNS:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start()):
            continue
        if "occ" in match.groupdict() and match.group("occ"):
            occupation = OCCUPATIONS[match.group("occ").lower()]
        else:
            words = _words(match.group("rest"), max_words=4)
            if not words:
                continue
            phrase = " ".join(words).lower()
            occupation = OCCUPATIONS.get(phrase, phrase)
        return [_candidate("identity", "occupation", occupation, f"Occupation: {occupation}", 0.8)]
    return []


# -------------------------------------------------------------------------------------------------------- immigration
_VISA_CUES = re.compile(
    r"\b(?:i'm|i’m|i\s+am|im|we're|we\s+are)\s+(?:currently\s+|now\s+|still\s+|here\s+)?(?:on|using|holding)\b"
    r"|\b(?:i|we)\s+(?:now\s+|already\s+|currently\s+|still\s+)?(?:have|hold|got|received|obtained|use|entered\s+(?:on|with)|came\s+(?:on|with)|'ve\s+got)\b"
    r"|\bi've\s+got\b|\bi’ve\s+got\b"
    r"|\bmy\s+(?:current\s+|new\s+)?(?:visa|permit|immigration\s+status|visa\s+type)\s+is\b"
    rf"|\b{WE_ID}\s+(?:sekarang\s+|sudah\s+|udah\s+|masih\s+|lagi\s+)?(?:punya|memiliki|pakai|pake|memakai|menggunakan|pegang|memegang|pemegang|masuk\s+(?:dengan|pakai)|datang\s+(?:dengan|pakai)|dapat|dapet)\b"
    rf"|\b(?:jenis\s+)?visa\s+{ME_ID}\s+(?:adalah\s+|jenis\s+|:\s*|itu\s+)?"
    r"|\b(?:ho|avevo|abbiamo|possiedo|ho\s+ottenuto|ho\s+preso)\b"
    r"|\b(?:sono|siamo)\s+(?:qui\s+|in\s+indonesia\s+|a\s+bali\s+)?con\b|\bsto\s+con\b|\bsono\s+entrat[oa]\s+con\b"
    r"|\bil\s+mio\s+(?:visto|kitas|permesso)\s+(?:attuale\s+)?è\b"
    r"|\b(?:dan|and|e)\s+(?:now\s+|sekarang\s+|juga\s+)?(?:pakai|pake|punya|memakai|menggunakan|memegang|have|hold|ho)\b"
    r"|\b(?:vivo|abito|sto|sono\s+qui|live|living|here|staying|tinggal|di\s+sini)\b[^.;,]{0,30}?\b(?:con|on|dengan|pakai)\b",
    I,
)
_VISA_WINDOW_END = re.compile(r"\b(?:but|tapi|namun|ma|però|want|ingin|mau|vorrei|voglio|instead|invece)\b|[.;!?]", I)
_VISA_SWITCH = re.compile(
    r"\b(?:switched|changed|converted|upgraded|transferred|moved)\s+(?:my\s+\w+\s+)?(?:from\s+.{1,40}?\s+)?(?:to|into)\s+(?:an?\s+|the\s+)?(?=\S)"
    r"|\b(?:ganti|beralih|pindah|alih\s+status|konversi|convert|upgrade)\s+(?:visa\s+)?(?:dari\s+.{1,40}?\s+)?ke\s+"
    r"|\b(?:passat[oaie]|cambiato|convertito)\s+(?:il\s+mio\s+visto\s+)?(?:da\s+.{1,40}?\s+)?(?:a|al|all'|alla|in)\s*",
    I,
)
_SPONSORED_BY_SPOUSE = re.compile(
    r"\b(?:kitas|visa|itas)\s+(?:is\s+)?sponsored\s+by\s+my\s+(?:wife|husband|spouse)|"
    r"\bmy\s+(?:visa\s+|kitas\s+)?sponsor\s+is\s+my\s+(?:wife|husband|spouse)|"
    rf"\bsponsor\s+(?:kitas|visa)\s+{ME_ID}\s+(?:adalah\s+)?(?:istri|suami)|"
    r"\b(?:kitas|visto)\s+(?:è\s+)?sponsorizzato\s+da\s+(?:mia\s+moglie|mio\s+marito)",
    I,
)
_EXPIRY_DOC = r"(?:visa|kitas|kitap|itas|itap|stay\s+permit|permit|izin\s+tinggal|visto|permesso(?:\s+di\s+soggiorno)?|e-?voa|voa|b211a|e\d\d[a-g]?|c\d{3}|d212|it)(?:\s*\([^)]{1,20}\))?"
_EXPIRY_PATTERNS = [
    re.compile(rf"\b(?P<doc>{_EXPIRY_DOC})\s+(?:(?:that|which)\s+)?(?:(?:will|is\s+going\s+to|should)\s+)?(?:expires?|expiring|expired|runs?\s+out|ends?|ending|is\s+valid\s+(?:until|till|through|to)|valid\s+(?:until|till|to)|(?:was|got|has\s+been|is|been)\s+(?:extended|renewed|prolonged)(?:\s+(?:until|till|to|through))?)\b(?P<rest>.*)", I),
    re.compile(rf"\b(?P<doc>{_EXPIRY_DOC})\s+(?:expiry|expiration)(?:\s+date)?\s+is\b(?P<rest>.*)", I),
    re.compile(rf"\b(?P<doc>{_EXPIRY_DOC})\s+(?:{ME_ID}\s+|kami\s+)?(?:yang\s+)?(?:akan\s+|sudah\s+|udah\s+|bakal\s+)?(?:habis|berakhir|kedaluwarsa|kadaluarsa|kadaluwarsa|expired?|mati|berlaku\s+(?:sampai|hingga|s/d|sd)|(?:di)?perpanjang\s+(?:sampai|hingga|sd)|habis\s+masa\s+berlakunya)\b(?P<rest>.*)", I),
    re.compile(rf"\b(?:masa\s+berlaku|tanggal\s+habis)\s+(?P<doc>{_EXPIRY_DOC})\s+(?:{ME_ID}\s+)?(?:adalah\s+|sampai\s+|hingga\s+)?(?P<rest>.*)", I),
    re.compile(rf"\b(?P<doc>{_EXPIRY_DOC})\s+(?:che\s+)?(?:mi\s+)?(?:scade|scadrà|è\s+scaduto|è\s+valido\s+fino|vale\s+fino|termina|finisce|è\s+stato\s+(?:rinnovato|esteso|prorogato))\b(?P<rest>.*)", I),
    re.compile(rf"\b(?:la\s+)?scadenza\s+del\s+(?:mio\s+)?(?P<doc>{_EXPIRY_DOC})\s+è\b(?P<rest>.*)", I),
]  # fmt: skip
# "..., habis bulan Desember", "it expires on", "scade il 20 luglio": no document named, so only when the visa is the topic
_BARE_EXPIRY = re.compile(
    r"(?:^|[,:;]\s*|\b(?:and|dan|e|eh|salah|sorry|scusa|maaf|che|which|that|yang)\W+)(?:(?:it|dia|mi)\s+)?"
    r"(?:(?:now|ora|adesso|sekarang|jadi)\s+)?(?P<doc>)(?:expires?|runs?\s+out|habis(?:nya)?|berakhir(?:nya)?|berlaku\s+(?:sampai|hingga)|scade|scadrà)\b(?P<rest>.*)",
    I,
)


_VISA_FILLER = set(
    """
    a an the my our valid current new already currently now still also just active one permanent regular this
    visa visto permit permesso type tipe jenis
    un una uno il lo la l' ancora già nuovo attuale sebuah sudah udah masih juga baru itu yang
    """.split()
)


# "KITAS saya jenis investor", "il mio KITAS è da investitore"
_VISA_OF_KIND = re.compile(
    rf"\b(?P<doc>kitas|itas|visa|visto)\s+(?:{ME_ID}\s+)?(?:adalah\s+|è\s+)?(?:jenis|tipe|type|da|di\s+tipo)\s+(?P<q>\w+)",
    I,
)


def _visa_at(text: str) -> str | None:
    """The visa named right after a possession cue, the most specific one when several are ("il permesso di
    soggiorno KITAS come investitore" is an investor KITAS)."""
    end = _VISA_WINDOW_END.search(text)
    window = text[: end.start()] if end else text
    window = window[:70]
    found = list(VISA_PATTERN.finditer(window))
    if not found or any(w.lower().strip(",") not in _VISA_FILLER for w in window[: found[0].start()].split()):
        return None  # "I have a question about KITAS" is not having one
    labels = [visa_label(m.group()) for m in found]
    specific = [label for label in labels if label != "KITAS"]
    return specific[0] if specific else labels[0]


def extract_immigration(s: Sentence) -> list[FactCandidate]:
    found: list[FactCandidate] = []
    visa: str | None = None
    switch = _VISA_SWITCH.search(s.text)
    if switch and not _is_hypothetical(s.text, switch.start()):
        visa = _visa_at(s.text[switch.end() :])
    if not visa:
        if _SPONSORED_BY_SPOUSE.search(s.text):
            visa = "Spouse KITAS (E31A)"
    if not visa:
        kind = _VISA_OF_KIND.search(s.text)
        if kind and VISA_PATTERN.fullmatch(f"{kind.group('doc')} {kind.group('q')}"):
            visa = visa_label(f"{kind.group('doc')} {kind.group('q')}")
    if not visa:
        for cue in _VISA_CUES.finditer(s.text):
            if _is_hypothetical(s.text, cue.start()):
                continue
            visa = _visa_at(s.text[cue.end() :])
            if visa:
                break
    if visa:
        found.append(_candidate("immigration", "visa_type", visa, f"Visa: {visa}", 0.85 if visa != "KITAS" else 0.7))
    for pattern in [*_EXPIRY_PATTERNS, _BARE_EXPIRY]:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start(), timed=True):
            continue
        doc = match.group("doc").lower()
        if (doc == "it" or pattern is _BARE_EXPIRY) and not (s.mentions_visa or s.knows_visa):
            continue
        rest = match.group("rest")
        when = first_date(rest, today=s.today)
        if when is None or when.start > 25:
            continue
        named = re.sub(r"\s*\(.*", "", doc)
        # The fact keeps its subject: "my KITAS expires in March 2027" is about the KITAS, not "a visa".
        subject = visa or (visa_label(named) if named != "it" and VISA_PATTERN.fullmatch(named) else "Visa")
        if "-" in when.text:
            text = f"{subject} expires on {when.text}"
        elif when.text.isdigit():
            text = f"{subject} valid until {when.text}"
        else:
            text = f"{subject} expires in {when.text}"
        found.append(_candidate("immigration", "visa_expiry", when.text, text, 0.85))
        if not visa and named != "it" and VISA_PATTERN.fullmatch(named):  # "my KITAS expires", "my E33G expires"
            label = visa_label(named)
            found.append(_candidate("immigration", "visa_type", label, f"Visa: {label}", 0.6))
        break
    return found


# ------------------------------------------------------------------------------------------------------------ family
_MARRIED = [
    re.compile(rf"\b(?:i'm|i’m|i\s+am|im)\s+(?:happily\s+|now\s+)?married(?:\s+to\s+(?:an?\s+)?(?P<nat>{NAT})\b)?", I),
    re.compile(rf"(?:^|,\s*|\band\s+)(?:happily\s+)?married\s+to\s+(?:an?\s+)?(?P<nat>{NAT})\b", I),
    re.compile(rf"\b(?:i|we)\s+got\s+married\b(?:.*?\bto\s+(?:an?\s+)?(?P<nat>{NAT})\b)?", I),
    re.compile(r"\bwe\s+(?:were\s+)?married\s+in\s+(?:19|20)\d\d\b", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+|baru\s+)?(?:menikah|nikah|kawin)\b(?:\s+dengan\s+(?:orang\s+|seorang\s+|warga\s+negara\s+)?(?P<nat>{NAT}))?", I),
    re.compile(rf"\b(?:sono|siamo)\s+(?:felicemente\s+|ora\s+)?sposat[oaie]\b(?:\s+con\s+(?:un[a']?\s*|un’\s*)?(?P<nat>{NAT}))?", I),
    re.compile(rf"\b(?:mi\s+sono|ci\s+siamo)\s+sposat[oaie]\b(?:\s+con\s+(?:un[a']?\s*|un’\s*)?(?P<nat>{NAT}))?", I),
]  # fmt: skip
_DIVORCED = re.compile(
    r"\b(?:i'm|i’m|i\s+am|im)\s+(?:now\s+|recently\s+)?(?:divorced|separated)\b|\b(?:i|we)\s+got\s+(?:divorced|separated)\b"
    r"|\bwe\s+(?:divorced|separated|split\s+up)\b|\b(?:not|no\s+longer)\s+married\s*(?:anymore|any\s+more)?\b"
    rf"|\b{WE_ID}\s+(?:sudah\s+|udah\s+|baru\s+)?(?:bercerai|cerai|pisah)\b|\btidak\s+menikah\s+lagi\b"
    r"|\b(?:sono|siamo)\s+(?:ora\s+)?(?:divorziat[oaie]|separat[oaie])\b|\bci\s+siamo\s+(?:separati|lasciati)\b"
    r"|\bnon\s+sono\s+più\s+sposat[oa]\b|\bho\s+divorziato\b|\babbiamo\s+divorziato\b",
    I,
)
_SINGLE_OR_WIDOWED = re.compile(
    r"\b(?:i'm|i’m|i\s+am|im)\s+(?:a\s+)?(?:(?P<w>widow|widower|widowed)|single|not\s+married|unmarried)\b"
    r"|,\s*(?:and\s+)?(?:single|(?P<w2>widowed))\b(?!\s+(?:entry|visa|room|bed|use|file))"
    rf"|\b{WE_ID}\s+(?:masih\s+)?(?:(?:belum|tidak|ga|gak|nggak)\s+(?:menikah|nikah|kawin)|lajang|single|jomblo|"
    r"(?P<w3>janda|duda))\b"
    r"|\bsono\s+(?:ancora\s+)?(?:(?P<w4>vedov[oa])|single|celibe|nubile|non\s+sposat[oa])\b"
    r"|\be\s+(?:(?P<w5>vedov[oa])|single|celibe|nubile)\b(?=\s*[.,;!]|$)",
    I,
)
# A status as one item of a self-description: "Divorced, two kids", "Widower, btw.", "WN Selandia Baru, janda, anak
# satu", "sono Chiara, divorziata, ho un figlio". Alone between list separators, so "single entry visa" is no status.
_STATUS_ITEM = re.compile(
    r"(?:^|[,;]\s*)(?:and\s+|dan\s+|e\s+)?(?:(?P<divorced>divorced|separated|cerai|bercerai|divorziat[oa]|separat[oa])|"
    r"(?P<widowed>widow|widower|widowed|janda|duda|vedov[oa])|(?P<single>single|lajang|jomblo|celibe|nubile)|"
    r"(?P<married>married|menikah|sudah\s+menikah|sposat[oa]))"
    r"\s*(?=[,.;!]|\s+(?:btw|by\s+the\s+way|anyway|comunque|sih)\b|$)",
    I,
)
_STATUS_VALUES = ("divorced", "widowed", "single", "married")
_REL_EN = r"(?P<rel>wife|husband|partner|spouse|girlfriend|boyfriend|fianc[eé]e?)"
_NOT_SPOUSE = r"(?!(?:business|biz|work|trading|tennis|dance|sparring|running|study|project)\b)"  # a business partner
_SPOUSE_NAME = [
    re.compile(rf"\bmy\s+(?:{_NOT_SPOUSE}\w+\s+)?{_REL_EN}(?:'s\s+name\s+is|’s\s+name\s+is|\s+is\s+called|\s+is\s+named|\s+named|\s+called|,)\s+(?P<rest>.+)", I),
    re.compile(rf"\b[Mm]y\s+(?:{_NOT_SPOUSE}\w+\s+)?(?P<rel>wife|husband|partner|spouse)\s+(?P<rest>[A-Z][a-z]+.*)"),
    re.compile(rf"\b(?P<rel>istri|suami|pasangan)\s+{ME_ID}\b[^.;]{{0,30}}?\b(?:namanya|bernama)\s+(?P<rest>.+)", I),
    re.compile(r"\bsposat[oa]\s+con\s+[^.;]{1,30}?,?\s+(?:che\s+)?si\s+chiama\s+(?P<rel>)(?P<rest>.+)", I),
    re.compile(rf"\b(?P<rel>istri|suami|pasangan|pacar)\s+{ME_ID}\s+(?:bernama|namanya|yang\s+bernama)\s+(?P<rest>.+)", I),
    re.compile(rf"\bnama\s+(?P<rel>istri|suami|pasangan|pacar)\s+{ME_ID}\s+(?:adalah\s+|:\s*)?(?P<rest>.+)", I),
    re.compile(r"\b(?P<rel>mia\s+moglie|mio\s+marito|la\s+mia\s+compagna|il\s+mio\s+compagno)\s+si\s+chiama\s+(?P<rest>.+)", I),
]  # fmt: skip
_SPOUSE_NAT = [
    re.compile(rf"\bmy\s+{_REL_EN}\s+(?:[A-Z][a-z]+\s+)?is\s+(?:an?\s+)?(?P<nat>{NAT})\b(?!\s+(?:company|food))", I),
    re.compile(rf"\bmy\s+(?P<nat>{NAT})\s+{_REL_EN}\b", I),
    re.compile(rf"\bmarried\s+to\s+(?:an?\s+)?(?P<nat>{NAT})\b", I),
    re.compile(rf"\b(?P<rel>istri|suami|pasangan)\s+{ME_ID}\s+(?:adalah\s+|itu\s+)?(?:orang|seorang|warga\s+negara|wn)\s+(?P<nat>{NAT})\b", I),
    re.compile(rf"\b(?P<rel>istri|suami|pasangan)\s+{ME_ID}\s+(?:\w+\s+){{0,3}}?(?:dan\s+)?(?:dia\s+)?(?P<nat>wni)\b", I),
    re.compile(rf"\b(?P<rel>istri|suami)\s+(?:{ME_ID}\s+)?(?:orang\s+)?(?P<nat>bali|indonesia)\b", I),
    re.compile(rf"\b(?P<rel>mia\s+moglie|mio\s+marito|la\s+mia\s+compagna|il\s+mio\s+compagno)\s+è\s+(?:un[a']?\s*)?(?P<nat>{NAT})\b", I),
    re.compile(rf"\bsposat[oa]\s+con\s+(?:un[a']?\s*|un’\s*)?(?P<nat>{NAT})\b", I),
    re.compile(rf"\b(?:my\s+{_REL_EN}|(?:mia\s+moglie|mio\s+marito))\b[^.;]{{0,30}}\b(?:are|siamo)\s+(?:both\s+|entrambi\s+)?(?P<nat>{NAT})\b", I),
]  # fmt: skip
_REL_LABEL = {
    "wife": "Wife", "husband": "Husband", "partner": "Partner", "spouse": "Spouse", "girlfriend": "Partner",
    "boyfriend": "Partner", "fiance": "Partner", "fiancé": "Partner", "fiancee": "Partner", "fiancée": "Partner",
    "istri": "Wife", "suami": "Husband", "pasangan": "Partner", "pacar": "Partner", "mia moglie": "Wife",
    "mio marito": "Husband", "la mia compagna": "Partner", "il mio compagno": "Partner",
}  # fmt: skip
_CHILDREN = [
    re.compile(rf"\b(?:our|i\s+have|we\s+have|(?:i|we)(?:'ve|’ve|\s+have)\s+got|with)\s+(?P<n>{NUMBER_PATTERN})\s+(?:(?:little|young|small|grown[- ]up|beautiful)\s+)?(?P<what>kids|children)\b", I),
    re.compile(rf"(?:^|[,;]\s*)(?:and\s+)?(?P<n>{NUMBER_PATTERN})\s+(?P<what>kids|children)\b", I),
    re.compile(rf"(?:^|[,;]\s*)(?:dan\s+)?anak\s+(?P<n>{NUMBER_PATTERN})\b", I),
    re.compile(rf"\b(?:i|we)\s+(?:have|'ve\s+got|have\s+got|’ve\s+got)\s+(?P<n>{NUMBER_PATTERN})\s+(?:(?:little|young|small|grown[- ]up|beautiful)\s+)?(?P<what>kids?|children|child|sons?|daughters?|boys?|girls?)\b", I),
    re.compile(rf"\b{WE_ID}\s+(?:sudah\s+|udah\s+|sekarang\s+)*(?:punya|memiliki|mempunyai|ada)\s+(?:anak\s+(?P<n1>{NUMBER_PATTERN})\b|(?P<n2>{NUMBER_PATTERN})\s+(?:orang\s+)?anak\b)", I),
    re.compile(rf"\banak\s+{WE_ID}\s+(?:ada\s+)?(?P<n>{NUMBER_PATTERN})(?:\s+orang)?\b", I),
    re.compile(rf"\b(?:ho|abbiamo)\s+(?P<n>{NUMBER_PATTERN})\s+(?:figli[oe]?|figlia|bambin[ie]|bimb[ie]|ragazz[ie])\b", I),
]  # fmt: skip
_CHILD_NAME = [
    re.compile(r"\bmy\s+(?:\w+\s+)?(?:son|daughter|kid|child)(?:'s\s+name\s+is|’s\s+name\s+is|\s+is\s+called|\s+is\s+named|\s+named|\s+called)\s+(?P<rest>.+)", I),
    re.compile(rf"\b(?:nama\s+)?anak\s+(?:perempuan\s+|laki-laki\s+|cowok\s+|cewek\s+)?{ME_ID}\s+(?:bernama|namanya)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:mia\s+figlia|mio\s+figlio)\s+si\s+chiama\s+(?P<rest>.+)", I),
]  # fmt: skip


def extract_family(s: Sentence) -> list[FactCandidate]:
    found: list[FactCandidate] = []
    divorce = _DIVORCED.search(s.text)
    divorced = bool(divorce) and not _is_hypothetical(s.text, divorce.start())
    if divorced:
        found = [
            _candidate("family", "marital_status", "divorced", "Divorced", 0.85),
            _retract("family", "spouse"),
            _retract("family", "spouse_nationality"),
        ]
    else:
        status = _SINGLE_OR_WIDOWED.search(s.text)
        if status and not _is_hypothetical(s.text, status.start()) and not _about_someone_else(s.text, status.start()):
            value = "widowed" if any(status.group(g) for g in ("w", "w2", "w3", "w4", "w5")) else "single"
            found.append(_candidate("family", "marital_status", value, value.capitalize(), 0.8))
    item = _STATUS_ITEM.search(s.text)
    listed = ""  # the status said as one item of a self-description, when no sentence form above said one
    if not found and item and not _is_hypothetical(s.text, item.start()):
        listed = "" if _about_someone_else(s.text, item.start()) else next(v for v in _STATUS_VALUES if item.group(v))
    if listed:
        found.append(_candidate("family", "marital_status", listed, listed.capitalize(), 0.8))
        if listed == "divorced":
            divorced = True
            found += [_retract("family", "spouse"), _retract("family", "spouse_nationality")]
    spouse_nat: str | None = None
    for pattern in [] if divorced or listed == "married" else _MARRIED:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            nat = match.groupdict().get("nat")
            spouse_nat = nationality_of(nat) if nat else None
            found.append(_candidate("family", "marital_status", "married", "Married", 0.85))
            break
    for pattern in _SPOUSE_NAT:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            spouse_nat = nationality_of(match.group("nat")) or spouse_nat
            break
    if spouse_nat and not divorced:
        found.append(_candidate("family", "spouse_nationality", spouse_nat, f"Spouse is {spouse_nat}", 0.8))
    for pattern in [] if divorced else _SPOUSE_NAME:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start()):
            continue
        name = _name(match.group("rest"), require_capital=pattern.flags & re.IGNORECASE == 0)
        if name:
            label = _REL_LABEL.get(re.sub(r"\s+", " ", match.group("rel").lower()), "Spouse")
            found.append(_candidate("family", "spouse", name, f"{label}: {name}", 0.85))
            break
    for pattern in _CHILDREN:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start()):
            continue
        groups = match.groupdict()
        count = number_of(groups.get("n") or groups.get("n1") or groups.get("n2") or "")
        what = (groups.get("what") or "").lower()
        if count == 1 and what in {"son", "daughter", "boy", "girl"}:
            continue  # "I have a daughter" does not say how many children in all
        if count:
            text = "Has 1 child" if count == 1 else f"Has {count} children"
            found.append(_candidate("family", "children", str(count), text, 0.8))
            break
    for pattern in _CHILD_NAME:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            name = _name(match.group("rest"), require_capital=False)
            if name:
                found.append(_candidate("family", f"child:{name.lower()}", name, f"Child: {name}", 0.8))
                break
    return found


# ---------------------------------------------------------------------------------------------------------- deadline
_DEADLINE_PATTERNS = [
    re.compile(r"\b(?:i|we)\s+(?:really\s+|still\s+|also\s+)?(?:must|need\s+to|have\s+to|'ve\s+got\s+to|have\s+got\s+to|’ve\s+got\s+to|got\s+to)\s+(?P<what>.{3,90}?)\s+(?:by|before|no\s+later\s+than|until|on\s+or\s+before)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:i|we)\s+(?:really\s+|still\s+)?need\s+(?P<what>.{3,60}?)\s+(?:done|filed|submitted|paid|finished|signed|sorted)\s+(?:by|before)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:i|we)\s+(?:only\s+)?have\s+until\s+(?P<rest>.{4,30}?)\s+to\s+(?P<what>.{3,80})", I),
    re.compile(r"\b(?:my|our|the)\s+(?P<what>[\w\s'-]{3,60}?)\s+(?:has|have)\s+to\s+be\s+(?:in|filed|submitted|paid|done|signed|renewed)\s+(?:by|before)\s+(?P<rest>.+)", I),
    re.compile(r"\bentro\s+(?:il\s+|l'|l’)?(?P<rest>.{4,25}?)\s+(?:devo|dobbiamo|devo\s+ancora)\s+(?P<what>.{3,80})", I),
    re.compile(rf"\b(?:sebelum|paling\s+lambat|maks(?:imal)?)\s+(?:tanggal\s+|tgl\s+)?(?P<rest>.{{4,25}}?)\s+{WE_ID}\s+(?:harus|wajib|perlu|mesti)\s+(?P<what>.{{3,80}})", I),
    re.compile(r"\b(?:i|we)\s+(?:really\s+|still\s+|also\s+)?(?:need|have|must|'ve\s+got|have\s+got|’ve\s+got|got)\s+to\s+(?P<what>.{3,90}?)\s+(?:by|before|no\s+later\s+than|until|on\s+or\s+before)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:the\s+|my\s+|our\s+)?deadline\s+(?:for|to|of)\s+(?P<what>.{3,80}?)\s+(?:is|(?:was\s+|has\s+been\s+|got\s+)?(?:moved|changed|extended|postponed|pushed\s+back|brought\s+forward)\s+to)\s+(?:on\s+)?(?P<rest>.+)", I),
    re.compile(r"\b(?:my|our|the)\s+(?P<what>[\w\s'-]{3,60}?)\s+(?:deadline\s+is|is\s+due(?:\s+on|\s+by)?|must\s+be\s+(?:filed|submitted|paid|done)\s+by)\s+(?P<rest>.+)", I),
    re.compile(rf"\b{WE_ID}\s+(?:harus|perlu|wajib|mesti|musti)\s+(?P<what>.{{3,90}}?)\s+(?:sebelum|paling\s+lambat|maksimal|maks|sampai|pada|tanggal|tgl)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:batas\s+waktu|tenggat(?:\s+waktu)?|deadline|jatuh\s+tempo)\s+(?P<what>.{3,80}?)\s+(?:adalah|yaitu|:|tanggal|pada|jatuh\s+pada)\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:devo|dobbiamo|bisogna|devo\s+ancora)\s+(?P<what>.{3,90}?)\s+entro\s+(?P<rest>.+)", I),
    re.compile(r"\b(?:la\s+)?scadenza\s+(?:per|del|della|dello|dei|delle|di)\s+(?P<what>.{3,80}?)\s+è\s+(?P<rest>.+)", I),
]  # fmt: skip
# "it was moved to 30 April", "è stata spostata al 30 aprile", "diundur ke 30 April": the deadline the user has
_DEADLINE_MOVED = re.compile(
    r"\b(?:(?:was|has\s+been|got|it's|is)\s+)?(?:moved|postponed|extended|pushed\s+back|brought\s+forward)\s+(?:to|until)\s+"
    r"|\b(?:è\s+stata\s+|è\s+stato\s+)?(?:spostat[oa]|rinviat[oa]|prorogat[oa]|posticipat[oa]|anticipat[oa])\s+(?:al|a|all'|fino\s+al)\s*"
    r"|\b(?:di)?(?:undur|mundurkan|majukan|perpanjang)\s+(?:ke|sampai|hingga|jadi)\s+",
    I,
)
_TOPIC_STOP = set("my our the a an to di ke il la lo le i gli un una per del della saya aku kami".split())


def _topic_key(what: str) -> str:
    words = [w for w in re.findall(r"[^\W_]+", what.lower()) if w not in _TOPIC_STOP]
    return "deadline:" + "-".join(words[:4])


def extract_deadline(s: Sentence) -> list[FactCandidate]:
    for pattern in _DEADLINE_PATTERNS:
        match = pattern.search(s.text)
        if not match or _is_hypothetical(s.text, match.start(), timed=True):
            continue
        what = match.group("what").strip(" ,")
        when = first_date(match.group("rest"), today=s.today)
        if when is None or when.start > 12:
            continue
        return [_candidate("deadline", _topic_key(what), when.text, f"Deadline {when.text}: {what}", 0.75)]
    moved = _DEADLINE_MOVED.search(s.text)
    if moved and s.knows_deadline and not s.mentions_visa:
        when = first_date(s.text[moved.end() :], today=s.today)
        if when is not None and when.start <= 8:
            # the topic is the user's latest deadline: operations fill it in
            return [_candidate("deadline", "deadline:", when.text, "", 0.7)]
    return []


# -------------------------------------------------------------------------------------------------------- preference
_ANSWER_LANGUAGE = [
    re.compile(rf"\b(?:answer|reply|respond|write|talk|speak|replies|answers)\s+(?:to\s+me\s+|me\s+)?(?:only\s+)?in\s+(?P<l>{LANGUAGE_PATTERN})\b", I),
    re.compile(rf"\bi\s+(?:prefer|want|'d\s+like|would\s+like|only\s+want)\s+(?:answers|replies|responses|to\s+talk|to\s+chat)?\s*(?:only\s+)?in\s+(?P<l>{LANGUAGE_PATTERN})\b", I),
    re.compile(r"\b(?:jawab|balas|pakai|gunakan|pake)\s+(?:dalam\s+|pakai\s+|dengan\s+|pake\s+)?bahasa\s+(?P<l>inggris|indonesia|italia)\b", I),
    re.compile(rf"\b{ME_ID}\s+lebih\s+suka\s+(?:pakai\s+|dalam\s+|pake\s+)?bahasa\s+(?P<l>inggris|indonesia|italia)\b", I),
    re.compile(r"\b(?:rispondimi|rispondi|scrivimi|parlami|rispondere)\s+(?:sempre\s+|solo\s+)?in\s+(?P<l>italiano|inglese|indonesiano)\b", I),
    re.compile(r"\bpreferisco\s+(?:le\s+)?(?:risposte\s+|parlare\s+)?in\s+(?P<l>italiano|inglese|indonesiano)\b", I),
]  # fmt: skip
_CONTACT = [
    (re.compile(r"\b(?:don't|don’t|do\s+not|dont)\s+(?:want|like)\s+(?:phone\s+)?calls\b|\bno\s+(?:phone\s+)?calls\b", I), "chat, no calls"),
    (re.compile(r"\b(?:gak|nggak|tidak|ga|enggak)\s+mau\s+(?:di)?telep(?:on|hon)\b", I), "chat, no calls"),
    (re.compile(r"\bnon\s+voglio\s+(?:essere\s+)?(?:chiamat[oa]|telefonate)\b", I), "chat, no calls"),
    (re.compile(r"\bi\s+prefer\s+(?P<c>whatsapp|email|e-mail|telegram|phone\s+calls?)\b", I), None),
    (re.compile(rf"\b{ME_ID}\s+lebih\s+suka\s+(?:lewat\s+|via\s+|pakai\s+)?(?P<c>whatsapp|wa|email|telepon|telegram)\b", I), None),
    (re.compile(r"\bpreferisco\s+(?:essere\s+contattat[oa]\s+)?(?:su\s+|via\s+|per\s+|tramite\s+)?(?P<c>whatsapp|email|e-mail|telefono|telegram)\b", I), None),
]  # fmt: skip
_CHANNELS = {"wa": "WhatsApp", "whatsapp": "WhatsApp", "email": "email", "e-mail": "email", "telegram": "Telegram"}


def extract_preference(s: Sentence) -> list[FactCandidate]:
    found: list[FactCandidate] = []
    for pattern in _ANSWER_LANGUAGE:
        match = pattern.search(s.text)
        if match and not _is_hypothetical(s.text, match.start()):
            raw = match.group("l").lower()
            language = LANGUAGES.get(raw) or {"inggris": "English", "italia": "Italian"}.get(raw, "Indonesian")
            found.append(_candidate("preference", "answer_language", language, f"Prefers answers in {language}", 0.85))
            break
    for pattern, fixed in _CONTACT:
        match = pattern.search(s.text)
        if not match:
            continue
        channel = fixed or _CHANNELS.get(match.group("c").lower(), "phone calls")
        found.append(_candidate("preference", "contact_channel", channel, f"Prefers to be contacted by {channel}", 0.8))
        break
    return found


# --------------------------------------------------------- identifiers (only when the user explicitly asks to remember)
_PHONE = re.compile(
    r"(?:phone|number|nomor|no\.?\s*hp|hp|wa|whatsapp|numero|cellulare|telefono)\D{0,30}?(?P<v>\+?\d[\d\s().-]{6,}\d)",
    I,
)
_EMAIL = re.compile(r"\b(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b")
_BIRTHDAY = re.compile(
    rf"\b(?:my\s+birthday\s+is|i\s+was\s+born\s+on|(?:ulang\s+tahun|ultah|tanggal\s+lahir)\s+{ME_ID}|il\s+mio\s+compleanno\s+è|sono\s+nat[oa]\s+il)\b(?P<rest>.*)",
    I,
)


def extract_identifiers(s: Sentence) -> list[FactCandidate]:
    if not s.explicit:
        return []
    found: list[FactCandidate] = []
    phone = _PHONE.search(s.text)
    if phone:
        number = re.sub(r"\s+", " ", phone.group("v")).strip()
        found.append(_candidate("identity", "phone", re.sub(r"\D", "", number), f"Phone: {number}", 0.9))
    email = _EMAIL.search(s.text)
    if email:
        found.append(_candidate("identity", "email", email.group("v").lower(), f"Email: {email.group('v')}", 0.9))
    birthday = _BIRTHDAY.search(s.text)
    if birthday:
        dates = parse_dates(birthday.group("rest"), today=s.today)
        if dates and dates[0].start < 15:
            when = dates[0]
            if when.year_given or "-" not in when.text:
                value, shown = when.text, when.text
            else:  # a birthday has no "next" year: keep day and month only
                value = when.text[5:]
                shown = f"{int(value[3:])} {MONTH_NAMES[int(value[:2])]}"
            found.append(_candidate("identity", "birthday", value, f"Birthday: {shown}", 0.9))
    return found


EXTRACTORS: list[Callable[[Sentence], list[FactCandidate]]] = [
    extract_name,
    extract_nationality,
    extract_location,
    extract_business,
    extract_occupation,
    extract_immigration,
    extract_family,
    extract_deadline,
    extract_preference,
    extract_identifiers,
]


PERSONAL_EXTRACTORS = tuple(e for e in EXTRACTORS if e is not extract_family)


def split_sentences(text: str) -> list[str]:
    text = text.replace("’", "'").replace("‘", "'")
    text = _ABBREVIATIONS.sub(lambda m: m.group(1), text)
    return [part.strip() for part in _SENTENCE_SPLIT.split(text) if part and part.strip()]


_SUBJECT_BREAK = re.compile(r"[,;:]\s+|\s+(?:and|but|while|dan|tapi|tetapi|sedangkan|ma|e|mentre|invece)\s+", I)
_HOUSEHOLD = re.compile(
    r"^(?:istri|isteri|suami|pasangan|anak|anaknya|moglie|marito|figli[oa]?|figlie|wife|husband|spouse|partner|kids?|"
    r"children|child|son|daughter)",
    I,
)


def _clause_subject(clause: str) -> str | None:
    """ "user", "household" (the user's spouse or children), "other", or None when the clause names nobody.

    The first person a clause names is its subject (English, Indonesian and Italian put it first); a possessive before
    a relation ("my friend", "teman saya", "la mia amica", "a client of mine") only says whose relation it is.
    """
    mentions = []
    for match in _FIRST_PERSON.finditer(clause):
        before, after = clause[: match.start()], clause[match.end() :]
        if _OF_MINE.search(before) or re.match(rf"\s*(?:{_RELATION})\b", after, I):
            continue
        mentions.append((match.start(), "user", ""))
    mentions.extend((m.start(), "other", m.group(0)) for m in _THIRD_PERSON.finditer(clause))
    if not mentions:
        return None
    _, who, word = min(mentions)
    return "household" if who == "other" and _HOUSEHOLD.match(word) else who


def subject_segments(sentence: str) -> list[tuple[str, str]]:
    """The sentence cut where the subject changes, as (subject, text): a clause naming nobody keeps the subject before
    it ("paman saya pemegang KITAS, habis Oktober" is all about the uncle)."""
    segments: list[tuple[str, str]] = []
    subject = "user"
    position = 0
    for match in [*_SUBJECT_BREAK.finditer(sentence), None]:
        end = match.end() if match else len(sentence)
        clause = sentence[position:end]
        subject = _clause_subject(clause) or subject
        if segments and segments[-1][0] == subject:
            segments[-1] = (subject, segments[-1][1] + clause)
        else:
            segments.append((subject, clause))
        position = end
    return [(who, " ".join(text.split())) for who, text in segments if text.strip()]


# "Mending saya tinggal di Sanur atau Ubud ya?", "Better to live in Sanur or Ubud?": weighing options, not a fact.
_DELIBERATION = re.compile(
    r"^\s*(?:mending|mendingan|lebih\s+baik|sebaiknya|meglio|better|is\s+it\s+better|conviene)\b",
    I,
)
# A sentence that opens with a condition is hypothetical throughout ("Kalau saya pensiun nanti, bisa ganti ke E33F?"),
# but for the courtesy openers that only introduce a fact ("if it helps, my KITAS expires in May").
_OPENING_CONDITION = re.compile(
    r"^\s*(?:if|suppose|supposing|assuming|imagine|in\s+case|kalau|kalo|klo|jika|jikalau|apabila|seandainya|andaikan|"
    r"andai|andaikata|seumpama|seumpamanya|sekiranya|misalnya|misalkan|misal|anggap(?:lah)?|umpamakan|se|qualora|"
    r"nel\s+caso|mettiamo|poniamo|supponiamo|ipotizziamo|diciamo\s+che|facciamo\s+(?:finta|conto)\s+che|"
    r"let'?s\s+say|say|hypothetically|theoretically|ipoteticamente|in\s+teoria|secara\s+teori)\b(?!\s+(?:it|that|this)\s+(?:helps|matters|is\s+relevant|is\s+useful))"
    r"(?!\s+(?:perlu|penting|membantu))(?!\s+(?:può\s+servire|serve|è\s+utile|ti\s+serve))",
    I,
)


# A question asked by intonation alone ("Il mio KITAS è valido fino a marzo?", "KITAS saya habis Maret?") is one clause
# ending in "?"; "My KITAS expires in March, can I extend it?" states a fact before asking.
_CLAUSE_SEPARATOR = re.compile(r"[,;:—–]|\s-\s|\b(?:so|then|jadi|terus|quindi|allora)\b", I)


def is_question(sentence: str) -> bool:
    if _OPENING_CONDITION.match(sentence):
        return True  # not a question, but nothing in it is a fact either
    if not sentence.rstrip().endswith("?"):
        return False
    if not _CLAUSE_SEPARATOR.search(sentence):
        return True
    return bool(_QUESTION_START.match(sentence) or _DELIBERATION.search(sentence))


# Chat Indonesian abbreviations, written out so the patterns read one form ("KITAP sy berlaku smp Mei 2030").
_INFORMAL_WORDS = {
    "yg": "yang", "smp": "sampai", "s/d": "sampai", "sd": "sampai", "abis": "habis", "jd": "jadi", "blm": "belum",
    "skrg": "sekarang", "dgn": "dengan", "utk": "untuk", "tgl": "tanggal", "sbg": "sebagai", "krn": "karena",
    "org": "orang", "udh": "sudah", "udah": "sudah", "thn": "tahun", "bln": "bulan", "pake": "pakai",
    "bales": "balas", "kerjaan": "pekerjaan", "gak": "tidak", "ga": "tidak", "nggak": "tidak", "ngga": "tidak",
    "tdk": "tidak", "dlm": "dalam", "tp": "tapi", "sm": "sama", "aja": "saja",
}  # fmt: skip
_INFORMAL = re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(w) for w in _INFORMAL_WORDS) + r")(?![\w/])")


# Someone else's words quoted in the message ("Forwarding this from a client: 'I am German, living in Canggu'", "Klien
# saya kirim pesan: «...»"): a quotation of three words or more, opened after a space or a colon (not the apostrophe
# of "un'indonesiana", "I'm") and closed before a space, punctuation or the end.
_QUOTED = re.compile(
    r"(?:^|(?<=[\s:(]))(?P<q>['\"“«])(?P<body>[^'\"”»\n]*?\S\s+\S+\s+\S[^'\"”»\n]*?)['\"”»](?=[\s.,;:!?)]|$)"
)
# Relation nouns typed with one slip ("my gilrfriend", "la mia ragaza"), after a possessive: read as the relation.
_POSSESSIVE = re.compile(
    r"\b(?P<own>my|our|la\s+mia|il\s+mio|la\s+nostra|il\s+nostro|mia|mio)\s+(?P<word>[a-zà-ù]{6,})\b", I
)
_RELATION_WORDS = tuple(
    sorted(
        {
            "girlfriend", "boyfriend", "husband", "partner", "brother", "sister", "mother", "father", "friend",
            "colleague", "landlord", "neighbour", "neighbor", "daughter", "cousin", "fiancee", "ragazza", "ragazzo",
            "fidanzata", "fidanzato", "compagna", "compagno", "moglie", "marito", "sorella", "fratello", "amica",
            "collega", "cliente", "client", "customer", "employee", "roommate", "flatmate",
        }
    )
)  # fmt: skip


def _one_slip(word: str, target: str) -> bool:
    """`word` is `target` with one letter dropped, added, changed, or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# "la mia ragazza" is a girlfriend, "una ragazza indonesiana" only a girl.
_CANONICAL = {"ragazza": "fidanzata", "ragazzo": "fidanzato"}


def _relation_slips(text: str) -> str:
    def fix(match: re.Match) -> str:
        word = match.group("word").lower()
        target = word if word in _RELATION_WORDS else next((t for t in _RELATION_WORDS if _one_slip(word, t)), None)
        if target is None or (target == word and word not in _CANONICAL):
            return match.group(0)
        return f"{match.group('own')} {_CANONICAL.get(target, target)}"

    return _POSSESSIVE.sub(fix, text)


def extract_candidates(
    text: str, *, today: date | None = None, explicit: bool = False, known_keys: frozenset[str] = frozenset()
) -> list[FactCandidate]:
    """Every fact stated in `text`, later statements winning over earlier ones for the same slot.

    `known_keys`: the slots the user already has facts for (context for elliptic corrections).
    """
    today = today or timezone.localdate()
    text = _INFORMAL.sub(lambda m: _INFORMAL_WORDS[m.group(0).lower()], text)
    text = _QUOTED.sub(" ", _relation_slips(text))
    knows_visa = bool(known_keys & {"visa_type", "visa_expiry"})
    knows_deadline = any(key.startswith("deadline:") for key in known_keys)
    mentions_visa = bool(VISA_PATTERN.search(text))
    by_slot: dict[tuple[str, str, str], FactCandidate] = {}
    for whole in split_sentences(text):
        if is_question(whole):
            continue
        # Facts about the user from the clauses about the user; family facts also from those about the user's spouse
        # and children ("my wife is Indonesian"); nothing from a friend's, a client's or an uncle's clauses.
        context = (today, explicit, mentions_visa, knows_visa, knows_deadline)
        segments = subject_segments(whole)
        family = " ".join(text for who, text in segments if who in ("user", "household"))
        if family:
            _extract_sentence(family, (extract_family,), by_slot, *context)
        for who, raw in segments:
            if who == "user":
                _extract_sentence(raw, PERSONAL_EXTRACTORS, by_slot, *context)
        if all(who != "user" for who, _ in segments):
            # A request to ZANTARA is the user's whoever else it names: "Reply in English - my assistant reads these".
            _extract_sentence(whole, (extract_preference,), by_slot, *context)
    return list(by_slot.values())


def _extract_sentence(
    raw: str,
    extractors: tuple[Callable[[Sentence], list[FactCandidate]], ...],
    by_slot: dict[tuple[str, str, str], FactCandidate],
    today: date,
    explicit: bool,
    mentions_visa: bool,
    knows_visa: bool,
    knows_deadline: bool,
) -> None:
    sentence = Sentence(
        text=raw,
        today=today,
        explicit=explicit,
        mentions_visa=mentions_visa,
        knows_visa=knows_visa,
        knows_deadline=knows_deadline,
    )
    for extractor in extractors:
        for candidate in extractor(sentence):
            # one assertion per slot (the last one said), retractions per slot and value
            slot = (candidate.action, candidate.key, candidate.value if candidate.action == "retract" else "")
            by_slot.pop(slot, None)
            by_slot[slot] = candidate


class RuleBasedExtractor:
    """Offline extraction for English, Indonesian and Italian; deterministic, about a millisecond per message."""

    name = "rules"

    def __init__(self, *, today: date | None = None, explicit: bool = False) -> None:
        self.today = today
        self.explicit = explicit

    def extract(self, *, user_text: str, assistant_text: str, existing: list[ExistingFact]) -> list[FactCandidate]:
        known = frozenset(f.key for f in existing if f.key)
        return extract_candidates(user_text, today=self.today, explicit=self.explicit, known_keys=known)
