"""Reads: what to recall for a prompt, the user's facts for the page and the API, conversation summaries.

Recall keeps each user's fact vectors in a per-process matrix, checked against a one-query version of the user's
active facts (count, sum of ids, latest update), so a write anywhere is seen at the next recall without any signal.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.shortcuts import get_object_or_404

from nuzantara.embeddings import get_embedder

from .models import ConversationSummary, MemoryExtractionRun, MemoryFact, estimate_tokens

PROMPT_HEADER = (
    "Notes about the user from earlier conversations (in a note, \u201cI\u201d and \u201cmy\u201d mean the user; "
    "the user can see and delete these notes; if one seems outdated, check with the user):"
)
KIND_ORDER = ["identity", "location", "immigration", "business", "family", "deadline", "preference", "other"]


def _setting(name: str, default):
    return getattr(settings, name, default)


# ---------------------------------------------------------------------------------------------------------- recall
_FIELDS = [f.attname for f in MemoryFact._meta.concrete_fields if f.attname != "embedding"]
_TOKENS = _FIELDS.index("token_count")
_TEXT = _FIELDS.index("text")
_PINNED = _FIELDS.index("pinned")


@dataclass
class _UserFacts:
    version: tuple
    rows: list[tuple]  # active facts as field values (no embedding), newest first
    matrix: np.ndarray  # (n, dim) float32, row i = rows[i]
    pinned: list[int]  # indexes, newest first
    built: dict[int, MemoryFact]  # model instances made on demand (most recalls need a few dozen at most)

    def fact(self, index: int) -> MemoryFact:
        if index not in self.built:
            self.built[index] = MemoryFact.from_db("default", _FIELDS, self.rows[index])
        return self.built[index]

    def tokens(self, index: int) -> int:
        row = self.rows[index]
        return row[_TOKENS] or estimate_tokens(row[_TEXT]) + 2


_cache: "OrderedDict[int, _UserFacts]" = OrderedDict()
_cache_lock = threading.Lock()


def _version(user_id: int) -> tuple:
    row = MemoryFact.objects.filter(user_id=user_id, invalidated_at__isnull=True).aggregate(
        n=Count("id"), ids=Sum("id"), latest=Max("updated_at")
    )
    return row["n"], row["ids"], row["latest"]


def _load(user_id: int, version: tuple) -> _UserFacts:
    """One query: every active fact's fields and vector."""
    dim = get_embedder().dim
    active = MemoryFact.objects.filter(user_id=user_id, invalidated_at__isnull=True).order_by("-created_at", "-id")
    raw = list(active.values_list(*_FIELDS, "embedding"))
    matrix = np.zeros((len(raw), dim), dtype=np.float32)
    for i, row in enumerate(raw):
        blob = row[-1]
        if blob is not None and len(blob) == dim * 4:
            matrix[i] = np.frombuffer(blob, dtype=np.float32)
    rows = [row[:-1] for row in raw]
    pinned = [i for i, row in enumerate(rows) if row[_PINNED]]
    return _UserFacts(version=version, rows=rows, matrix=matrix, pinned=pinned, built={})


def _user_facts(user_id: int) -> _UserFacts:
    version = _version(user_id)
    with _cache_lock:
        entry = _cache.get(user_id)
        if entry is not None and entry.version == version:
            _cache.move_to_end(user_id)
            return entry
    entry = _load(user_id, version)
    with _cache_lock:
        _cache[user_id] = entry
        _cache.move_to_end(user_id)
        while len(_cache) > int(_setting("MEMORY_RECALL_CACHE_USERS", 128)):
            _cache.popitem(last=False)
    return entry


def recall_cache_evict(user_id: int) -> None:
    """Drop a user's vectors from this process (after an erasure: nothing of theirs stays in memory here)."""
    with _cache_lock:
        _cache.pop(user_id, None)


def recall_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def memory_recall(*, user, query: str, budget_tokens: int, query_vector: np.ndarray | None = None) -> list[MemoryFact]:
    """Pinned facts, then the facts most relevant to `query` (cosine of embeddings), then the most recent ones,
    while the whole prompt block (header included) fits in `budget_tokens`.

    Pass `query_vector` (a normalized embedding of the query) when the caller already has it: it saves the ~10 ms
    of encoding the query. Returned facts are shared read-only instances: do not modify them.
    """
    if user is None or not getattr(user, "is_authenticated", False) or budget_tokens <= 0:
        return []
    entry = _user_facts(user.pk)
    if not entry.rows:
        return []
    budget = budget_tokens - estimate_tokens(PROMPT_HEADER)
    chosen: list[int] = []
    taken: set[int] = set()
    used = 0

    def take(index: int, limit: int) -> None:
        nonlocal used
        if index in taken:
            return
        cost = entry.tokens(index)
        if used + cost <= limit:
            chosen.append(index)
            taken.add(index)
            used += cost

    for index in entry.pinned:
        take(index, budget)

    relevant: list[int] = []
    if query_vector is None and query and query.strip():
        # the exact string the router and knowledge search encode: the shared encode_one cache answers in ~0 ms
        query_vector = get_embedder().encode_one(query if len(query) <= 2000 else query[:2000])
    if query_vector is not None:
        scores = entry.matrix @ np.asarray(query_vector, dtype=np.float32)
        top = min(len(scores), int(_setting("MEMORY_RECALL_RELEVANT_MAX", 12)))
        best = np.argpartition(-scores, top - 1)[:top] if top < len(scores) else np.arange(len(scores))
        minimum = float(_setting("MEMORY_RECALL_MIN_RELEVANCE", 0.25))
        relevant = [int(i) for i in best[np.argsort(-scores[best])] if scores[i] >= minimum]
    relevant_limit = used + int((budget - used) * 0.75)  # leave room for a few recent facts
    for index in relevant:
        take(index, relevant_limit)
    for index in range(min(len(entry.rows), int(_setting("MEMORY_RECALL_RECENT_MAX", 5)))):
        take(index, budget)
    for index in relevant:
        take(index, budget)
    return [entry.fact(i) for i in chosen]


def memory_prompt_block(*, facts: list[MemoryFact]) -> str:
    """The notes for the system prompt, one per line ("" when there are none)."""
    if not facts:
        return ""
    lines = [PROMPT_HEADER]
    lines.extend(f"- {' '.join(fact.text.split())}" for fact in facts)  # one line each: a note cannot forge structure
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------- page and API
def memory_facts_for_user(*, user) -> QuerySet[MemoryFact]:
    """The user's current (not invalidated) facts, pinned first, then newest."""
    return MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).defer("embedding")


def memory_history_for_user(*, user) -> QuerySet[MemoryFact]:
    """Facts kept for history: invalidated or superseded, newest first."""
    return (
        MemoryFact.objects.filter(user=user, invalidated_at__isnull=False)
        .defer("embedding")
        .order_by("-invalidated_at", "-id")
    )


def memory_fact_get_for_user(*, user, pk: int, include_history: bool = False) -> MemoryFact:
    """The user's fact, or 404 (also for another user's fact: its existence is not revealed)."""
    queryset = MemoryFact.objects.filter(user=user)
    if not include_history:
        queryset = queryset.filter(invalidated_at__isnull=True)
    return get_object_or_404(queryset, pk=pk)


def memory_facts_grouped(*, user) -> list[tuple[str, list[MemoryFact]]]:
    facts = list(memory_facts_for_user(user=user))
    groups = [(kind, [f for f in facts if f.kind == kind]) for kind in KIND_ORDER]
    return [(kind, items) for kind, items in groups if items]


def memory_facts_listing(*, user, limit: int = 50) -> list[MemoryFact]:
    """The user's facts in reading order for a chat reply: pinned first, then by kind, then oldest first."""
    facts = list(memory_facts_for_user(user=user))
    facts.sort(key=lambda f: (not f.pinned, KIND_ORDER.index(f.kind) if f.kind in KIND_ORDER else 99, f.created_at))
    return facts[:limit]


def memory_extraction_done(*, user, source_message_id: int) -> bool:
    return MemoryExtractionRun.objects.filter(user=user, source_message_id=source_message_id).exists()


# ------------------------------------------------------------------------------------------------------ summaries
def conversation_summary_get(*, conversation_id: int) -> ConversationSummary | None:
    return ConversationSummary.objects.filter(conversation_id=conversation_id).first()
