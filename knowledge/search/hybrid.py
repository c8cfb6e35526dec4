"""Hybrid ranking: Chroma nearest neighbours + BM25, fused by reciprocal rank, times the collection's score boost.

The lexical index and the collection boosts live in a per-process snapshot tied to `CorpusState.version`: a search
costs one tiny query to read the version, and the snapshot is rebuilt only after ingest/retire changed it.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.models import Chunk, Collection, CorpusState, Document
from knowledge.search import index
from knowledge.search.embedding import english, searchable_text
from knowledge.search.lexical import LexicalIndex, LexicalRow
from nuzantara.versioned import VersionedCache

logger = logging.getLogger(__name__)

RRF_K = 60
PREFERRED_BOOST = 1.1  # the router's collections; chosen on bench/data/retrieval/tune.jsonl (1.1 > 1.25 > 1.5)
# The bundled embedder (all-MiniLM-L6-v2) is English-only: for Indonesian and Italian queries its neighbours are
# mostly "texts in the same language", so the lexical ranking gets more say there.
VECTOR_WEIGHT = {"en": 1.0, "id": 0.5, "it": 0.5}
MIN_KEYWORD_EVIDENCE = 2  # words a dictionary translates before a question without function words is taken as its


@dataclass(frozen=True)
class Ranked:
    chunk_id: int
    collection: str
    score: float
    vector_score: float | None
    lexical_score: float | None
    vector_unavailable: bool = False  # Chroma could not answer: ranked by the lexical half alone


class RankedList(list):
    """Ranked chunks, best first, and whether the vector half could not answer."""

    def __init__(self, ranked: list[Ranked], *, vector_unavailable: bool) -> None:
        super().__init__(ranked)
        self.vector_unavailable = vector_unavailable


@dataclass(frozen=True)
class CorpusSnapshot:
    version: str
    lexical: LexicalIndex
    boosts: dict[str, float]  # every collection slug, in display order, with its score boost


_snapshots: VersionedCache[CorpusSnapshot] = VersionedCache(
    version=lambda: CorpusState.current(), build=lambda version: build_snapshot(version)
)


def lexical_text(text: str, language: str, gloss: str | None = None) -> str:
    """An Indonesian or Italian text with its English gloss after it (`gloss` when already made, e.g. stored at
    ingest; None or "" glosses it now): English questions find it by either."""
    if language not in ("id", "it"):
        return text
    return f"{text}\n{gloss or english(text, language)}"


def query_language(query: str) -> str:
    """The language of a short question: the function-word guesser the chat uses, and for a keyword question with no
    function word ("scegliere codici KBLI passo passo") the dictionary that translates more of its words."""
    from knowledge.search.lexicon import ENGLISH_COMMON, translate_word, words
    from nuzantara.language import detect_language as detect_question_language

    guessed = detect_question_language(query)
    if guessed != "en" or detect_question_language(query, default=""):  # "": not one function word of any language
        return guessed
    known = {"id": 0, "it": 0}
    for word in words(query):
        if word in ENGLISH_COMMON or not word.isalpha():
            continue
        for language in known:
            english = translate_word(word, language)
            known[language] += english is not None and english != (word,)
    best = max(known, key=lambda language: known[language])
    return best if known[best] >= MIN_KEYWORD_EVIDENCE and known[best] > known[min(known, key=known.get)] else "en"


def build_snapshot(version: str) -> CorpusSnapshot:
    started = time.perf_counter()
    rows = (
        LexicalRow(
            chunk_id=chunk_id,
            collection=slug,
            language=language,
            text=lexical_text(searchable_text(title=title, heading_path=heading_path, text=text), language, gloss),
        )
        for chunk_id, slug, language, title, heading_path, text, gloss in Chunk.objects.filter(
            document__status=Document.Status.ACTIVE
        )
        .order_by()
        .values_list(
            "id", "document__collection__slug", "document__language", "document__title", "heading_path", "text", "gloss"
        )
        .iterator(chunk_size=5000)
    )
    lexical = LexicalIndex(rows)
    boosts = dict(Collection.objects.values_list("slug", "score_boost"))
    logger.info(
        "knowledge lexical index built",
        extra={
            "chunks": len(lexical),
            "terms": len(lexical.vocabulary),
            "ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return CorpusSnapshot(version=version, lexical=lexical, boosts=boosts)


def corpus_snapshot() -> CorpusSnapshot:
    """The in-memory snapshot for the current corpus version (rebuilt only when the version changed)."""
    return _snapshots.get()


def forget_snapshot() -> None:
    _snapshots.forget()


def hybrid_rank(
    *,
    query: str,
    query_english: str,
    query_language_code: str,
    vector,
    snapshot: CorpusSnapshot,
    slugs: Sequence[str],
    language: str | None,
    depth: int,
    prefer: Sequence[str] = (),
) -> RankedList:
    """Fuse the vector and lexical rankings of the allowed chunks; best first. Chunks of `prefer` collections (the
    router's guess) get PREFERRED_BOOST: a guess that ranks, not a filter that hides the rest. `query_english` is the
    query's English gloss (the query itself when English) and `query_language_code` its language, both computed once
    by the caller, who embedded the gloss."""
    # Chroma is asked without a metadata filter (filtered queries are ~10x slower) and we drop other languages here,
    # so ask for more when a language filter will throw some away.
    n_vectors = depth * 3 if language else depth
    try:
        vector_matches = index.query(slugs=slugs, vector=vector, n_results=n_vectors, corpus_version=snapshot.version)
        vector_unavailable = False
    except index.IndexUnavailable as exc:  # Chroma down: the lexical half still answers, and says so
        logger.warning("vector search unavailable: lexical results only", extra={"error": type(exc).__name__})
        vector_matches, vector_unavailable = [], True
    if language:
        language_of = snapshot.lexical.language_of
        vector_matches = [m for m in vector_matches if language_of(m.chunk_id) == language]
    vector_matches = vector_matches[:depth]
    all_slugs = len(slugs) == len(snapshot.boosts)
    mask = snapshot.lexical.mask(collections=None if all_slugs else slugs, language=language)
    lexical_query = lexical_text(query, query_language_code, gloss=query_english)
    lexical_matches = snapshot.lexical.search(lexical_query, n_results=depth, mask=mask)

    vector_weight = VECTOR_WEIGHT.get(query_language_code, 1.0)
    fused: dict[int, list] = {}  # chunk_id -> [collection, rrf, vector score, lexical score]
    for rank, match in enumerate(vector_matches, start=1):
        entry = fused.setdefault(match.chunk_id, [match.collection, 0.0, None, None])
        entry[1] += vector_weight / (RRF_K + rank)
        entry[2] = match.similarity
    for rank, match in enumerate(lexical_matches, start=1):
        entry = fused.setdefault(match.chunk_id, [match.collection, 0.0, None, None])
        entry[1] += 1.0 / (RRF_K + rank)
        entry[3] = match.score
    ranked = [
        Ranked(
            chunk_id=chunk_id,
            collection=slug,
            score=rrf * snapshot.boosts.get(slug, 1.0) * (PREFERRED_BOOST if slug in prefer else 1.0),
            vector_score=vector_score,
            lexical_score=lexical_score,
            vector_unavailable=vector_unavailable,
        )
        for chunk_id, (slug, rrf, vector_score, lexical_score) in fused.items()
    ]
    ranked.sort(key=lambda r: r.score, reverse=True)
    return RankedList(ranked, vector_unavailable=vector_unavailable)
