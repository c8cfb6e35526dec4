"""Adapters from the pipeline to the apps below it (golden answers, router, memory, knowledge).

Each returns plain data and its time in ms. The pipeline never reaches into another app except through here.
"""

import logging
import re
import time
from dataclasses import dataclass, field, replace

from .prompt import SourceChunk

logger = logging.getLogger(__name__)
# Messages may be up to 4,000 characters; the router and the search read at most this much of them.
QUERY_CHARS = 2000


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@dataclass(frozen=True)
class GoldenHit:
    golden_answer_id: int
    answer: str
    similarity: float
    sources: list[SourceChunk] = field(default_factory=list)


@dataclass(frozen=True)
class Golden:
    hit: GoldenHit | None
    near: tuple = ()  # knowledge.golden.selectors.NearAnswer: on a miss, close answers no guard refused


def golden_lookup(query: str, conversation_id: int | None = None) -> tuple[Golden, float]:
    started = time.perf_counter()
    from knowledge.golden.selectors import golden_answer_lookup

    # The log row keeps the conversation's id, so deleting the conversation erases the question there too.
    result = golden_answer_lookup(query=query, conversation_id=conversation_id)
    if not result.hit:
        return Golden(None, result.near), _ms(started)
    cited = [
        SourceChunk(
            n=i,
            chunk_id=src.get("chunk_id") or 0,
            document_id=src["document_id"],
            title=src["title"],
            source=src.get("source", ""),
            text="",
            score=1.0,
        )
        for i, src in enumerate(result.sources, start=1)
    ]
    hit = GoldenHit(
        golden_answer_id=result.golden_answer_id, answer=result.answer, similarity=result.similarity, sources=cited
    )
    return Golden(hit), _ms(started)


CURATED_SOURCES = 2
CURATED_SOURCE = "Bali Zero curated answer"


def curated_sources(near: tuple, chunks: list[SourceChunk]) -> list[SourceChunk]:
    """The retrieved chunks, after the close curated answers that retrieval agrees with (one of the answer's source
    documents was retrieved), renumbered from 1. A curated answer a guard refused never gets here (it is not near)."""
    retrieved = {chunk.document_id for chunk in chunks}
    agreed = [answer for answer in near if answer.document_ids & retrieved][:CURATED_SOURCES]
    if not agreed:
        return chunks
    curated = [
        SourceChunk(
            n=0,
            chunk_id=0,
            document_id=0,
            title=answer.question,
            source=CURATED_SOURCE,
            text=answer.answer,
            score=answer.similarity,
            collection="golden",
            golden_answer_id=answer.golden_answer_id,
        )
        for answer in agreed
    ]
    return [replace(chunk, n=i) for i, chunk in enumerate([*curated, *chunks], start=1)]


@dataclass(frozen=True)
class Route:
    tool: str
    handler: str  # knowledge | memory | smalltalk | handoff
    collections: tuple[str, ...]
    confidence: float | None
    abstained: bool


def route(query: str) -> tuple[Route, float]:
    started = time.perf_counter()
    from routing.registry import TOOLS
    from routing.services import route_query

    prediction = route_query(query=query[:QUERY_CHARS])
    tool = TOOLS.get(prediction.tool)
    if prediction.abstained or tool is None:
        # Unsure: search every collection rather than guess a handler.
        decision = Route(
            tool=prediction.tool, handler="knowledge", collections=(), confidence=prediction.confidence, abstained=True
        )
    else:
        decision = Route(
            tool=tool.label,
            handler=tool.handler,
            collections=tuple(tool.collections),
            confidence=prediction.confidence,
            abstained=False,
        )
    return decision, _ms(started)


def retrieve(query: str, collections: tuple[str, ...], k: int = 5) -> tuple[list[SourceChunk], float]:
    started = time.perf_counter()
    from knowledge.selectors import knowledge_search

    # The router's collections rank first but do not hide the others: a cost question about a PT PMA is routed to
    # `company` yet answered by the price list in `bali_zero_pricing`.
    hits = knowledge_search(query=query[:QUERY_CHARS], prefer=list(collections), k=k)
    chunks = [
        SourceChunk(
            n=i,
            chunk_id=hit.chunk_id,
            document_id=hit.document_id,
            title=hit.title,
            source=hit.source,
            text=hit.text,
            score=hit.score,
            collection=hit.collection,
            last_reviewed=hit.last_reviewed.isoformat() if hit.last_reviewed else "",
            stale=hit.stale,
            language=hit.language,
            lexical_only=hits.vector_unavailable,
            page=hit.page,
            heading=hit.heading_path,
        )
        for i, hit in enumerate(hits, start=1)
    ]
    return chunks, _ms(started)


ATTACHMENT_SOURCE = "Your attachment"


def retrieve_attachments(query: str, conversation_id: int) -> tuple[list[SourceChunk], float]:
    """The closest chunks of the files attached to this conversation (none of any other conversation)."""
    started = time.perf_counter()
    from ..selectors import attachment_search

    hits = attachment_search(conversation_id=conversation_id, query=query[:QUERY_CHARS])
    chunks = [
        SourceChunk(
            n=i,
            chunk_id=hit.chunk_id,
            document_id=0,
            title=hit.name,
            source=ATTACHMENT_SOURCE,
            text=hit.text,
            score=hit.score,
            language=hit.language,
            page=hit.page,
            attachment_id=hit.attachment_id,
            heading=hit.heading_path,
        )
        for i, hit in enumerate(hits, start=1)
    ]
    return chunks, _ms(started)


def with_attachments(attached: list[SourceChunk], chunks: list[SourceChunk]) -> list[SourceChunk]:
    """The conversation's attachment chunks first (the user attached them to be asked about), then the knowledge
    base's, renumbered from 1."""
    if not attached:
        return chunks
    return [replace(chunk, n=i) for i, chunk in enumerate([*attached, *chunks], start=1)]


@dataclass(frozen=True)
class Recalled:
    block: str  # the notes for the system prompt
    answering: list[str] = field(default_factory=list)  # texts of notes that answer a question about the user


_FIRST_PERSON = re.compile(
    r"\b(?:my|mine|i|i'm|me|saya|aku|sy|gue|gw|ku|mio|mia|miei|mie|io|ho|sono)\b|\w+ku\b", re.IGNORECASE
)
_ASKING = re.compile(
    r"\?\s*$|^\s*(?:when|what|which|where|who|how|do|does|is|am|apa|apakah|kapan|berapa|siapa|dimana|di mana|"
    r"bagaimana|quando|qual[ei]?|cosa|chi|dove|come|quanto)\b",
    re.IGNORECASE,
)


def recall_memory(user, query: str, budget_tokens: int) -> tuple[Recalled, float]:
    """The notes about the user for the prompt, and those that answer the question when it is about the user's own
    situation ("when does my KITAS expire?", "kapan KITAS saya habis?"): they share a key concept or a specific word."""
    started = time.perf_counter()
    from memory.selectors import memory_prompt_block, memory_recall

    facts = memory_recall(user=user, query=query[:QUERY_CHARS], budget_tokens=budget_tokens)
    answering: list[str] = []
    if facts and _ASKING.search(query) and _FIRST_PERSON.search(query):
        from knowledge.golden.matching.coverage import analyze

        asked = analyze(query[:QUERY_CHARS])
        specific = {word for word, weight in asked.weights if weight >= 1.0}
        scored = []
        for fact in facts:
            told = analyze(fact.text, "en")
            score = len(asked.keys & told.keys) + len(specific & told.words)
            if score:
                scored.append((score, " ".join(fact.text.split())))
        best = max((score for score, _ in scored), default=0)
        answering = [
            text for score, text in scored if score == best
        ]  # "KITAS expires in March 2027", not "Visa: KITAS"
    return Recalled(memory_prompt_block(facts=facts), answering), _ms(started)


def conversation_summary(conversation_id: int) -> str:
    from memory.selectors import conversation_summary_get

    summary = conversation_summary_get(conversation_id=conversation_id)
    return summary.text if summary else ""


def memory_command(user, text: str, language: str, source_message_id: int) -> str:
    from memory.services import memory_command_answer

    return memory_command_answer(user=user, text=text, language=language, source_message_id=source_message_id)


def enqueue_memory_extraction(*, user_message_id: int, answer_message_id: int) -> None:
    """Ids only: the task loads the texts, so none of them is carried by the broker or logged by the task trace."""
    from ..tasks import exchange_memory_extract

    exchange_memory_extract.delay(user_message_id, answer_message_id)
