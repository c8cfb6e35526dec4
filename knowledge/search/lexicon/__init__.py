"""Word-by-word English glosses of Indonesian and Italian text, and the domain concepts a text mentions.

The bundled embedder reads English well and the other two languages poorly, and an Italian question shares no words
with the English document that answers it. So both sides are brought to English: every Indonesian or Italian word is
replaced by its dictionary translation (`id_en.tsv`, `it_en.tsv`, with light affix and inflection handling), English
words, names and codes stay as they are. The gloss is not a translation a person would read; it is what the embedder
and the keyword index compare. `concepts.txt` then names the domain concepts (KITAS, opening a company, a country...)
in any of the three languages, so guards can ask "does this answer cover what the question is about?".
"""

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.search.tokens import WORD_RE, fold

HERE = Path(__file__).resolve().parent
DROP = "-"  # a dictionary entry that means "drop this word" (particles such as "dong", "sih")


def words(text: str) -> list[str]:
    """Folded words (digits kept: "E33G", "2026", "55193" are words too)."""
    return [fold(w) for w in WORD_RE.findall(text or "")]


@lru_cache(maxsize=4)
def dictionary(language: str) -> dict[str, tuple[str, ...]]:
    """word -> English words, from `{language}_en.tsv` ({} when the file is missing)."""
    path = HERE / f"{language}_en.tsv"
    if not path.exists():
        return {}
    entries: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        key, english = line.split("\t", 1)
        english = english.strip()
        entries.setdefault(fold(key.strip()), () if english == DROP else tuple(english.casefold().split()))
    return entries


@lru_cache(maxsize=4)
def grammar(language: str) -> dict[str, tuple[str, ...]]:
    """A question's grammar words -> English, from `{language}_grammar_en.tsv` ({} when there is none). Documents keep
    theirs (what is embedded for them does not change); a question loses them, so its vector leans on its content words
    and not on the Italian articles and prepositions it shares with the Italian documents."""
    path = HERE / f"{language}_grammar_en.tsv"
    if not path.exists():
        return {}
    entries: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            key, english = (part.strip() for part in line.split("\t", 1))
            entries.setdefault(fold(key), () if english == DROP else tuple(english.casefold().split()))
    return entries


# --- Indonesian affixes and Italian inflections: other forms to look up when the word itself is not listed -----------

_ID_PARTICLES = ("nya", "lah", "kah", "pun", "ku", "mu")
_ID_SUFFIXES = ("kan", "an", "i")
_ID_PREFIXES = (
    ("meng", ("", "k")), ("meny", ("s",)), ("mem", ("p", "")), ("men", ("t", "")), ("me", ("",)),
    ("peng", ("", "k")), ("peny", ("s",)), ("pem", ("p", "")), ("pen", ("t", "")), ("per", ("",)), ("pe", ("",)),
    ("ber", ("",)), ("be", ("",)), ("di", ("",)), ("ter", ("",)), ("ke", ("",)), ("se", ("",)),
)  # fmt: skip


def _indonesian_forms(word: str) -> list[str]:
    stems = [word]
    for particle in _ID_PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 3:
            stems.append(word[: -len(particle)])
    with_suffix = list(stems)
    for stem in with_suffix:
        for suffix in _ID_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
                stems.append(stem[: -len(suffix)])
    forms = list(stems)
    for stem in stems:
        for prefix, replacements in _ID_PREFIXES:
            if stem.startswith(prefix) and len(stem) - len(prefix) >= 3:
                forms.extend(replacement + stem[len(prefix) :] for replacement in replacements)
    return forms


_IT_ENDINGS = (
    ("ati", "are"), ("ate", "are"), ("ato", "are"), ("ata", "are"), ("uti", "ere"), ("ute", "ere"), ("uto", "ere"),
    ("uta", "ere"), ("iti", "ire"), ("ite", "ire"), ("ito", "ire"), ("ita", "ire"), ("ando", "are"), ("endo", "ere"),
    ("iamo", "are"), ("ano", "are"), ("ono", "ere"), ("che", "ca"), ("chi", "co"), ("ghe", "ga"), ("ghi", "go"),
    ("mente", ""), ("i", "o"), ("i", "e"), ("e", "a"), ("a", "o"), ("o", "are"), ("a", "are"), ("e", "ere"),
)  # fmt: skip


def _italian_forms(word: str) -> list[str]:
    forms = [word]
    for ending, replacement in _IT_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            forms.append(word[: -len(ending)] + replacement)
    return forms


_FORMS = {"id": _indonesian_forms, "it": _italian_forms}


def translate_word(word: str, language: str) -> tuple[str, ...] | None:
    """The English words for one folded word of `language`, or None when the dictionary knows no form of it."""
    entries = dictionary(language)
    if not entries:
        return None
    for form in _FORMS[language](word):
        found = entries.get(form)
        if found is not None:
            return found
    return None


def gloss_words(text: str, language: str, *, question: bool = False, respell: bool = False) -> list[str]:
    """The text's words with every Indonesian / Italian word replaced by its English gloss.

    `language` is the text's main language; a word its dictionary lacks is looked up in the other one (mixed messages
    are common: "berapa costo KITAS"), and kept as it is when neither knows it (English, names, codes). A `question`
    also has its grammar words glossed (`grammar()`). With `respell`, a misspelt word ("restaurnt", "perpanjngan")
    is read as the word it misspells (`spelled()`).
    """
    if language not in _FORMS:
        return [spelled(word, "en") for word in words(text)] if respell else words(text)
    other = "it" if language == "id" else "id"
    grammar_words = grammar(language) if question else {}
    out: list[str] = []
    for word in words(text):
        if any(ch.isdigit() for ch in word):
            out.append(word)
            continue
        english = grammar_words.get(word)
        if english is None:
            english = translate_word(word, language)
        if english is None and word not in ENGLISH_COMMON:
            english = translate_word(word, other)
        if english is None and respell and (fixed := spelled(word, language)) != word:
            english = translate_word(fixed, language) or (fixed,)
        out.extend(english if english is not None else (word,))
    return out


# --- misspellings ----------------------------------------------------------------------------------------------------

SPELLING_MIN_LENGTH = 6  # shorter words have too many common neighbours one letter away ("kamen" -> "amen")
SPELLING_GAIN = 2.0  # Zipf units: the correction is at least 100 times as common as the word as written...
SPELLING_MAX_ZIPF = 2.0  # ...which is rare in all three languages ("sarong", 2.6, is a word, not "strong" mistyped)
SPELLING_MARGIN = 1.0  # Zipf units the likeliest correction must lead the next one by: else the word is ambiguous
SPELLING_TOP_WORDS = 60_000
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=4)
def _common_words(language: str) -> frozenset[str]:
    """The language's most frequent words (wordfreq), plus the dictionary's own words for Indonesian and Italian."""
    from wordfreq import top_n_list

    return frozenset(top_n_list(language, SPELLING_TOP_WORDS)) | frozenset(dictionary(language))


def load_spelling_lists() -> None:
    """Load the word lists `spelled()` reads (about 0.5 s for the three languages), e.g. before a first question."""
    for language in ("en", "id", "it"):
        _common_words(language)


@lru_cache(maxsize=1)
def _concept_words() -> frozenset[str]:
    """The stemmed words of every concept phrase: domain terms and places are never respelt ("kitap" is no "kitab")."""
    return frozenset(word for phrase in _concepts()[1] for word in phrase)


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in _LETTERS),
        *(a + c + b for a, b in splits for c in _LETTERS),
    }


@lru_cache(maxsize=65536)
def spelled(word: str, language: str) -> str:
    """The word a misspelt word stands for: a common word of `language` one edit away that is far more common
    (SPELLING_GAIN) than the word as written, in no language of the three; else the word unchanged.

    Clients type fast ("restaurnt", "goverment", "imigration"): read as written, such a word is a rare word, which the
    guards weigh most, and it matches nothing. Concept words, short words and words with digits are left alone."""
    from wordfreq import zipf_frequency

    if len(word) < SPELLING_MIN_LENGTH or not word.isalpha() or not word.isascii():
        return word
    # A word of any of the three (in a mixed message "meterai" is Indonesian): "asingnya" is "asing" with a particle.
    if stem(word) in _concept_words() or any(translate_word(word, known) is not None for known in _FORMS):
        return word
    if any(stem(form) in _concept_words() for forms in _FORMS.values() for form in forms(word)):
        return word
    written = max(zipf_frequency(word, other) for other in ("en", "id", "it"))
    if written >= SPELLING_MAX_ZIPF:
        return word
    common = _common_words(language)
    candidates = [c for c in _one_edit(word) if c in common and c != word]
    if not candidates:
        return word
    ranked = sorted(((zipf_frequency(c, language), c) for c in candidates), reverse=True)
    (best_zipf, best), runner_up = ranked[0], (ranked[1][0] if len(ranked) > 1 else 0.0)
    if best_zipf - runner_up < SPELLING_MARGIN:
        return word  # "contarct": contact or contract? "tinggl": tinggi or tinggal? Not ours to guess.
    return best if best_zipf - written >= SPELLING_GAIN else word


def gloss(text: str, language: str, *, question: bool = False) -> str:
    """The English gloss as one string (what is embedded for an Indonesian or Italian text)."""
    return " ".join(gloss_words(text, language, question=question))


# English words that also exist in the other dictionaries ("data", "come", "per"): never glossed as foreign words when
# the text's main language has no entry for them.
ENGLISH_COMMON = frozenset(
    """a an and are as at be by can come do does for from has have how i if in is it me my no not of on or our so that
    the this to was we what when where which who why will with you your visa data bank online tour""".split()
)


# --- English stems, for comparing terms ----------------------------------------------------------------------------


_stemmers = threading.local()


def _english_stemmer():  # noqa: ANN202
    """One Snowball stemmer per thread: a stemmer keeps its word in its own state, so two threads sharing one corrupt
    each other's (IndexError under concurrent asks)."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem: "married" and "marry", "permits" and "permit" compare equal."""
    if len(word) <= 3 or any(ch.isdigit() for ch in word):
        return word
    return _english_stemmer().stemWord(word)


@dataclass(frozen=True)
class Concept:
    name: str
    kind: str  # key (what a question is about) | action (what one does with it) | generic (carries no subject)
    opposite: str = ""
    parent: str = ""  # the broader key it is a kind of (the E33G remote worker KITAS is a KITAS)


CONCEPT_FILES = ("concepts.txt", "places.txt")


@lru_cache(maxsize=1)
def _concepts() -> tuple[dict[str, Concept], dict[tuple[str, ...], str], int]:
    """concepts by name, phrase (stemmed words) -> concept name, longest phrase length; from CONCEPT_FILES."""
    concepts: dict[str, Concept] = {}
    phrases: dict[tuple[str, ...], str] = {}
    lines = [
        line
        for name in CONCEPT_FILES
        if (HERE / name).exists()
        for line in (HERE / name).read_text(encoding="utf-8").splitlines()
    ]
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        head, _, body = line.partition("=")
        kind, name, *rest = head.split()
        opposite = next((r[1:] for r in rest if r.startswith("!")), "")
        parent = next((r[1:] for r in rest if r.startswith("^")), "")
        concepts[name] = Concept(name=name, kind=kind, opposite=opposite, parent=parent)
        for phrase in body.split("|"):
            key = tuple(stem(w) for w in words(phrase))
            if key:
                phrases.setdefault(key, name)
    longest = max((len(p) for p in phrases), default=1)
    return concepts, phrases, longest


def concept(name: str) -> Concept | None:
    return _concepts()[0].get(name)


@lru_cache(maxsize=64)
def concept_words(name: str) -> frozenset[str]:
    """The stemmed words of one concept's phrases."""
    return frozenset(word for phrase, owner in _concepts()[1].items() if owner == name for word in phrase)


def match_concepts(stemmed: list[str]) -> tuple[set[str], set[int]]:
    """Concept names found in a sequence of stemmed words (longest phrase first), and the positions they used."""
    _, phrases, longest = _concepts()
    found: set[str] = set()
    used: set[int] = set()
    i = 0
    while i < len(stemmed):
        for size in range(min(longest, len(stemmed) - i), 0, -1):
            name = phrases.get(tuple(stemmed[i : i + size]))
            if name is not None:
                found.add(name)
                used.update(range(i, i + size))
                i += size
                break
        else:
            i += 1
    return found, used
