"""Reads: the golden-answer lookup the chat pipeline calls before routing, the "test a query" view, hit-rate stats.

`golden_answer_lookup` writes one GoldenLookup row per call (log=True): the log is how the threshold is tuned and
where the nightly job finds the questions golden answers do not cover yet.
"""

import datetime
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .matching.coverage import COVERAGE, Analysis, analyze
from .matching.guards import QueryFeatures, Refusal, refusal
from .matching.index import Candidate, Snapshot, current_snapshot
from .matching.text import normalize_question
from .models import GoldenAnswer, GoldenLookup

MAX_QUERY_CHARS = 2000
CANDIDATES = 5


class InvalidGoldenQuery(ValueError):
    """A query the API/CLI refuses; str(exc) is the message (HTTP 400, exit code 2)."""


def golden_query_validate(query: object) -> str:
    """The stripped query, or InvalidGoldenQuery when it is empty or longer than 2,000 characters."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidGoldenQuery("The query is empty.")
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidGoldenQuery(f"The query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}.")
    return query


def golden_threshold() -> float:
    return float(settings.GOLDEN_THRESHOLD)


def min_coverage() -> float:
    return float(settings.GOLDEN_MIN_COVERAGE)


def source_threshold() -> float:
    """Below the serving threshold but at least this close, an answer no guard refuses may join the sources."""
    return min(float(settings.GOLDEN_SOURCE_THRESHOLD), golden_threshold())


@dataclass(frozen=True)
class NearAnswer:
    """A curated answer close to the question, refused by no guard, but not served: a candidate source for the answer
    (the pipeline cites it only when retrieval agrees, i.e. one of its source documents is among the retrieved)."""

    golden_answer_id: int
    question: str
    answer: str
    similarity: float
    document_ids: frozenset[int]


@dataclass(frozen=True)
class GoldenLookupResult:
    hit: bool
    golden_answer_id: int | None  # the answer served, or on a miss the nearest one (what `similarity` refers to)
    similarity: float
    refused_by: str | None  # the guard that refused the nearest answer above threshold (negation, code, key_term...)
    answer: str  # empty on a miss
    latency_ms: float
    sources: list[dict]  # [{"document_id", "title", "source", "chunk_id"}] of the served answer; empty on a miss
    near: tuple[NearAnswer, ...] = ()  # on a miss: close answers no guard refused, closest first

    def as_json(self) -> dict:
        """The documented shape of the API and `golden_lookup --json`."""
        return {
            "hit": self.hit,
            "golden_answer_id": self.golden_answer_id,
            "similarity": round(self.similarity, 4),
            "refused_by": self.refused_by,
            "answer": self.answer,
            "latency_ms": round(self.latency_ms, 2),
        }


@dataclass(frozen=True)
class CandidateReport:
    """One nearest golden answer, as the admin "test a query" box shows it."""

    golden_answer_id: int
    question: str
    matched_text: str
    similarity: float  # the score the threshold applies to (the cosine of the closest phrasing, 1.0 when exact)
    cosine: float
    coverage: float  # the IDF-weighted share of the question's content words the answer covers
    above_threshold: bool
    refused_by: str | None
    refusal_detail: str
    expired: bool
    served: bool  # the one the lookup would serve


@dataclass(frozen=True)
class _Decision:
    method: str
    hit: Candidate | None
    nearest: Candidate | None
    refusal: Refusal | None
    reports: list[CandidateReport]
    near: tuple[Candidate, ...] = ()


def _check(
    candidate: Candidate, features: QueryFeatures, analysis: Analysis, snapshot: Snapshot
) -> tuple[Refusal | None, float]:
    """The first guard that refuses this candidate (negation, code, number, key_term, action, coverage), and coverage."""
    refused = refusal(
        features,
        matched_text=candidate.matched_text,
        matched_negated=candidate.matched_negated,
        codes=candidate.answer.codes,
        numbers=candidate.answer.numbers,
        bounds=candidate.answer.bounds,
    )
    # A phrasing this close in meaning needs less lexical proof: synonyms the glossary lacks stop costing recall.
    # A question that names no key concept has only its words to say what it is about: they all count.
    close = candidate.cosine >= CLOSE_COSINE and bool(analysis.keys)
    needed = min_coverage() * (CLOSE_COVERAGE_FACTOR if close else 1.0)
    verdict = snapshot.coverage.verdict(
        analysis, snapshot.terms[candidate.position], min_coverage=needed, cosine=candidate.cosine
    )
    if refused is None and verdict.guard is not None:
        refused = Refusal(verdict.guard, verdict.detail)
    return refused, verdict.coverage


KEY_AGREEMENT_WEIGHT = 0.05
CLOSE_COSINE = 0.80  # at or above it, the coverage needed is halved (chosen on the tuning sets, bench/data/golden)
CLOSE_COVERAGE_FACTOR = 0.5
AMBIGUITY_MARGIN = 0.02  # two answers no guard refuses, this close: neither is served
AMBIGUOUS = "ambiguous"


def _rank(candidate: Candidate, analysis: Analysis, snapshot: Snapshot) -> float:
    """Cosine, plus a little for the share of key concepts the question and the answer's phrasings have in common."""
    keys = snapshot.terms[candidate.position].phrasing_keys
    union = frozenset().union(*keys)
    agreement = len(analysis.keys & union) / len(analysis.keys | union) if analysis.keys | union else 0.0
    return candidate.similarity + KEY_AGREEMENT_WEIGHT * agreement


# A phrasing in other words than the answer's (coverage below GOLDEN_MIN_COVERAGE) is still the answer's question when
# at least this share of its words is covered and the search ranks one of the answer's source documents first: two
# independent readings agree. A question about another subject in the same frame ("KBLI for a yoga studio") gets other
# documents first. Chosen on bench/data/golden tune sets (0.5, top document: +10 paraphrases of 252, 0 near-misses).
# A phrasing close in meaning (CLOSE_COSINE) needs no share of words at all: its words are often what the glossary
# cannot translate ("pungutan", "blocchi"); retrieval agreement and the other guards still apply (+5 of 252, 0 wrong).
AGREEMENT_COVERAGE = 0.5
# Below GOLDEN_THRESHOLD, by up to this much, a candidate that every guard but coverage accepts (with the same share of
# words as above) is served when retrieval agrees. Tune sets, at the default threshold 0.60: down to 0.50 +5
# paraphrases of 252 and down to 0.45 +6, both with 0 of 246 near-misses served; 0.10 keeps a margin. Relative, so that
# a stricter threshold set by an operator stays stricter.
AGREEMENT_BELOW_THRESHOLD = 0.10
# A condition ("if I live abroad for a year", "kalau tanpa sponsor", "se non sono sposato") may be what changes the
# answer: a conditional question gets no such allowance, its words must all be covered.
_CONDITION = re.compile(
    r"\b(?:if|unless|in\s+case|provided|kalau|kalo|klo|jika|jikalau|apabila|bila|seandainya|andaikan|"
    r"se|qualora|nel\s+caso|a\s+meno\s+che)\b",
    re.IGNORECASE,
)


def _top_document(query: str) -> int | None:
    """The document the knowledge search ranks first for this question, or None (no result, or a query it refuses)."""
    from knowledge.selectors import InvalidQuery, knowledge_search

    try:
        hits = knowledge_search(query=query, k=1)
    except InvalidQuery:
        return None
    return hits[0].document_id if hits else None


def _with_retrieval_agreement(
    query: str, checked: list, analysis: Analysis, snapshot: Snapshot, threshold: float
) -> list:
    """Lift the coverage refusal of candidates whose words are mostly covered when retrieval agrees, and serve
    candidates a little below the threshold on the same terms (see above).

    Not for an answer about an action the question does not name: an uncovered verb may be its opposite ("dissolve"
    a PT PMA is not "set up" one), and retrieval finds the same documents for both."""

    def acts_alike(candidate: Candidate) -> bool:
        actions = snapshot.terms[candidate.position].actions
        return not actions or bool(actions & analysis.actions)

    def agreeable(row: tuple) -> bool:
        candidate, _exact, above, expired, refused, coverage = row
        if expired or not acts_alike(candidate):
            return False
        refused_for_coverage = refused is not None and refused.guard == COVERAGE
        if above:
            return refused_for_coverage and (coverage >= AGREEMENT_COVERAGE or candidate.cosine >= CLOSE_COSINE)
        return (refused is None or (refused_for_coverage and coverage >= AGREEMENT_COVERAGE)) and (
            candidate.similarity >= threshold - AGREEMENT_BELOW_THRESHOLD
        )

    candidates = [row for row in checked if agreeable(row)]
    if not candidates or _CONDITION.search(query):
        return checked
    top = _top_document(query)
    if top is None:
        return checked
    agreed = {id(row[0]) for row in candidates if any(doc_id == top for doc_id, *_ in row[0].answer.sources)}
    return [(row[0], row[1], True, row[3], None, row[5]) if id(row[0]) in agreed else row for row in checked]


def _decide(
    query: str, *, threshold: float, near_threshold: float | None = None, k: int = CANDIDATES, explain: bool = False
) -> _Decision:
    snapshot = current_snapshot()
    today = timezone.localdate()
    exact = snapshot.exact_match(normalize_question(query))
    if exact is not None and exact.answer.servable(today) and not explain:
        return _Decision("exact", exact, exact, None, [])

    from .matching.encoder import get_encoder

    analysis = analyze(query)
    text = query if analysis.language == "en" else analysis.gloss  # compared in English (see matching/coverage.py)
    candidates = snapshot.nearest(get_encoder().encode_one(text), k=k) if snapshot.answers else []
    if exact is not None:  # explain mode: show the exact match first, like the lookup decides
        candidates = [exact, *[c for c in candidates if c.answer.id != exact.answer.id]][:k]
    features = QueryFeatures.of(query)
    checked_from = threshold if near_threshold is None else min(near_threshold, threshold)
    hit: Candidate | None = None
    first_refusal: Refusal | None = None
    reports: list[CandidateReport] = []
    checked = []
    for candidate in candidates:
        is_exact = candidate is exact
        above = is_exact or candidate.similarity >= threshold
        expired = not candidate.answer.servable(today)
        close = is_exact or candidate.similarity >= checked_from
        refused, coverage = (None, 1.0) if is_exact or not close else _check(candidate, features, analysis, snapshot)
        checked.append((candidate, is_exact, above, expired, refused, coverage))
    servable = [c for c, is_exact, above, expired, refused, _ in checked if above and not expired and refused is None]
    if not servable:
        checked = _with_retrieval_agreement(query, checked, analysis, snapshot, threshold)
        servable = [c for c, _e, above, expired, refused, _ in checked if above and not expired and refused is None]
    if exact is not None and exact in servable:
        hit = exact
    elif servable:  # of the answers no guard refuses, the closest, with a little weight on naming the same subjects
        scores = {id(c): _rank(c, analysis, snapshot) for c in servable}
        ranked = sorted(servable, key=lambda c: -scores[id(c)])
        if len(ranked) > 1 and scores[id(ranked[0])] - scores[id(ranked[1])] < AMBIGUITY_MARGIN:
            first_refusal = Refusal(
                AMBIGUOUS, f"two answers fit almost equally: #{ranked[0].answer.id}, #{ranked[1].answer.id}"
            )
        else:
            hit = ranked[0]
    for candidate, _is_exact, above, expired, refused, coverage in checked:
        served = candidate is hit
        if hit is None and above and not expired and first_refusal is None:
            first_refusal = refused
        if explain:
            reports.append(
                CandidateReport(
                    golden_answer_id=candidate.answer.id,
                    question=candidate.answer.question,
                    matched_text=candidate.matched_text,
                    similarity=candidate.similarity,
                    cosine=candidate.cosine,
                    coverage=coverage,
                    above_threshold=above,
                    refused_by=refused.guard if refused else None,
                    refusal_detail=refused.detail if refused else "",
                    expired=expired,
                    served=served,
                )
            )
    method = "exact" if hit is not None and hit is exact else ("semantic" if hit is not None else "")
    nearest = hit or (candidates[0] if candidates else None)
    near = ()
    if hit is None and near_threshold is not None:
        near = tuple(
            c
            for c, _is_exact, _above, expired, refused, _ in checked
            if not expired and refused is None and c.similarity >= checked_from
        )
    return _Decision(method, hit, nearest, None if hit else first_refusal, reports, near)


def golden_answer_lookup(*, query: str, log: bool = True, conversation_id: int | None = None) -> GoldenLookupResult:
    """Serve a golden answer for this question if one matches: exact (normalized) or semantic above GOLDEN_THRESHOLD,
    and no guard refuses it. Never raises on user text: an empty or over-long query is a miss.

    `conversation_id`: the asking chat conversation, kept on the log row so the row is erased with it."""
    started = time.perf_counter()
    threshold = golden_threshold()
    text = (query or "").strip()
    if not text or len(text) > MAX_QUERY_CHARS:
        decision = _Decision("", None, None, None, [])
    else:
        decision = _decide(text, threshold=threshold, near_threshold=source_threshold())
    latency_ms = (time.perf_counter() - started) * 1000
    hit = decision.hit
    nearest = decision.nearest
    result = GoldenLookupResult(
        hit=hit is not None,
        golden_answer_id=nearest.answer.id if nearest else None,
        similarity=nearest.similarity if nearest else 0.0,
        refused_by=decision.refusal.guard if decision.refusal else None,
        answer=hit.answer.answer if hit else "",
        latency_ms=latency_ms,
        sources=hit.answer.source_dicts() if hit else [],
        near=tuple(
            NearAnswer(
                golden_answer_id=c.answer.id,
                question=c.answer.question,
                answer=c.answer.answer,
                similarity=c.similarity,
                document_ids=frozenset(doc_id for doc_id, *_ in c.answer.sources),
            )
            for c in decision.near
        ),
    )
    if log and text and len(text) <= MAX_QUERY_CHARS:
        from .services import golden_lookup_record

        golden_lookup_record(
            query=text,
            result=result,
            cosine=nearest.cosine if nearest else None,
            coverage=None,
            method=decision.method,
            refusal_detail=decision.refusal.detail if decision.refusal else "",
            threshold=threshold,
            conversation_id=conversation_id,
        )
    return result


def golden_answer_explain(*, query: str, k: int = 8) -> list[CandidateReport]:
    """The k nearest golden answers with their similarity and the guard (if any) that refuses each. Not logged."""
    text = golden_query_validate(query)
    return _decide(text, threshold=golden_threshold(), k=k, explain=True).reports


def golden_answer_list(*, status: str | None = None) -> QuerySet[GoldenAnswer]:
    answers = GoldenAnswer.objects.prefetch_related("variants", "source_documents")
    return answers.filter(status=status) if status else answers


@dataclass(frozen=True)
class DailyHitRate:
    day: datetime.date
    lookups: int
    hits: int
    refused: int

    @property
    def rate(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0


def golden_hit_rate_daily(*, days: int = 30) -> list[DailyHitRate]:
    """Lookups, hits and guard refusals per day over the last `days` days, oldest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = (
        GoldenLookup.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            lookups=Count("id"),
            hits=Count("id", filter=Q(hit=True)),
            refused=Count("id", filter=Q(hit=False) & ~Q(refused_by="")),
        )
        .order_by("day")
    )
    return [DailyHitRate(r["day"], r["lookups"], r["hits"], r["refused"]) for r in rows]


def golden_missed_questions(*, since: datetime.datetime) -> list[tuple[str, int]]:
    """User questions since `since` that no golden answer served, as (text, times asked) grouped by normalized text,
    most asked first (the nightly job clusters them)."""
    rows = (
        GoldenLookup.objects.filter(created_at__gte=since, hit=False)
        .order_by("created_at")
        .values_list("query", flat=True)
    )
    texts: dict[str, str] = {}
    counts: dict[str, int] = {}
    for query in rows.iterator(chunk_size=2000):
        key = normalize_question(query)
        texts.setdefault(key, query)
        counts[key] = counts.get(key, 0) + 1
    return sorted(((texts[key], counts[key]) for key in texts), key=lambda pair: -pair[1])
