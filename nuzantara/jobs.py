"""Celery signal handlers: a task that fails for good is recorded as a JobFailure row (admin-visible) and logged."""

import logging
import traceback as tb

from celery.signals import task_failure

logger = logging.getLogger("nuzantara.jobs")


@task_failure.connect
def record_task_failure(sender=None, task_id=None, exception=None, einfo=None, **kwargs) -> None:  # noqa: ANN001
    from .models import JobFailure

    name = getattr(sender, "name", str(sender))
    logger.error("task failed", extra={"task": name, "task_id": task_id, "error": type(exception).__name__})
    try:
        JobFailure.objects.create(
            task_name=name,
            task_id=task_id or "",
            exception=f"{type(exception).__name__}: {exception}"[:500],
            traceback=str(einfo) if einfo else "".join(tb.format_exception(exception))[-10000:],
        )
    except Exception:  # the database may be the thing that failed; the log line above remains
        logger.exception("could not record a task failure")
