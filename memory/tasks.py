"""Background memory work: fact extraction after each answer (never on the request path)."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError

from .extraction import ExtractionUnavailable, RuleBasedExtractor
from .selectors import memory_extraction_done
from .services import memory_apply_extraction

logger = logging.getLogger(__name__)

TIME_LIMIT_S = int(getattr(settings, "MEMORY_EXTRACT_TIME_LIMIT_S", 60))
MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=TIME_LIMIT_S,
    time_limit=TIME_LIMIT_S + 30,
)
def memory_extract(
    self, user_id: int, user_text: str, assistant_text: str, source_message_id: int | None = None
) -> dict:
    """Extract facts from one exchange and apply them to the user's memory.

    Idempotent per source_message_id (a redelivered or retried task writes nothing twice). A failing LLM extractor is
    retried with backoff; the last attempt uses the rule-based extractor, so an outage never loses the exchange.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return {"status": "no_user", "user_id": user_id}
    if source_message_id is not None and memory_extraction_done(user=user, source_message_id=source_message_id):
        return {"status": "skipped", "user_id": user_id, "source_message_id": source_message_id}
    last_attempt = self.request.retries >= MAX_RETRIES
    extractor = RuleBasedExtractor() if last_attempt else None
    try:
        operations = memory_apply_extraction(
            user=user,
            user_text=user_text or "",
            assistant_text=assistant_text or "",
            source_message_id=source_message_id,
            extractor=extractor,
        )
    except (ExtractionUnavailable, OperationalError, InterfaceError) as exc:
        logger.warning(
            "memory extraction failed, retrying",
            extra={"user_id": user_id, "attempt": self.request.retries + 1, "error": type(exc).__name__},
        )
        raise self.retry(exc=exc, countdown=min(300, 5 * 4**self.request.retries)) from exc
    counts = {op: sum(1 for o in operations if o.op == op) for op in ("ADD", "UPDATE", "INVALIDATE", "NONE")}
    return {"status": "ok", "user_id": user_id, "source_message_id": source_message_id, "operations": counts}
