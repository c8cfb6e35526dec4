"""Applying extracted facts to a user's memory: ADD, UPDATE, INVALIDATE or NONE, decided against the current facts.

- A fact for a single-valued slot (city, visa expiry, ...) with a new value supersedes the old one (UPDATE): the old row
  is invalidated and points to the new one, kept for history, never overwritten.
- The same value again, or a free fact nearly identical by embedding to an existing one, changes nothing (NONE).
- A retraction ("I don't live in Canggu any more", "I sold my company") invalidates the matching facts (INVALIDATE).
"""

import logging
import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from nuzantara.embeddings import get_embedder

from .extraction.base import SINGLE_VALUED_KEYS, FactCandidate
from .extraction.dates import MONTH_NAMES
from .models import FACT_TEXT_MAX_CHARS, MemoryExtractionRun, MemoryFact

logger = logging.getLogger(__name__)

Op = Literal["ADD", "UPDATE", "INVALIDATE", "NONE"]


@dataclass(frozen=True)
class MemoryOperation:
    op: Op
    fact: MemoryFact | None  # ADD/UPDATE: the new fact; NONE: the existing fact that already said it
    previous: tuple[MemoryFact, ...] = ()  # UPDATE/INVALIDATE: the facts now invalidated


def duplicate_similarity() -> float:
    return float(getattr(settings, "MEMORY_DUPLICATE_SIMILARITY", 0.92))


def same_topic_similarity() -> float:
    """Two deadlines this close are the same deadline with another date (an UPDATE, not a second deadline)."""
    return float(getattr(settings, "MEMORY_SAME_TOPIC_SIMILARITY", 0.85))


def _is_slot(key: str) -> bool:
    return key in SINGLE_VALUED_KEYS or key.startswith(("deadline:", "child:"))


def _normalized(value: str) -> str:
    return " ".join(value.casefold().split())


def _says_no_more_than(key: str, new: str, old: str) -> bool:
    """A vaguer value is not a correction: "KITAS" after "Investor KITAS (E28A)", "2026" after "2026-03-14"."""
    new, old = _normalized(new), _normalized(old)
    if key == "visa_type":
        return new == "kitas" and "kitas" in old
    if key == "visa_expiry":
        if new.isdigit():  # "2026"
            return old.startswith(new)
        month = re.fullmatch(r"(?:end of )?([a-z]+) (\d{4})", new)  # "march 2026"
        if month and month.group(1).capitalize() in MONTH_NAMES and re.fullmatch(r"\d{4}-\d{2}-\d{2}", old):
            return MONTH_NAMES.index(month.group(1).capitalize()) == int(old[5:7]) and old[:4] == month.group(2)
    return False


_GENERIC_TASK_WORDS = set(
    """
    submit file pay renew send do finish report apply register extend get make complete prepare
    lapor bayar perpanjang kirim daftar urus buat selesaikan ajukan
    presentare pagare rinnovare inviare fare completare preparare registrare
    annual tahunan annuale quarterly triwulan trimestrale
    """.split()
)


def _same_topic(key_a: str, key_b: str) -> bool:
    """Two deadline slots about the same thing: "deadline:submit-annual-spt" and "deadline:spt" share "spt"."""
    words_a = set(key_a.removeprefix("deadline:").split("-")) - _GENERIC_TASK_WORDS
    words_b = set(key_b.removeprefix("deadline:").split("-")) - _GENERIC_TASK_WORDS
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) >= 0.5


def _retraction_matches(fact: MemoryFact, candidate: FactCandidate) -> bool:
    if fact.key != candidate.key:
        return False
    if not candidate.value:
        return True
    value = _normalized(candidate.value)
    return _normalized(fact.value) == value or value in _normalized(fact.text)


class _UserMemory:
    """The user's active facts and their vectors, kept in step while one batch of candidates is applied."""

    def __init__(self, user) -> None:
        self.dim = get_embedder().dim
        self.facts: list[MemoryFact] = list(MemoryFact.objects.filter(user=user, invalidated_at=None))
        self.vectors: list[np.ndarray] = [f.vector(self.dim) for f in self.facts]

    def add(self, fact: MemoryFact, vector: np.ndarray) -> None:
        self.facts.append(fact)
        self.vectors.append(vector)

    def remove(self, facts: list[MemoryFact]) -> None:
        gone = {f.pk for f in facts}
        kept = [(f, v) for f, v in zip(self.facts, self.vectors, strict=True) if f.pk not in gone]
        self.facts = [f for f, _ in kept]
        self.vectors = [v for _, v in kept]

    def most_similar(self, vector: np.ndarray, *, kind: str | None = None) -> tuple[MemoryFact | None, float]:
        best, best_score = None, -1.0
        for fact, other in zip(self.facts, self.vectors, strict=True):
            if kind is not None and fact.kind != kind:
                continue
            score = float(np.dot(vector, other))
            if score > best_score:
                best, best_score = fact, score
        return best, best_score


def _lock_user(user) -> None:
    """Serialize memory writes per user (two workers on two messages of the same user)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _claim_message(user, source_message_id: int | None, extractor: str) -> MemoryExtractionRun | None | bool:
    """The run marker for this message, or False when the message was already processed."""
    if source_message_id is None:
        return None
    try:
        with transaction.atomic():
            return MemoryExtractionRun.objects.create(
                user=user, source_message_id=source_message_id, extractor=extractor
            )
    except IntegrityError:
        return False


@transaction.atomic
def apply_candidates(
    *,
    user,
    candidates: list[FactCandidate],
    source_message_id: int | None = None,
    extractor: str = "rules",
    pinned: bool = False,
) -> list[MemoryOperation] | None:
    """Apply the candidates; None when `source_message_id` was already processed (nothing is written twice)."""
    _lock_user(user)
    run = _claim_message(user, source_message_id, extractor)
    if run is False:
        logger.info("memory extraction skipped: message already processed", extra={"user_id": user.pk})
        return None
    operations: list[MemoryOperation] = []
    if candidates:
        memory = _UserMemory(user)
        asserted = [c for c in candidates if c.action == "assert" and (c.text.strip() or c.key == "deadline:")]
        vectors = get_embedder().encode([(c.text.strip() or c.value)[:FACT_TEXT_MAX_CHARS] for c in asserted])
        vector_of = {id(c): v for c, v in zip(asserted, vectors, strict=True)}
        now = timezone.now()
        for candidate in candidates:
            if candidate.action == "retract":
                operation = _retract(memory, candidate, now=now)
            elif id(candidate) in vector_of:
                operation = _assert(
                    user,
                    memory,
                    candidate,
                    vector_of[id(candidate)],
                    now=now,
                    pinned=pinned,
                    source_message_id=source_message_id,
                )
            else:
                operation = None
            if operation is not None:
                operations.append(operation)
    if run:
        counts = {op: sum(1 for o in operations if o.op == op) for op in ("ADD", "UPDATE", "INVALIDATE", "NONE")}
        run.operations = counts
        run.save(update_fields=["operations"])
    return operations


def _invalidate(memory: _UserMemory, facts: list[MemoryFact], *, now, superseded_by: MemoryFact | None) -> None:
    if not facts:
        return
    MemoryFact.objects.filter(pk__in=[f.pk for f in facts]).update(
        invalidated_at=now, superseded_by=superseded_by, updated_at=now
    )
    for fact in facts:
        fact.invalidated_at, fact.superseded_by = now, superseded_by
    memory.remove(facts)


def _retract(memory: _UserMemory, candidate: FactCandidate, *, now) -> MemoryOperation | None:
    if candidate.targets:
        matches = [f for f in memory.facts if f.pk in candidate.targets]
    else:
        matches = [f for f in memory.facts if _retraction_matches(f, candidate)]
    if not matches:
        return None
    _invalidate(memory, matches, now=now, superseded_by=None)
    return MemoryOperation(op="INVALIDATE", fact=None, previous=tuple(matches))


def _create(user, candidate: FactCandidate, vector: np.ndarray, *, pinned: bool, source_message_id) -> MemoryFact:
    fact = MemoryFact(
        user=user,
        kind=candidate.kind,
        key=candidate.key[:64],
        value=candidate.value[:200],
        confidence=min(1.0, max(0.0, candidate.confidence)),
        pinned=pinned,
        source_message_id=source_message_id,
    )
    fact.set_text(candidate.text.strip()[:FACT_TEXT_MAX_CHARS], vector)
    fact.save()
    return fact


def _assert(
    user, memory: _UserMemory, candidate: FactCandidate, vector: np.ndarray, *, now, pinned: bool, source_message_id
) -> MemoryOperation | None:
    replaced: list[MemoryFact] = []
    if candidate.key == "deadline:":  # "it was moved to 30 April": the user's latest deadline, with the new date
        deadlines = [f for f in memory.facts if f.key.startswith("deadline:")]
        if not deadlines:
            return None
        latest = max(deadlines, key=lambda f: (f.created_at, f.pk))
        if _normalized(latest.value) == _normalized(candidate.value):
            return _unchanged(latest, pinned=pinned)
        text = latest.text.replace(latest.value, candidate.value) if latest.value else latest.text
        candidate = replace(candidate, key=latest.key, text=text)
        vector = get_embedder().encode([text])[0]
        replaced = [latest]
    elif candidate.targets:
        replaced = [f for f in memory.facts if f.pk in candidate.targets]
    elif candidate.key and _is_slot(candidate.key):
        same_slot = [f for f in memory.facts if f.key == candidate.key]
        for fact in same_slot:
            if _normalized(fact.value) == _normalized(candidate.value) or _says_no_more_than(
                candidate.key, candidate.value, fact.value
            ):
                return _unchanged(fact, pinned=pinned)
        replaced = same_slot
        if not replaced and candidate.key.startswith("deadline:"):
            similar, score = memory.most_similar(vector, kind="deadline")
            same_topic = [
                f for f in memory.facts if f.key.startswith("deadline:") and _same_topic(f.key, candidate.key)
            ]
            if same_topic:
                similar, score = same_topic[0], 1.0
            if similar is not None and score >= same_topic_similarity():
                if _normalized(similar.value) == _normalized(candidate.value):
                    return _unchanged(similar, pinned=pinned)
                replaced = [similar]
    if not replaced:
        similar, score = memory.most_similar(vector)
        if similar is not None and score >= duplicate_similarity() and similar.key in ("", candidate.key):
            return _unchanged(similar, pinned=pinned)
    keep_pinned = pinned or any(f.pinned for f in replaced)  # a correction of a pinned fact stays pinned
    fact = _create(user, candidate, vector, pinned=keep_pinned, source_message_id=source_message_id)
    memory.add(fact, vector)
    if replaced:
        _invalidate(memory, replaced, now=now, superseded_by=fact)
        return MemoryOperation(op="UPDATE", fact=fact, previous=tuple(replaced))
    return MemoryOperation(op="ADD", fact=fact)


def _unchanged(fact: MemoryFact, *, pinned: bool) -> MemoryOperation:
    if pinned and not fact.pinned:  # "remember that ..." something already known: it becomes pinned
        fact.pinned = True
        fact.save(update_fields=["pinned", "updated_at"])
    return MemoryOperation(op="NONE", fact=fact)
