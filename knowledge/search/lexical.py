"""BM25 over all active chunks, held in memory as a sparse (chunks x terms) matrix of precomputed term weights.

Scoring a query is a column slice and a row sum (milliseconds for tens of thousands of chunks); the index is built
once per corpus version by `hybrid.corpus_snapshot()`, never per query.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from knowledge.search import glossary
from knowledge.search.tokens import tokenize

MIN_CORRECTED = 5  # shorter words are left as typed: too many real words sit one edit apart
K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class LexicalRow:
    chunk_id: int
    collection: str
    language: str
    text: str  # everything searchable: title, heading path, chunk text


@dataclass(frozen=True)
class LexicalMatch:
    chunk_id: int
    score: float
    collection: str


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class LexicalIndex:
    def __init__(self, rows: Iterable[LexicalRow]) -> None:
        chunk_ids: list[int] = []
        collections: list[str] = []
        languages: list[str] = []
        vocabulary: dict[str, int] = {}
        doc_index: list[np.ndarray] = []
        term_index: list[np.ndarray] = []
        lengths: list[int] = []
        for row in rows:
            terms = tokenize(row.text)
            ids = np.fromiter(
                (vocabulary.setdefault(t, len(vocabulary)) for t in terms), dtype=np.int64, count=len(terms)
            )
            doc_index.append(np.full(len(ids), len(chunk_ids), dtype=np.int64))
            term_index.append(ids)
            lengths.append(len(ids))
            chunk_ids.append(row.chunk_id)
            collections.append(row.collection)
            languages.append(row.language)
        self.vocabulary = vocabulary
        self.chunk_ids = np.asarray(chunk_ids, dtype=np.int64)
        self.collection_names = sorted(set(collections))
        code = {name: i for i, name in enumerate(self.collection_names)}
        self.collection_codes = np.asarray([code[c] for c in collections], dtype=np.int16)
        self.language_names = sorted(set(languages))
        lang_code = {name: i for i, name in enumerate(self.language_names)}
        self.language_codes = np.asarray([lang_code[lang] for lang in languages], dtype=np.int16)
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(chunk_ids)}
        self._deletions: dict[str, tuple[int, str]] | None = None  # spelling correction, built on first use
        self.matrix = self._weights(doc_index, term_index, np.asarray(lengths, dtype=np.float64))

    def _weights(
        self, doc_index: list[np.ndarray], term_index: list[np.ndarray], lengths: np.ndarray
    ) -> sparse.csc_matrix:
        n_docs, n_terms = len(lengths), len(self.vocabulary)
        if not n_docs or not n_terms:
            return sparse.csc_matrix((n_docs, n_terms), dtype=np.float32)
        # Summing duplicate (doc, term) entries gives the term frequencies.
        docs = np.concatenate(doc_index)
        terms = np.concatenate(term_index)
        tf = sparse.coo_matrix((np.ones(len(docs), dtype=np.float32), (docs, terms)), shape=(n_docs, n_terms)).tocsc()
        tf.sum_duplicates()
        df = np.diff(tf.indptr).astype(np.float64)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        avg_length = max(lengths.mean(), 1.0)
        norm = K1 * (1 - B + B * lengths / avg_length)
        rows = tf.indices
        tf_values = tf.data.astype(np.float64)
        term_of_entry = np.repeat(np.arange(n_terms), np.diff(tf.indptr))
        tf.data = (idf[term_of_entry] * tf_values * (K1 + 1) / (tf_values + norm[rows])).astype(np.float32)
        return tf

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def correct(self, word: str) -> str | None:
        """The indexed term one edit away from an unknown word ("arival" -> "arrival"), the most frequent one; None
        when the word is known, short, a code, or has no such neighbour. SymSpell's idea: compare deletions."""
        if len(word) < MIN_CORRECTED or word in self.vocabulary or not word.isalpha():
            return None
        if self._deletions is None:
            frequency = np.diff(self.matrix.indptr) if self.matrix.shape[1] else np.zeros(0)
            deletions: dict[str, tuple[int, str]] = {}
            for term, column in self.vocabulary.items():
                if len(term) < MIN_CORRECTED - 1 or not term.isalpha():
                    continue
                count = int(frequency[column]) if len(frequency) else 0
                for variant in {term, *_deletes(term)}:
                    if variant not in deletions or deletions[variant][0] < count:
                        deletions[variant] = (count, term)
            self._deletions = deletions
        best: tuple[int, str] | None = None
        for variant in {word, *_deletes(word)}:
            found = self._deletions.get(variant)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best[1] if best else None

    def language_of(self, chunk_id: int) -> str | None:
        row = self.row_of.get(chunk_id)
        return None if row is None else self.language_names[self.language_codes[row]]

    def mask(self, *, collections: Sequence[str] | None, language: str | None) -> np.ndarray | None:
        """Rows allowed by the filters (None: all rows)."""
        if collections is None and language is None:
            return None
        allowed = np.ones(len(self.chunk_ids), dtype=bool)
        if collections is not None:
            codes = [self.collection_names.index(c) for c in collections if c in self.collection_names]
            allowed &= np.isin(self.collection_codes, codes)
        if language is not None:
            if language not in self.language_names:
                return np.zeros(len(self.chunk_ids), dtype=bool)
            allowed &= self.language_codes == self.language_names.index(language)
        return allowed

    def search(
        self, query: str, *, n_results: int, mask: np.ndarray | None = None, expand_query: bool = True
    ) -> list[LexicalMatch]:
        terms = tokenize(query)
        weights = glossary.expand(terms) if expand_query else dict.fromkeys(terms, 1.0)
        known = [(self.vocabulary[t], w) for t, w in weights.items() if t in self.vocabulary]
        if not known or not len(self.chunk_ids):
            return []
        columns = np.fromiter((c for c, _ in known), dtype=np.int64, count=len(known))
        column_weights = np.fromiter((w for _, w in known), dtype=np.float32, count=len(known))
        scores = np.asarray(self.matrix[:, columns] @ column_weights).ravel()
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > n_results:
            top = np.argpartition(scores[candidates], -n_results)[-n_results:]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        names = self.collection_names
        return [
            LexicalMatch(
                chunk_id=int(self.chunk_ids[i]), score=float(scores[i]), collection=names[self.collection_codes[i]]
            )
            for i in order
        ]
