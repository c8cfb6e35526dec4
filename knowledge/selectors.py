"""Reads of the knowledge base: hybrid search and collection statistics. No side effects."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Q

from knowledge.ingest.chunking import LOCATING_WORDS, PAGE_BREAK, page_of, passage_span
from knowledge.models import Chunk, Collection, Document, is_stale
from knowledge.search.embedding import english
from knowledge.search.hybrid import corpus_snapshot, hybrid_rank, query_language

MAX_QUERY_CHARS = 2000
MAX_K = 50
LANGUAGES = ("en", "id", "it")
MAX_CHUNKS_PER_DOCUMENT = 2


class InvalidQuery(ValueError):
    """A search request that cannot be answered; str(exc) is a message for the caller (HTTP 400, exit code 2)."""


@dataclass(frozen=True)
class SearchHit:
    chunk_id: int
    document_id: int
    title: str
    source: str
    source_url: str
    collection: str
    language: str
    last_reviewed: datetime.date | None
    stale: bool
    text: str
    heading_path: str
    score: float
    vector_score: float | None
    lexical_score: float | None
    vector_unavailable: bool = False  # the vector index could not answer: found by the lexical half alone
    page: int | None = None  # the PDF page the chunk starts on


class SearchHits(list):
    """The hits, best first, and whether the vector half could not answer (Chroma down: lexical results only)."""

    def __init__(self, hits: list[SearchHit], *, vector_unavailable: bool = False) -> None:
        super().__init__(hits)
        self.vector_unavailable = vector_unavailable


def collection_slugs() -> list[str]:
    """All collection slugs in display order."""
    return list(Collection.objects.values_list("slug", flat=True))


def _clean_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise InvalidQuery("The query is empty.")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"The query is too long ({len(query)} characters; the limit is {MAX_QUERY_CHARS}).")
    return query


def knowledge_search(
    *,
    query: str,
    collections: list[str] | None = None,
    language: str | None = None,
    k: int = 5,
    prefer: list[str] | None = None,
) -> SearchHits:
    """The k best chunks for a query, fusing vector and BM25 rankings; filters by collections and language. When
    Chroma cannot answer, the BM25 ranking alone, marked `vector_unavailable`.

    Raises InvalidQuery for an empty or over-long query, an unknown collection or language, or k out of 1..50.
    """
    from nuzantara.embeddings import get_embedder

    query = _clean_query(query)
    if not 1 <= int(k) <= MAX_K:
        raise InvalidQuery(f"k must be between 1 and {MAX_K}.")
    if language is not None and language not in LANGUAGES:
        raise InvalidQuery(f"Unknown language {language!r}; use one of {', '.join(LANGUAGES)}.")
    snapshot = corpus_snapshot()
    if collections:
        unknown = [slug for slug in collections if slug not in snapshot.boosts]
        if unknown:
            raise InvalidQuery(f"Unknown collection: {', '.join(unknown)}.")
        slugs = list(dict.fromkeys(collections))
    else:
        slugs = list(snapshot.boosts)
    # The embedder reads English: an Indonesian or Italian question is embedded by its gloss (search/embedding.py).
    language_of_query = query_language(query)
    query = spelling_corrected(query, language_of_query, snapshot.lexical)
    query_english = english(query, language_of_query, question=True)
    vector = get_embedder().encode_one(query_english)
    ranked = hybrid_rank(
        query=query,
        query_english=query_english,
        query_language_code=language_of_query,
        vector=vector,
        snapshot=snapshot,
        slugs=slugs,
        language=language,
        depth=max(20, 4 * k),
        prefer=[slug for slug in prefer or () if slug in snapshot.boosts],
    )
    return SearchHits(_hydrate(ranked, k), vector_unavailable=ranked.vector_unavailable)


def spelling_corrected(query: str, language: str, lexical) -> str:  # noqa: ANN001
    """The query with each unknown word of five letters or more replaced by the indexed term one edit away
    ("visa on arival cost" -> "visa on arrival cost"); words a dictionary translates are left alone."""
    from knowledge.search.lexicon import fold, translate_word

    def fix(match: re.Match) -> str:
        word = match.group(0)
        folded = fold(word)
        if language in ("id", "it") and translate_word(folded, language) is not None:
            return word
        return lexical.correct(folded) or word

    return _WORD.sub(fix, query)


_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)


def _hydrate(ranked: list, k: int) -> list[SearchHit]:
    # Ask for extra: an index entry whose chunk was replaced meanwhile is skipped, and so are a document's chunks
    # beyond MAX_CHUNKS_PER_DOCUMENT, so that k results cite more than one or two sources.
    # The status is checked here, not in SQL: a filter on it let Postgres hash-join every active document (26 ms at
    # 14k documents when the planner's statistics were stale) instead of looking up the few wanted rows (1 ms).
    wanted = ranked[: k * 3 + 10]
    chunks = Chunk.objects.filter(pk__in=[r.chunk_id for r in wanted])
    chunks = chunks.select_related("document__collection").only(
        "id",
        "text",
        "heading_path",
        "page",
        "document__id",
        "document__status",
        "document__title",
        "document__source",
        "document__source_url",
        "document__language",
        "document__last_reviewed",
        "document__collection__slug",
    )
    by_id = {chunk.pk: chunk for chunk in chunks if chunk.document.status == Document.Status.ACTIVE}
    hits: list[SearchHit] = []
    per_document: dict[int, int] = {}
    for ranked_chunk in wanted:
        chunk = by_id.get(ranked_chunk.chunk_id)
        if chunk is None or per_document.get(chunk.document_id, 0) >= MAX_CHUNKS_PER_DOCUMENT:
            continue
        per_document[chunk.document_id] = per_document.get(chunk.document_id, 0) + 1
        document = chunk.document
        hits.append(
            SearchHit(
                chunk_id=chunk.pk,
                document_id=document.pk,
                title=document.title,
                source=document.source,
                source_url=document.source_url,
                collection=document.collection.slug,
                language=document.language,
                last_reviewed=document.last_reviewed,
                stale=is_stale(document.last_reviewed),
                text=chunk.text,
                heading_path=chunk.heading_path,
                score=ranked_chunk.score,
                vector_score=ranked_chunk.vector_score,
                lexical_score=ranked_chunk.lexical_score,
                vector_unavailable=ranked_chunk.vector_unavailable,
                page=chunk.page,
            )
        )
        if len(hits) == k:
            break
    return hits


@dataclass(frozen=True)
class CollectionStats:
    slug: str
    name: str
    documents: int
    chunks: int


def collection_stats() -> list[CollectionStats]:
    """Active documents and their chunks per collection, in display order."""
    active = Q(documents__status=Document.Status.ACTIVE)
    documents = dict(Collection.objects.annotate(n=Count("documents", filter=active)).values_list("slug", "n"))
    chunks = dict(Collection.objects.annotate(n=Count("documents__chunks", filter=active)).values_list("slug", "n"))
    return [
        CollectionStats(slug=slug, name=name, documents=documents[slug], chunks=chunks[slug])
        for slug, name in Collection.objects.values_list("slug", "name")
    ]


@dataclass(frozen=True)
class PagePassage:
    """A cited passage on its page: the page's text before it, the passage (cut at the page's end), the text after."""

    page: int
    before: str
    passage: str
    after: str


def passage_on_page(*, text: str, passage: str) -> PagePassage | None:
    """Where a chunk's passage sits in its PDF's text (pages kept apart by form feeds), for the source page; None
    when the passage is not in the text (the document changed since)."""
    span = passage_span(text, passage)
    if span is None:  # a removed heading line inside the chunk: from its first words to its last ones
        words = passage.split()
        first = passage_span(text, " ".join(words[:LOCATING_WORDS]))
        last = first and passage_span(text, " ".join(words[-LOCATING_WORDS:]), first[0])
        if not first:
            return None
        span = (first[0], last[1] if last else first[1])
    breaks = [match.start() for match in re.finditer(PAGE_BREAK, text)]
    page = page_of(text, span[0], breaks)
    page_start = breaks[page - 2] + 1 if page > 1 else 0
    page_end = breaks[page - 1] if page - 1 < len(breaks) else len(text)
    end = min(span[1], page_end)
    return PagePassage(
        page=page,
        before=text[page_start : span[0]].lstrip("\n"),
        passage=text[span[0] : end],
        after=text[end:page_end].rstrip("\n"),
    )
