"""The in-memory matcher: approved questions and variants as one normalized float32 matrix, plus an exact-match dict.

Each process keeps one `Snapshot`, labelled with the GoldenIndexState version it was built from. Every lookup reads the
current version (one primary-key SELECT) and rebuilds when it differs, so an approval in the admin reaches every web and
worker process on their next lookup. Vectors are stored on the rows, so a rebuild embeds only rows that have none yet.
"""

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch
from django.utils import timezone

from nuzantara.versioned import VersionedCache

from ..models import GoldenAnswer, GoldenAnswerVariant, GoldenIndexState, vector_from_bytes, vector_to_bytes
from .coverage import AnswerTerms, CoverageModel, analyze
from .encoder import get_encoder
from .text import EMPTY_FIGURES, Bound, extract_figures, has_negation, stated_bounds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServedAnswer:
    id: int
    question: str
    answer: str
    language: str
    valid_until: datetime.date | None
    sources: tuple[tuple[int, str, str, int | None], ...]  # (document_id, title, source, chunk_id)
    codes: frozenset[str]  # mentioned by the question or a variant
    numbers: frozenset[str]  # mentioned by the question or a variant (not the answer: it also cites other figures)
    bounds: tuple[Bound, ...] = ()  # the age limits, ranges of time and daily rates its text states

    def source_dicts(self) -> list[dict]:
        return [
            {"document_id": doc_id, "title": title, "source": source, "chunk_id": chunk_id}
            for doc_id, title, source, chunk_id in self.sources
        ]

    def servable(self, today: datetime.date) -> bool:
        return self.valid_until is None or self.valid_until >= today


@dataclass(frozen=True)
class Candidate:
    answer: ServedAnswer
    similarity: float  # what the threshold applies to: the cosine of the closest phrasing (1.0 for an exact match)
    matched_text: str
    matched_negated: bool
    cosine: float = 1.0
    position: int = -1  # the answer's index in the snapshot (its terms)


@dataclass
class Snapshot:
    version: str
    answers: list[ServedAnswer] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))  # first row of each answer
    row_text: list[str] = field(default_factory=list)
    row_negated: list[bool] = field(default_factory=list)
    exact: dict[str, tuple[int, int]] = field(default_factory=dict)  # normalized text -> (answer index, row index)
    terms: list[AnswerTerms] = field(default_factory=list)  # per answer: its concepts and vocabulary (the guards)
    coverage: CoverageModel | None = None
    build_ms: float = 0.0

    def exact_match(self, normalized: str) -> Candidate | None:
        found = self.exact.get(normalized)
        if found is None:
            return None
        answer_index, row = found
        answer = self.answers[answer_index]
        return Candidate(answer, 1.0, self.row_text[row], self.row_negated[row], position=answer_index)

    def nearest(self, vector: np.ndarray, *, k: int = 5) -> list[Candidate]:
        """The k golden answers whose closest phrasing is nearest to the query vector (an English gloss), best first."""
        if not self.answers:
            return []
        similarities = self.matrix @ vector
        best = np.maximum.reduceat(similarities, self.starts)
        shortlist = np.argsort(-best, kind="stable")[:k]
        ends = [*self.starts[1:], len(similarities)]
        candidates = []
        for index in shortlist:
            start, end = int(self.starts[index]), int(ends[index])
            row = start + int(np.argmax(similarities[start:end]))
            cosine = min(0.999, float(best[index]))  # 1.0 is kept for exact matches
            answer = self.answers[index]
            candidates.append(
                Candidate(answer, cosine, self.row_text[row], self.row_negated[row], cosine, position=int(index))
            )
        return candidates


def _source_rows(answer_ids: list[int]) -> dict[int, list[tuple[int, str, str, int | None]]]:
    from knowledge.models import Chunk

    through = GoldenAnswer.source_documents.through
    links = list(
        through.objects.filter(goldenanswer_id__in=answer_ids)
        .order_by("goldenanswer_id", "document_id")
        .values_list("goldenanswer_id", "document_id", "document__title", "document__source")
    )
    document_ids = {link[1] for link in links}
    first_chunk = dict(Chunk.objects.filter(document_id__in=document_ids, ordinal=0).values_list("document_id", "pk"))
    by_answer: dict[int, list[tuple[int, str, str, int | None]]] = defaultdict(list)
    for answer_id, document_id, title, source in links:
        by_answer[answer_id].append((document_id, title, source or "", first_chunk.get(document_id)))
    return by_answer


def embeddings_fill(rows: list[GoldenAnswer | GoldenAnswerVariant]) -> int:
    """Embed the rows that have no vector for the current model and store it; returns how many were embedded."""
    encoder = get_encoder()
    missing = [
        row
        for row in rows
        if row.embedding_model != encoder.name or vector_from_bytes(row.embedding, encoder.dim) is None
    ]
    if not missing:
        return 0
    vectors = encoder.encode([row.question for row in missing])
    for row, vector in zip(missing, vectors, strict=True):
        row.embedding, row.embedding_model = vector_to_bytes(vector), encoder.name
        # .update(), not .save(): storing a cached vector is not a change to golden answers (no version bump)
        type(row).objects.filter(pk=row.pk).update(embedding=row.embedding, embedding_model=encoder.name)
    return len(missing)


def build_snapshot(version: str) -> Snapshot:
    started = time.perf_counter()
    encoder = get_encoder()
    answers = list(
        GoldenAnswer.objects.filter(status=GoldenAnswer.Status.APPROVED)
        .order_by("pk")
        .prefetch_related(Prefetch("variants", queryset=GoldenAnswerVariant.objects.order_by("pk")))
    )
    variants = [variant for answer in answers for variant in answer.variants.all()]
    embeddings_fill([*answers, *variants])
    sources = _source_rows([answer.pk for answer in answers])

    snapshot = Snapshot(version=version)
    vectors: list[np.ndarray] = []
    starts: list[int] = []
    for answer in answers:
        phrasings = [answer, *answer.variants.all()]
        figures = EMPTY_FIGURES
        for phrasing in phrasings:
            figures = figures | extract_figures(phrasing.question)
        index = len(snapshot.answers)
        snapshot.answers.append(
            ServedAnswer(
                id=answer.pk,
                question=answer.question,
                answer=answer.answer,
                language=answer.language,
                valid_until=answer.valid_until,
                sources=tuple(sources.get(answer.pk, ())),
                codes=figures.codes,
                numbers=figures.numbers,
                bounds=stated_bounds(answer.answer),
            )
        )
        starts.append(len(vectors))
        analyses = [analyze(phrasing.question) for phrasing in phrasings]
        for phrasing, analysis in zip(phrasings, analyses, strict=True):
            row = len(vectors)
            if analysis.language == "en":
                vectors.append(vector_from_bytes(phrasing.embedding, encoder.dim))
            else:  # compared in English, like the queries: Indonesian and Italian phrasings by their gloss
                vectors.append(encoder.encode_one(analysis.gloss))
            snapshot.row_text.append(phrasing.question)
            snapshot.row_negated.append(has_negation(phrasing.question))
            snapshot.exact.setdefault(phrasing.question_normalized, (index, row))
        snapshot.terms.append(AnswerTerms.of(analyses, analyze(answer.answer, answer.language or None)))
    snapshot.coverage = CoverageModel(snapshot.terms)
    snapshot.matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, encoder.dim), np.float32)
    snapshot.starts = np.asarray(starts, dtype=np.intp)
    snapshot.build_ms = round((time.perf_counter() - started) * 1000, 1)
    logger.info(
        "golden matrix built",
        extra={"answers": len(answers), "rows": len(vectors), "ms": snapshot.build_ms, "encoder": encoder.kind},
    )
    return snapshot


_snapshots: VersionedCache[Snapshot] = VersionedCache(
    version=lambda: GoldenIndexState.current(), build=lambda version: build_snapshot(version)
)


def current_snapshot() -> Snapshot:
    """This process's matrix, rebuilt first if golden answers changed anywhere since it was built."""
    return _snapshots.get()


def forget_snapshot() -> None:
    _snapshots.forget()


def today() -> datetime.date:
    return timezone.localdate()
