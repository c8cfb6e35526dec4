"""The nightly run: missed questions of the last GOLDEN_DRAFT_WINDOW_DAYS (7) -> clusters -> uncovered -> context -> draft -> review queue.

Questions come from the GoldenLookup log, not from chat (golden must not import chat): every chat question goes through
golden_answer_lookup(log=True), so the misses of the window are exactly the user questions no golden answer served.
Drafts are saved with status `draft` and never approved here.
"""

import datetime
import logging
import time
from collections import Counter

import numpy as np
from django.conf import settings
from django.utils import timezone

from nuzantara.language import detect_language
from nuzantara.llm import LLMUnavailable

from ..matching.encoder import get_encoder
from ..matching.guards import QueryFeatures, refusal
from ..matching.index import embeddings_fill
from ..matching.text import EMPTY_FIGURES, extract_figures, has_negation
from ..models import GoldenAnswer, NightlyRun, vector_from_bytes
from ..selectors import golden_missed_questions
from .clustering import QuestionCluster, cluster_questions
from .writer import NO_ANSWER, ContextChunk, build_messages, cited_numbers, complete, provider_available

logger = logging.getLogger(__name__)

MAX_CLUSTERS = 50
MAX_QUESTIONS = 5000  # distinct questions embedded per run, most asked first
COVERED_SIMILARITY = 0.8  # a cluster this close to an existing answer (any status but retired) needs no new draft
CONTEXT_CHUNKS = 5
MAX_VARIANTS = 10
MAX_CONSECUTIVE_FAILURES = 3


class _Coverage:
    """Existing golden answers (approved, drafts, to review) to tell covered clusters from new ones."""

    def __init__(self) -> None:
        answers = list(
            GoldenAnswer.objects.exclude(status=GoldenAnswer.Status.RETIRED).prefetch_related("variants").order_by("pk")
        )
        rows = [phrasing for answer in answers for phrasing in [answer, *answer.variants.all()]]
        embeddings_fill(rows)
        encoder = get_encoder()
        self.rows = rows
        self.owner = [answer for answer in answers for _ in range(1 + len(answer.variants.all()))]
        self.figures = {}
        for answer in answers:
            figures = EMPTY_FIGURES
            for phrasing in [answer, *answer.variants.all()]:
                figures = figures | extract_figures(phrasing.question)
            self.figures[answer.pk] = figures
        vectors = [vector_from_bytes(row.embedding, encoder.dim) for row in rows]
        self.matrix = np.vstack(vectors) if vectors else np.zeros((0, encoder.dim), dtype=np.float32)

    def covered_by(self, question: str, vector: np.ndarray) -> GoldenAnswer | None:
        if not self.rows:
            return None
        similarities = self.matrix @ vector
        features = QueryFeatures.of(question)
        for row in np.argsort(-similarities)[:5]:
            if similarities[row] < COVERED_SIMILARITY:
                break
            answer, phrasing = self.owner[row], self.rows[row]
            figures = self.figures[answer.pk]
            if not refusal(
                features,
                matched_text=phrasing.question,
                matched_negated=has_negation(phrasing.question),
                codes=figures.codes,
                numbers=figures.numbers,
            ):
                return answer
        return None


def _context(question: str) -> list:
    from knowledge.selectors import knowledge_search

    return knowledge_search(query=question, k=CONTEXT_CHUNKS)


def _draft_cluster(run: NightlyRun, provider: str, cluster: QuestionCluster, questions: list[tuple[str, int]]) -> bool:
    """Draft one answer; True if a draft was saved. Raises LLMUnavailable when the model fails."""
    from ..services import GoldenAnswerError, golden_answer_create

    question = questions[cluster.representative][0]
    hits = _context(question)
    if not hits:
        run.errors.append({"question": question[:200], "error": "no context found in the knowledge base"})
        return False
    context = [
        ContextChunk(n=i, document_id=h.document_id, title=h.title, source=h.source, text=h.text)
        for i, h in enumerate(hits, start=1)
    ]
    text = complete(provider, build_messages(question, context)).strip()
    if not text or text.startswith(NO_ANSWER):
        run.errors.append({"question": question[:200], "error": "the model found no answer in the context"})
        return False
    cited = cited_numbers(text, len(context))
    chosen = [context[n - 1] for n in cited] or context
    document_ids = list(dict.fromkeys(c.document_id for c in chosen))
    collections = Counter(h.collection for h in hits if h.document_id in document_ids)
    reason = f"Drafted by {provider} for {cluster.weight} questions asked in the last {settings.GOLDEN_DRAFT_WINDOW_DAYS} days."
    if not cited:
        reason += " The draft cites no source: check it against all the context documents."
    from knowledge.models import Collection

    collection = Collection.objects.filter(slug=collections.most_common(1)[0][0]).first() if collections else None
    try:
        golden_answer_create(
            question=question[:500],
            answer=text,
            language=detect_language(question),
            collection=collection,
            source_document_ids=document_ids,
            variants=[questions[i][0][:500] for i in cluster.members if i != cluster.representative][:MAX_VARIANTS],
            status=GoldenAnswer.Status.DRAFT,
            origin=GoldenAnswer.Origin.NIGHTLY,
            nightly_run=run,
            review_reason=reason,
        )
    except GoldenAnswerError as exc:
        run.errors.append({"question": question[:200], "error": str(exc)[:300]})
        return False
    return True


def golden_drafts_nightly_run(*, now: datetime.datetime | None = None) -> NightlyRun:
    """Run the nightly drafting once and return its NightlyRun record (also when it skipped or failed)."""
    started = time.perf_counter()
    now = now or timezone.now()
    run = NightlyRun.objects.create(started_at=now)
    try:
        since = now - datetime.timedelta(days=settings.GOLDEN_DRAFT_WINDOW_DAYS)
        questions = golden_missed_questions(since=since)[:MAX_QUESTIONS]
        run.questions = len(questions)
        provider, why_not = provider_available()
        if provider is None:
            run.status, run.skipped_reason = NightlyRun.Status.SKIPPED, why_not
            return run
        run.provider = provider
        encoder = get_encoder()
        vectors = encoder.encode([text for text, _ in questions])
        clusters = cluster_questions(vectors, [count for _, count in questions])
        run.clusters = len(clusters)
        coverage = _Coverage()
        uncovered = [
            c
            for c in clusters
            if coverage.covered_by(questions[c.representative][0], vectors[c.representative]) is None
        ]
        run.uncovered_clusters = len(uncovered)
        failures = 0
        for cluster in uncovered[:MAX_CLUSTERS]:
            try:
                if _draft_cluster(run, provider, cluster, questions):
                    run.drafts_created += 1
                failures = 0
            except LLMUnavailable as exc:
                failures += 1
                run.errors.append(
                    {"question": questions[cluster.representative][0][:200], "error": f"{exc.provider}: {exc.code}"}
                )
                if failures >= MAX_CONSECUTIVE_FAILURES:
                    run.errors.append({"error": f"stopped after {failures} consecutive model failures"})
                    break
            except Exception as exc:  # one bad cluster (e.g. the search index is down) must not lose the others
                logger.exception("golden nightly draft failed", extra={"run": run.pk})
                run.errors.append(
                    {
                        "question": questions[cluster.representative][0][:200],
                        "error": f"{type(exc).__name__}: {exc}"[:300],
                    }
                )
        attempted = min(len(uncovered), MAX_CLUSTERS)
        model_failed = attempted and run.drafts_created == 0 and failures > 0
        run.status = NightlyRun.Status.FAILED if model_failed else NightlyRun.Status.SUCCEEDED
        return run
    except Exception as exc:
        run.status = NightlyRun.Status.FAILED
        run.errors.append({"error": f"{type(exc).__name__}: {exc}"[:500]})
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
        logger.info(
            "golden nightly run",
            extra={
                "run": run.pk,
                "status": run.status,
                "provider": run.provider,
                "questions": run.questions,
                "clusters": run.clusters,
                "drafts": run.drafts_created,
                "errors": len(run.errors),
                "s": round(time.perf_counter() - started, 1),
            },
        )
