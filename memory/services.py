"""Writes to a user's memory: extraction after an answer, explicit chat commands, edits and real erasure, summaries."""

import logging
from dataclasses import replace

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from nuzantara.embeddings import get_embedder

from .commands import (
    Intent,
    bullet_list,
    guess_kind,
    memory_command_parse,
    reply,
    topic_filter,
    topic_words,
)
from .extraction import (
    ExistingFact,
    ExtractionUnavailable,
    FactCandidate,
    FactExtractor,
    LLMSummarizer,
    RuleBasedExtractor,
    extract_candidates,
    fact_extractor_get,
    structured_client_get,
)
from .models import (
    FACT_KINDS,
    FACT_TEXT_MAX_CHARS,
    ConversationSummary,
    MemoryDeletion,
    MemoryFact,
    estimate_tokens,
)
from .operations import MemoryOperation, apply_candidates
from .selectors import memory_extraction_done, memory_facts_listing, recall_cache_evict
from .summaries import extractive_summary

logger = logging.getLogger(__name__)

__all__ = [
    "MemoryInputError",
    "MemoryOperation",
    "conversation_summarize",
    "conversation_summary_delete",
    "memory_apply_extraction",
    "memory_command_answer",
    "memory_extract_exchange",
    "memory_fact_create",
    "memory_fact_delete",
    "memory_fact_update",
    "memory_forget_everything",
]


class MemoryInputError(ValueError):
    """A fact the user typed cannot be stored as given; the message says why (shown as a 400 or on the page)."""


def fact_text_clean(text: object) -> str:
    if not isinstance(text, str):
        raise MemoryInputError("Fact text is required.")
    text = " ".join(text.split())
    if not text:
        raise MemoryInputError("Fact text must not be empty.")
    if len(text) > FACT_TEXT_MAX_CHARS:
        raise MemoryInputError(f"Fact text must be at most {FACT_TEXT_MAX_CHARS:,} characters (got {len(text):,}).")
    return text


def fact_kind_clean(kind: object) -> str:
    if kind not in FACT_KINDS:
        raise MemoryInputError(f"Unknown kind {kind!r}. Valid kinds: {', '.join(FACT_KINDS)}.")
    return str(kind)


def _vector(text: str) -> np.ndarray:
    return get_embedder().encode([text])[0]


# ------------------------------------------------------------------------------------------------------- extraction
def _existing_for_prompt(user, user_text: str, *, limit: int = 12) -> list[ExistingFact]:
    """What an LLM extractor sees: every slot fact, plus the free facts most similar to the message."""
    facts = list(MemoryFact.objects.filter(user=user, invalidated_at__isnull=True))
    if not facts:
        return []
    slotted = [f for f in facts if f.key]
    free = [f for f in facts if not f.key]
    if free:
        embedder = get_embedder()
        query = embedder.encode_one(user_text[:2000])
        scores = np.array([float(np.dot(query, f.vector(embedder.dim))) for f in free])
        free = [free[i] for i in np.argsort(-scores)[:limit]]
    return [ExistingFact(id=f.pk, kind=f.kind, key=f.key, text=f.text) for f in [*slotted, *free]]


def memory_apply_extraction(
    *,
    user,
    user_text: str,
    assistant_text: str = "",
    source_message_id: int | None = None,
    extractor: FactExtractor | None = None,
) -> list[MemoryOperation]:
    """Extract facts from one exchange and apply them (ADD / UPDATE / INVALIDATE / NONE) to the user's facts.

    Meant for the background task, never the request path. Idempotent per `source_message_id`: a message already
    processed returns [] and writes nothing. Raises ExtractionUnavailable when the LLM extractor fails.
    """
    if source_message_id is not None and memory_extraction_done(user=user, source_message_id=source_message_id):
        return []
    extractor = extractor or fact_extractor_get()
    if extractor.name == "rules":  # the rules only need to know which slots are filled (context for ellipses)
        slots = MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).exclude(key="")
        existing = [
            ExistingFact(id=pk, kind=kind, key=key, text="") for pk, kind, key in slots.values_list("pk", "kind", "key")
        ]
    else:
        existing = _existing_for_prompt(user, user_text)
    candidates = extractor.extract(user_text=user_text, assistant_text=assistant_text, existing=existing)
    operations = apply_candidates(
        user=user, candidates=candidates, source_message_id=source_message_id, extractor=extractor.name
    )
    if operations is None:
        return []
    logger.info(
        "memory extraction applied",
        extra={
            "user_id": user.pk,
            "extractor": extractor.name,
            "operations": [o.op for o in operations],
        },
    )
    return operations


def memory_extract_exchange(
    *, user_id: int, user_text: str, assistant_text: str, source_message_id: int | None = None, rules_only: bool = False
) -> dict:
    """Extract facts from one exchange for the background task that loaded it; a summary of ids and counts comes back.

    The caller passes the texts in memory (never through the broker or a log line) and retries on
    ExtractionUnavailable or a database error; `rules_only` is its last attempt, so an outage never loses the exchange.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return {"status": "no_user", "user_id": user_id}
    if source_message_id is not None and memory_extraction_done(user=user, source_message_id=source_message_id):
        return {"status": "skipped", "user_id": user_id, "source_message_id": source_message_id}
    operations = memory_apply_extraction(
        user=user,
        user_text=user_text or "",
        assistant_text=assistant_text or "",
        source_message_id=source_message_id,
        extractor=RuleBasedExtractor() if rules_only else None,
    )
    counts = {op: sum(1 for o in operations if o.op == op) for op in ("ADD", "UPDATE", "INVALIDATE", "NONE")}
    return {"status": "ok", "user_id": user_id, "source_message_id": source_message_id, "operations": counts}


# ---------------------------------------------------------------------------------------------------- chat commands
def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;")
    if text.isupper():
        text = text.capitalize()
    return text[:1].upper() + text[1:]


def _operation_lines(operations: list[MemoryOperation], language: str) -> tuple[str, list[str]]:
    """The reply template and its lines for what a remember/update did."""
    was = reply(language, "was")
    lines: list[str] = []
    changed = False
    for operation in operations:
        if operation.op == "ADD":
            lines.append(operation.fact.text)
        elif operation.op == "UPDATE":
            changed = True
            old = "; ".join(f.text for f in operation.previous)
            lines.append(f"{operation.fact.text} ({was}: {old})")
        elif operation.op == "INVALIDATE":
            changed = True
            lines.extend(f"\u2717 {f.text}" for f in operation.previous)
    if changed:
        return "updated", lines
    if lines:
        return "remembered", lines
    return "already", [o.fact.text for o in operations if o.fact is not None]


def _remember(
    *, user, text: str, content: str, source_message_id: int | None, language: str, pinned: bool = True
) -> str:
    candidates = extract_candidates(text, explicit=True)
    retractions = [c for c in candidates if c.action == "retract"]
    assertions = [c for c in candidates if c.action == "assert"]
    note = _sentence(content)
    if len(assertions) == 1:
        # one slot recognized: keep the user's own words, with the slot so a later correction supersedes it
        assertions = [replace(assertions[0], text=note, confidence=1.0)]
    elif not assertions:
        assertions = [FactCandidate(kind=guess_kind(note), text=note, confidence=1.0)]
    else:
        assertions = [replace(c, confidence=1.0) for c in assertions]
    operations = apply_candidates(
        user=user,
        candidates=[*retractions, *assertions],
        source_message_id=source_message_id,
        extractor="command",
        pinned=pinned,
    )
    if operations is None:  # the same message again (a retried request): already done
        return reply(language, "already", facts=bullet_list([note]))
    template, lines = _operation_lines(operations, language)
    return reply(language, template, facts=bullet_list(lines or [note]))


def _update(*, user, text: str, content: str, source_message_id: int | None, language: str) -> str:
    candidates = extract_candidates(text, explicit=True)
    if not candidates:
        if not content:
            return reply(language, "help", url=reverse("memory:facts"))
        return _remember(user=user, text=text, content=content, source_message_id=source_message_id, language=language)
    operations = apply_candidates(
        user=user, candidates=candidates, source_message_id=source_message_id, extractor="command"
    )
    if operations is None:
        return reply(language, "already", facts=bullet_list([c.text for c in candidates if c.text]))
    template, lines = _operation_lines(operations, language)
    if not lines:
        return reply(language, "forget_nothing", topic=content or text, url=reverse("memory:facts"))
    return reply(language, template, facts=bullet_list(lines))


def facts_about(*, user, topic: str, for_recall: bool) -> list[MemoryFact]:
    """The user's current facts a topic refers to: by kind/slot words, then shared words, then by embedding."""
    facts = list(MemoryFact.objects.filter(user=user, invalidated_at__isnull=True))
    if not facts or not topic.strip():
        return []
    matches_topic = topic_filter(topic)
    if matches_topic is not None:
        matched = [f for f in facts if matches_topic(f)]
        if matched:
            return matched
    words = topic_words(topic)
    matched = [f for f in facts if any(w in f.text.lower() or w == f.value.lower() for w in words)]
    if matched:
        return matched
    embedder = get_embedder()
    query = embedder.encode_one(topic[:500])
    scored = sorted(((float(np.dot(query, f.vector(embedder.dim))), f) for f in facts), key=lambda p: -p[0])
    minimum = 0.35 if for_recall else 0.5
    return [f for score, f in scored[: 3 if for_recall else 1] if score >= minimum]


@transaction.atomic
def _invalidate(facts: list[MemoryFact]) -> int:
    now = timezone.now()
    return MemoryFact.objects.filter(pk__in=[f.pk for f in facts], invalidated_at__isnull=True).update(
        invalidated_at=now, updated_at=now
    )


def memory_command_answer(*, user, text: str, language: str = "en", source_message_id: int | None = None) -> str:
    """Handle an explicit memory request at once and deterministically; return the reply text.

    "remember that ..." stores a pinned fact, "forget ..." invalidates the matching facts (kept out of prompts; the
    memory page erases for real), "what do you remember" lists them; questions about one fact answer from memory.
    """
    language = language if language in ("en", "id", "it") else "en"
    url = reverse("memory:facts")
    if len(text) > 4 * FACT_TEXT_MAX_CHARS:
        return reply(language, "too_long")
    command = memory_command_parse(text)

    if command.intent == Intent.LIST:
        facts = memory_facts_listing(user=user)
        if not facts:
            return reply(language, "nothing_at_all")
        return reply(language, "list", facts=bullet_list([f.text for f in facts]), url=url)

    if command.intent == Intent.RECALL:
        facts = facts_about(user=user, topic=command.content, for_recall=True)
        if not facts:
            return reply(language, "recall_none")
        return reply(language, "recall", facts=bullet_list([f.text for f in facts]))

    if command.intent == Intent.FORGET:
        facts = facts_about(user=user, topic=command.content, for_recall=False)
        if not facts:
            return reply(language, "forget_nothing", topic=command.content, url=url)
        _invalidate(facts)
        logger.info("memory facts forgotten by command", extra={"user_id": user.pk, "count": len(facts)})
        return reply(language, "forgot", facts=bullet_list([f.text for f in facts]), url=url)

    if command.intent == Intent.FORGET_ALL:
        facts = list(MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).only("id"))
        if not facts:
            return reply(language, "nothing_at_all")
        count = _invalidate(facts)
        logger.info("memory facts forgotten by command", extra={"user_id": user.pk, "count": count})
        return reply(language, "forgot_all", count=count, url=url)

    if command.intent == Intent.REMEMBER:
        if not command.content:
            return reply(language, "nothing_to_remember")
        if len(command.content) > FACT_TEXT_MAX_CHARS:
            return reply(language, "too_long")
        return _remember(
            user=user, text=text, content=command.content, source_message_id=source_message_id, language=language
        )

    if command.intent == Intent.UPDATE:
        if len(command.content) > FACT_TEXT_MAX_CHARS:
            return reply(language, "too_long")
        return _update(
            user=user, text=text, content=command.content, source_message_id=source_message_id, language=language
        )

    return reply(language, "help", url=url)


# ------------------------------------------------------------------------------------------------ page and API writes
@transaction.atomic
def memory_fact_create(*, user, text: str, kind: str = "other", pinned: bool = False) -> MemoryFact:
    """A fact the user typed on the memory page or sent to the API (kept as written, confidence 1)."""
    text, kind = fact_text_clean(text), fact_kind_clean(kind)
    fact = MemoryFact(user=user, kind=kind, pinned=bool(pinned), confidence=1.0)
    fact.set_text(text, _vector(text))
    fact.save()
    return fact


@transaction.atomic
def memory_fact_update(
    *, fact: MemoryFact, text: str | None = None, kind: str | None = None, pinned: bool | None = None
) -> MemoryFact:
    """The user's own edit, in place: it is their correction of the record, not a new fact to keep history of."""
    if text is not None:
        text = fact_text_clean(text)
        if text != fact.text:
            fact.set_text(text, _vector(text))
            fact.key, fact.value = "", ""  # the slot described the old wording; the edited text stands alone
    if kind is not None:
        fact.kind = fact_kind_clean(kind)
    if pinned is not None:
        fact.pinned = bool(pinned)
    fact.confidence = 1.0
    fact.save()
    return fact


def _with_history(facts: list[MemoryFact]) -> set[int]:
    """The facts and every earlier version they superseded (deleting a fact deletes its past values too)."""
    ids = {f.pk for f in facts}
    frontier = set(ids)
    while frontier:
        frontier = set(MemoryFact.objects.filter(superseded_by_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


@transaction.atomic
def memory_fact_delete(*, fact: MemoryFact, how: str) -> int:
    """Erase a fact for real (the row, its text and embedding, and the earlier versions it replaced) and audit it.

    Returns how many rows were erased. The audit row records who, how many, when and how, never the content.
    """
    user_id = fact.user_id
    ids = _with_history([fact])
    count, _ = MemoryFact.objects.filter(user_id=user_id, pk__in=ids).delete()
    MemoryDeletion.objects.create(user_id=user_id, count=count, how=how)
    transaction.on_commit(lambda: recall_cache_evict(user_id))
    logger.info("memory facts erased", extra={"user_id": user_id, "count": count, "how": how})
    return count


@transaction.atomic
def memory_forget_everything(*, user, how: str) -> int:
    """Erase every fact of the user, current and historical, and audit it. Returns how many rows were erased."""
    count, _ = MemoryFact.objects.filter(user=user).delete()
    MemoryDeletion.objects.create(user=user, count=count, how=how)
    transaction.on_commit(lambda: recall_cache_evict(user.pk))
    logger.info("memory facts erased", extra={"user_id": user.pk, "count": count, "how": how})
    return count


# ------------------------------------------------------------------------------------------------------- summaries
def _summary_text(turns: list[tuple[str, str]], budget_tokens: int) -> tuple[str, str]:
    client = structured_client_get()
    if client is not None:
        try:
            return LLMSummarizer(client=client).summarize(turns=turns, budget_tokens=budget_tokens), "llm"
        except ExtractionUnavailable as exc:
            logger.warning("LLM summary failed, using the extractive one", extra={"error": str(exc)[:200]})
    return extractive_summary(turns, budget_tokens=budget_tokens), "extractive"


def conversation_summarize(
    *, conversation_id: int, turns: list[tuple[str, str]], covers_up_to: int
) -> ConversationSummary:
    """Summarize `turns` [(role, text)]: all the turns of the conversation up to message `covers_up_to`.

    One summary per conversation, replaced when a later call covers more messages; a call covering no more than the
    stored summary returns it unchanged (idempotent). LLM summary when configured, extractive otherwise.
    """
    existing = ConversationSummary.objects.filter(conversation_id=conversation_id).first()
    if existing is not None and existing.covers_up_to >= covers_up_to:
        return existing
    budget = int(getattr(settings, "MEMORY_SUMMARY_TOKENS", 300))
    text, method = _summary_text(turns, budget)
    values = {"text": text, "covers_up_to": covers_up_to, "token_count": estimate_tokens(text), "method": method}
    try:
        with transaction.atomic():
            summary, _ = ConversationSummary.objects.update_or_create(conversation_id=conversation_id, defaults=values)
    except IntegrityError:  # created meanwhile by a concurrent task
        ConversationSummary.objects.filter(conversation_id=conversation_id, covers_up_to__lt=covers_up_to).update(
            **values, updated_at=timezone.now()
        )
        summary = ConversationSummary.objects.get(conversation_id=conversation_id)
    return summary


def conversation_summary_delete(*, conversation_id: int) -> int:
    """For the chat app when a conversation is deleted: its summary goes too."""
    count, _ = ConversationSummary.objects.filter(conversation_id=conversation_id).delete()
    return count
