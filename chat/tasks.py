import logging

from celery import shared_task

from .models import Conversation, Message
from .pipeline.prompt import HISTORY_TOKENS, history_messages

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, acks_late=True, time_limit=300, soft_time_limit=270, autoretry_for=(ConnectionError,), retry_backoff=True
)
def conversation_summarize(self, conversation_id: int) -> dict:
    """Summarize the turns of a conversation that no longer fit the prompt budget (idempotent)."""
    from memory.services import conversation_summarize as summarize

    rows = list(
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(status=Message.Status.FAILED)
        .exclude(content="")
        .order_by("id")
        .values_list("id", "role", "content")
    )
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
