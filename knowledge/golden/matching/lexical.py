"""Lexical agreement between a query and a golden answer's phrasings, blended into the semantic score.

all-MiniLM-L6-v2 puts short questions that share a frame close together ("Do remote workers pay income tax?" vs "What
are the personal income tax rates?" ≈ 0.83) and keeps some true paraphrases apart ("What is Coretax in Indonesia?" vs
"What is Coretax?" ≈ 0.72). Coverage fixes much of both: the share of the query's informative words (IDF-weighted over
the golden phrasings) that the answer's question and variants also use. Words no phrasing uses at all count at half
weight: "close" in "How do I close a PT PMA?" is evidence that the set-up answer does not fit.

score = cosine + weight * (coverage - pivot); replayed on bench/data/golden_replay.jsonl (see bench/golden.py).
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SUFFIXES = ("ing", "ed", "es", "s")
UNKNOWN_WEIGHT = 0.5  # of the largest IDF, for a word no phrasing uses


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> frozenset[str]:
    """Casefolded, lightly stemmed words (digits are left to the number guard)."""
    return frozenset(_stem(word.casefold()) for word in _WORD.findall(text))


def _idf(n: int, count: int) -> float:
    return math.log(1 + (n - count + 0.5) / (count + 0.5))


@dataclass(frozen=True)
class LexicalModel:
    idf: dict[str, float]
    vocabularies: list[frozenset[str]]  # per golden answer: the words of its question and variants
    unknown_idf: float

    @classmethod
    def build(cls, phrasings_per_answer: Iterable[Iterable[str]]) -> "LexicalModel":
        vocabularies = [frozenset().union(*(tokens(p) for p in phrasings)) for phrasings in phrasings_per_answer]
        n = len(vocabularies)
        frequency = Counter(word for vocabulary in vocabularies for word in vocabulary)
        # BM25's IDF: never zero, so a small set (a new install, a test) still weighs its words.
        idf = {word: _idf(n, count) for word, count in frequency.items()}
        return cls(idf=idf, vocabularies=vocabularies, unknown_idf=_idf(n, 0) * UNKNOWN_WEIGHT)

    def coverage(self, query_tokens: frozenset[str], answer_index: int) -> float:
        """IDF-weighted share of the query's words found in the answer's phrasings (1.0 for a query of no words)."""
        vocabulary = self.vocabularies[answer_index]
        total = found = 0.0
        for word in query_tokens:
            weight = self.idf.get(word, self.unknown_idf)
            total += weight
            if word in vocabulary:
                found += weight
        return found / total if total else 1.0
