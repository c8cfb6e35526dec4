"""Background chat work: memory extraction after each answer and summaries of long conversations.

Tasks take ids and load the texts themselves, so no question or answer reaches the broker or a log line.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .models import Conversation, Message
from .pipeline.prompt import HISTORY_TOKENS, history_messages

logger = logging.getLogger(__name__)

MEMORY_EXTRACT_TIME_LIMIT_S = int(getattr(settings, "MEMORY_EXTRACT_TIME_LIMIT_S", 60))
MEMORY_EXTRACT_MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MEMORY_EXTRACT_MAX_RETRIES,
    soft_time_limit=MEMORY_EXTRACT_TIME_LIMIT_S,
    time_limit=MEMORY_EXTRACT_TIME_LIMIT_S + 30,
)
def exchange_memory_extract(self, user_message_id: int, answer_message_id: int | None = None) -> dict:
    """Extract the user's facts from one question and its answer, loaded by id (gone with a deleted conversation).

    Idempotent per question (a redelivered or retried task writes nothing twice). A failing LLM extractor is retried
    with backoff; the last attempt uses the rule-based extractor, so an outage never loses the exchange.
    """
    from memory.extraction import ExtractionUnavailable
    from memory.services import memory_extract_exchange

    question = (
        Message.objects.filter(pk=user_message_id, role=Message.Role.USER)
        .values("content", "conversation_id", "conversation__user_id")
        .first()
    )
    if question is None:
        return {"status": "no_message", "user_message_id": user_message_id}
    answer = ""
    if answer_message_id is not None:
        answer = (
            Message.objects.filter(pk=answer_message_id, conversation_id=question["conversation_id"])
            .values_list("content", flat=True)
            .first()
        ) or ""
    try:
        return memory_extract_exchange(
            user_id=question["conversation__user_id"],
            user_text=question["content"],
            assistant_text=answer,
            source_message_id=user_message_id,
            rules_only=self.request.retries >= MEMORY_EXTRACT_MAX_RETRIES,
        )
    except (ExtractionUnavailable, OperationalError, InterfaceError) as exc:
        logger.warning(
            "memory extraction failed, retrying",
            extra={
                "user_message_id": user_message_id,
                "attempt": self.request.retries + 1,
                "error": type(exc).__name__,
            },
        )
        raise self.retry(exc=exc, countdown=min(300, 5 * 4**self.request.retries)) from exc


@shared_task(
    bind=True, acks_late=True, time_limit=300, soft_time_limit=270, autoretry_for=(ConnectionError,), retry_backoff=True
)
def conversation_summarize(self, conversation_id: int) -> dict:
    """Summarize the turns of a conversation that no longer fit the prompt budget (idempotent)."""
    from memory.services import conversation_summarize as summarize

    rows = list(  # the turns the prompt history is built from (selectors.conversation_turns): replaced ones are out
        Message.objects.filter(conversation_id=conversation_id, replaced=False)
        .exclude(status=Message.Status.FAILED)
        .exclude(content="")
        .order_by("id")
        .values_list("id", "role", "content", "author_name")
    )
    # A consultant's reply is an assistant turn that starts with their name, as in the prompt.
    rows = [
        (pk, "assistant", f"{author} (consultant): {text}") if role == Message.Role.STAFF else (pk, role, text)
        for pk, role, text, author in rows
    ]
    _, dropped = history_messages([(role, text) for _, role, text in rows], budget_tokens=HISTORY_TOKENS)
    if not dropped:
        return {"conversation_id": conversation_id, "summarized": 0}
    older = [(role, text) for _, role, text in rows[:dropped]]
    summarize(conversation_id=conversation_id, turns=older, covers_up_to=rows[dropped - 1][0])
    return {"conversation_id": conversation_id, "summarized": dropped}


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1750)
def summarize_long_conversations() -> dict:
    """Hourly: queue a summary for conversations active in the last hour."""
    from datetime import timedelta

    from django.utils import timezone

    recent = Conversation.objects.filter(updated_at__gte=timezone.now() - timedelta(hours=1)).values_list(
        "id", flat=True
    )
    count = 0
    for conversation_id in recent:
        conversation_summarize.delay(conversation_id)
        count += 1
    return {"queued": count}


@shared_task(acks_late=True)
def llm_budget_check() -> bool:
    """After a costed answer: mail staff once a month when spending crossed 80% of LLM_MONTHLY_BUDGET_USD."""
    from .budget import budget_warn_staff

    return budget_warn_staff()


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def handoff_staff_mail(request_id: int) -> int:
    """Mail the staff on duty about a new handoff request (loaded by id: no contact detail goes through the broker)."""
    from .models import HandoffRequest
    from .services import handoff_staff_mail_send

    request = HandoffRequest.objects.select_related("message", "conversation").filter(pk=request_id).first()
    if request is None:
        return 0
    return handoff_staff_mail_send(request=request)


@shared_task(acks_late=True)
def staff_replies_mail() -> int:
    """Every few minutes, and after each staff reply: mail consultants' replies to clients who have been away."""
    from .services import staff_replies_mail_due

    return staff_replies_mail_due()


@shared_task(name="chat.attachment_read", acks_late=True, soft_time_limit=240, time_limit=270)
def attachment_read_task(attachment_id: int) -> str:
    """Read a file attached to a conversation (chat.services.attachment_read): the broker carries only its id."""
    from .services import attachment_read

    attachment = attachment_read(attachment_id=attachment_id)
    return attachment.status if attachment is not None else "gone"
