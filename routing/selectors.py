"""Reads over routing decisions."""

from django.db.models import QuerySet

from .dataset import Example
from .models import RouteDecision


def route_decisions_for_query(*, query: str) -> QuerySet[RouteDecision]:
    """Decisions taken for this exact query text (found through its hash)."""
    from .services import query_hash

    return RouteDecision.objects.filter(query_hash=query_hash(query))


def corrections_as_examples(*, exclude_queries: frozenset[str] = frozenset()) -> list[Example]:
    """One training example per corrected query (the latest correction wins), oldest first.

    Queries in `exclude_queries` (compared case-insensitively) are left out: pass the dev set so it is never trained on.
    """
    excluded = {query.strip().casefold() for query in exclude_queries}
    latest: dict[str, Example] = {}
    corrected = RouteDecision.objects.exclude(corrected_tool="").order_by("corrected_at", "pk")
    for decision in corrected.only("query_hash", "query_text", "corrected_tool"):
        if decision.query_text.strip().casefold() in excluded:
            continue
        latest.pop(decision.query_hash, None)  # re-insert so the order follows the latest correction
        latest[decision.query_hash] = Example(query=decision.query_text, tool=decision.corrected_tool)
    return list(latest.values())
