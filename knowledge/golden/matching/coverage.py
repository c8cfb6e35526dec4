"""What a question is about, in English terms, and whether a golden answer covers all of it.

A golden answer is shown as the firm's word, so a hit must answer exactly the question asked. The embedder sees
"What is a KITAS?" and "What is a KITAP?", or "open" and "close a PT PMA", as near neighbours; these guards do not:

- key_term: every key concept of the question (a permit, a tax, a company form, a country...) is one the answer's
  phrasings are about, and the answer's phrasing asks about no key concept the question lacks;
- action: the question's actions (open, close, extend, leave...) are the answer's, never their opposites;
- coverage: the question's other content words are found in the answer's phrasings or its text (IDF-weighted), so
  "minimum age to marry" does not get the answer about the minimum age to found a company.

Indonesian and Italian are compared through their English gloss (knowledge.search.lexicon), so the same guards and the
same vectors serve all three languages.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from knowledge.search.lexicon import concept, concept_words, gloss_words, match_concepts, stem
from knowledge.search.tokens import STOPWORDS as MULTILINGUAL_STOPWORDS
from nuzantara.language import detect_language

# English function words and the filler of a question ("please tell me", "I would like to know"): no subject.
STOPWORDS = frozenset(
    stem(w)
    for w in """a about above after again all also am an and any anyone anything are as at be because been before being
    between both but by can could did do does doing done during each either else etc even ever every for from get gets
    getting got had has have having he her here him his how i if in into is it its just know let like me might mine
    more most much must my need needs no nor not now of off on once one only or other our out over own please possible
    really same say shall she should so some someone something still such tell than thank thanks that the their them
    then there these they thing things this those through to too under until up us very want wants was way we were
    what whats when where whether which while who whom whose why will with without would yes yet you your yours hi
    hello dear guys okay ok ya yeah actually currently exactly kind sort info information question questions answer
    explain mean means meaning example right correct true allowed able go going come coming make made take""".split()
) | frozenset(stem(w) for w in MULTILINGUAL_STOPWORDS)  # untranslated Indonesian and Italian function words

KEY = "key_term"
BALI_PLACE = "bali_place"  # the generic concept of places in Bali (concepts.txt)
ACTION = "action"
COVERAGE = "coverage"


@dataclass(frozen=True)
class Analysis:
    language: str
    gloss: str  # the English rendering the encoder embeds
    keys: frozenset[str]
    actions: frozenset[str]
    words: frozenset[str]  # stemmed content words outside any concept phrase
    weights: tuple[tuple[str, float], ...]  # (stem, weight) of those words, weighed on the word as written
    all_words: frozenset[str]  # every stemmed word of the gloss (what an answer's vocabulary is made of)
    # Places in Bali ("Canggu", "Ubud"), with their weights: no subject for the guards (an answer about Bali answers
    # for them), but they tell one sentence of a listing or a schedule from another (the offline answerer).
    local_weights: tuple[tuple[str, float], ...] = ()


@lru_cache(maxsize=8192)
def analyze(text: str, language: str | None = None) -> Analysis:
    """The English gloss, key concepts, actions and remaining content words of a question (or an answer text)."""
    language = language or detect_language(text)
    english = gloss_words(text, language, respell=True)
    stemmed = [stem(w) for w in english]
    found, used = match_concepts(stemmed)
    if language != "en":  # phrases written in the original language ("izin tinggal tetap") match there
        original, _ = match_concepts([stem(w) for w in gloss_words(text, "en")])
        found |= original
    keys = {name for name in found if (c := concept(name)) is not None and c.kind == "key"}
    actions = {name for name in found if (c := concept(name)) is not None and c.kind == "action"}
    weights: dict[str, float] = {}
    for i, (word, stemmed_word) in enumerate(zip(english, stemmed, strict=True)):
        if i in used or stemmed_word in STOPWORDS or word in STOPWORDS or len(word) < 2 or _has_digit(word):
            continue  # codes and numbers have their own guards
        weights[stemmed_word] = max(weights.get(stemmed_word, 0.0), word_weight(word))
    content = set(weights)
    local = {s: word_weight(w) for w, s in zip(english, stemmed, strict=True) if s in concept_words(BALI_PLACE)}
    return Analysis(
        language=language,
        gloss=" ".join(english),
        keys=frozenset(keys),
        actions=frozenset(actions),
        words=frozenset(content),
        weights=tuple(sorted(weights.items())),
        all_words=frozenset(stemmed),
        local_weights=tuple(sorted(local.items())),
    )


@dataclass(frozen=True)
class AnswerTerms:
    """One golden answer's concepts: per phrasing (question and variants), and the vocabulary of its text."""

    phrasing_keys: tuple[frozenset[str], ...]
    phrasing_weights: tuple[tuple[tuple[str, float], ...], ...]  # per phrasing: its content words and their weights
    phrasing_vocabulary: frozenset[str]  # every word of its question and variants
    keys: frozenset[str]  # key concepts its phrasings or its text mention
    actions: frozenset[str]  # actions its phrasings mention
    vocabulary: frozenset[str]  # every word of the phrasings and of the answer text

    @classmethod
    def of(cls, phrasings: list[Analysis], answer_text: Analysis) -> "AnswerTerms":
        return cls(
            phrasing_keys=tuple(p.keys for p in phrasings),
            phrasing_weights=tuple(p.weights for p in phrasings),
            phrasing_vocabulary=frozenset().union(*(p.all_words for p in phrasings)),
            keys=frozenset().union(answer_text.keys, *(p.keys for p in phrasings)),
            actions=frozenset().union(*(p.actions for p in phrasings)),
            vocabulary=frozenset().union(answer_text.all_words, *(p.all_words for p in phrasings)),
        )


@dataclass(frozen=True)
class Verdict:
    guard: str | None  # None: covered
    detail: str
    coverage: float


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


@lru_cache(maxsize=65536)
def word_weight(word: str) -> float:
    """How much a question word says about its subject: rare words a lot ("scooter"), everyday ones little ("put").

    From the word's frequency in general language (wordfreq's Zipf scale, the highest of en/id/it for words the gloss
    left untranslated), not from the golden answers: their few dozen texts would call every word outside them rare.
    """
    from wordfreq import zipf_frequency

    zipf = max(zipf_frequency(word, language) for language in ("en", "id", "it"))
    return min(MAX_WEIGHT, max(MIN_WEIGHT, COMMON_ZIPF - zipf))


COMMON_ZIPF = 6.0  # "the", "year" sit near 6-7; "visa" ~4.5, "scooter" ~3.3
MIN_WEIGHT, MAX_WEIGHT = 0.25, 4.0


# A question that names no key concept ("can I work here if I'm not married?") is matched on words alone, and everyday
# words weigh little: it must also be this close in meaning to one of the answer's phrasings.
NO_KEY_COSINE = 0.80


class CoverageModel:
    """Word weights and the three guards."""

    def __init__(self, answers: Iterable[AnswerTerms]) -> None:
        self.answers = list(answers)

    @staticmethod
    def coverage(query: Analysis, vocabulary: frozenset[str]) -> float:
        """The weighted share of the question's content words found in a vocabulary (1.0 for a question of none)."""
        return _share(query.weights, vocabulary)

    def verdict(self, query: Analysis, answer: AnswerTerms, *, min_coverage: float, cosine: float = 1.0) -> Verdict:
        extra = query.keys - answer.keys
        coverage = self.coverage(query, answer.vocabulary)
        # Key concepts the answer's text mentions count (the KITAP answer explains KITAS), but the answer's own subject
        # must be asked about: one of its phrasings has all its key concepts in the question.
        if extra:
            return Verdict(
                KEY, f"the question is about {_listed(extra)}; the answer covers {_listed(answer.keys)}", coverage
            )
        if query.keys:  # (all of them the answer's, see above) the answer's subject must be among them
            keyed = [keys for keys in answer.phrasing_keys if keys]
            main = answer.phrasing_keys[0] if answer.phrasing_keys else frozenset()
            # About the answer's subject: a key concept of its main question (a disjunction such as "a CV or a PT
            # Perorangan" counts each), or all those of one variant ("convert a KITAS to a KITAP" needs both).
            if not query.weights:
                # A bare subject ("What is a KITAS?", "Apa itu KITAP?") asks about that subject itself: one phrasing
                # must be about nothing but the question's subjects, not "How much do you charge for a KITAS?" or
                # "Can I get a KITAS as a shareholder of my company?" (the investor KITAS).
                implied = query.keys | {c.parent for k in query.keys if (c := concept(k)) and c.parent}
                if not any(
                    keys & query.keys and keys <= implied and _covered(answer.phrasing_weights[i], query.all_words)
                    for i, keys in enumerate(answer.phrasing_keys)
                ):
                    return Verdict(
                        KEY, f"the question asks about {_listed(query.keys)} itself; the answer about more", coverage
                    )
            elif keyed and not (main & query.keys) and not any(keys <= query.keys for keys in keyed):
                needed = min(keyed, key=len) - query.keys
                return Verdict(KEY, f"the answer is about {_listed(needed)}, which the question does not ask", coverage)
        elif cosine < NO_KEY_COSINE or self.coverage(query, answer.phrasing_vocabulary) < min_coverage:
            # No key concept: only a question in the words of the answer's own phrasings is about its subject.
            return Verdict(
                KEY, "the question names no subject, and its words are not those of the answer's questions", coverage
            )
        reversed_ = {a for a in query.actions if (c := concept(a)) and c.opposite in answer.actions}
        missing_actions = query.actions - answer.actions
        if reversed_ or missing_actions:
            return Verdict(
                ACTION,
                f"the question asks to {_listed(query.actions)}; the answer is about {_listed(answer.actions)}",
                coverage,
            )
        if coverage < min_coverage:
            return Verdict(COVERAGE, f"only {coverage:.0%} of the question's words are covered by the answer", coverage)
        return Verdict(None, "", coverage)


# A phrasing asks what a bare-subject question asks only if the question has this weighted share of its content words.
VARIANT_SUBJECT_COVERAGE = 0.5


def _share(weights: tuple[tuple[str, float], ...], vocabulary: frozenset[str]) -> float:
    """The weighted share of these words found in a vocabulary (1.0 when there are none)."""
    total = sum(weight for _, weight in weights)
    found = sum(weight for word, weight in weights if word in vocabulary)
    return found / total if total else 1.0


def _covered(weights: tuple[tuple[str, float], ...], vocabulary: frozenset[str]) -> bool:
    return _share(weights, vocabulary) >= VARIANT_SUBJECT_COVERAGE


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "nothing"
