"""Routing a query to one tool, and recording what was decided (and, later, what was right)."""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from .dataset import query_clean
from .engine import router_get
from .models import RouteDecision
from .registry import TOOLS

logger = logging.getLogger(__name__)

ALTERNATIVES = 3  # runners-up returned with a prediction


@dataclass(frozen=True)
class RouterPrediction:
    tool: str  # a label of routing.registry.TOOLS, or "" when no checkpoint is loaded
    confidence: float  # softmax over the label scores, 0.0 without a model
    abstained: bool  # below ROUTER_MIN_CONFIDENCE or no model: the pipeline searches every knowledge collection
    alternatives: list[tuple[str, float]]
    latency_ms: float
    model_version: str

    def as_payload(self) -> dict:
        """The shape the API and `route_query --json` return."""
        return {
            "tool": self.tool,
            "confidence": self.confidence,
            "abstained": self.abstained,
            "alternatives": [{"tool": tool, "confidence": p} for tool, p in self.alternatives],
            "latency_ms": self.latency_ms,
            "model_version": self.model_version,
        }


def query_hash(query: str) -> str:
    """The SHA-256 (hex) under which a query is logged; computed on the stripped text."""
    return hashlib.sha256(query.strip().encode("utf-8")).hexdigest()


def route_query(*, query: str, log: bool = True) -> RouterPrediction:
    """Pick the tool for `query` with the router checkpoint, and record the decision when `log` is set.

    Raises routing.dataset.InvalidQuery (a ValueError) for an empty or over-long query. Never raises for a missing
    or corrupt checkpoint: the prediction then has tool "", confidence 0.0 and abstained=True.
    """
    query = query_clean(query)
    started = time.perf_counter()
    router = router_get()
    if router is None:
        prediction = RouterPrediction(
            tool="",
            confidence=0.0,
            abstained=True,
            alternatives=[],
            latency_ms=_ms_since(started),
            model_version="",
        )
    else:
        ranked = router.rank(query)
        tool, confidence = ranked[0]
        prediction = RouterPrediction(
            tool=tool,
            confidence=round(confidence, 4),
            abstained=confidence < settings.ROUTER_MIN_CONFIDENCE,
            alternatives=[(label, round(p, 4)) for label, p in ranked[1 : 1 + ALTERNATIVES]],
            latency_ms=_ms_since(started),
            model_version=router.version,
        )
    if log:
        route_decision_record(query=query, prediction=prediction)
    return prediction


def route_decision_record(*, query: str, prediction: RouterPrediction) -> RouteDecision | None:
    """Store the decision under the query's hash; a database failure is logged, never raised into the pipeline."""
    try:
        return RouteDecision.objects.create(
            query_hash=query_hash(query),
            tool=prediction.tool,
            confidence=min(max(prediction.confidence, 0.0), 1.0),
            abstained=prediction.abstained,
            latency_ms=prediction.latency_ms,
            model_version=prediction.model_version,
        )
    except DatabaseError:
        logger.exception("route decision not recorded", extra={"tool": prediction.tool})
        return None


@transaction.atomic
def route_decision_correct(
    *, decision: RouteDecision, tool: str, query_text: str, corrected_by: AbstractBaseUser | None
) -> RouteDecision:
    """Record the right tool for a decision, with the query text that becomes a training line.

    The text must hash to the decision's query hash, so a correction cannot attach another query's text.
    """
    if tool not in TOOLS:
        raise ValidationError({"tool": f"unknown tool {tool!r} (known: {', '.join(TOOLS)})"})
    text = query_clean(query_text) if query_text and query_text.strip() else ""
    if not text:
        raise ValidationError({"query_text": "the query text is needed to turn the correction into a training line"})
    if query_hash(text) != decision.query_hash:
        raise ValidationError({"query_text": f"this text does not match decision #{decision.pk} (its hash differs)"})
    decision.corrected_tool = tool
    decision.query_text = text
    decision.corrected_by = corrected_by
    decision.corrected_at = timezone.now()
    decision.save(update_fields=["corrected_tool", "query_text", "corrected_by", "corrected_at"])
    return decision


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
