from collections.abc import Callable

from celery import shared_task

from .models import Backup
from .services import BackupSkipped
from .storage import BackupNotConfigured

RETRYING = {"acks_late": True, "max_retries": 3, "retry_backoff": 60, "retry_jitter": True}


def _run_backup(task, create: Callable[..., Backup]) -> dict:  # noqa: ANN001 - a bound Celery task
    """A skipped backup is recorded by the service and not retried; a failed one is recorded and retried."""
    try:
        backup = create(attempt=task.request.retries + 1)
    except (BackupNotConfigured, BackupSkipped) as exc:
        return {"skipped": str(exc)}
    except Exception as exc:
        raise task.retry(exc=exc) from exc
    return {"key": backup.key, "bytes": backup.size_bytes, "sha256": backup.sha256}


@shared_task(bind=True, time_limit=1800, soft_time_limit=1750, **RETRYING)
def backup_knowledge_index(self) -> dict:
    """Nightly: snapshot the Chroma index to R2. A failed attempt is recorded `failed` and retried with backoff."""
    from .services import backup_create

    return _run_backup(self, backup_create)


@shared_task(bind=True, time_limit=3600, soft_time_limit=3550, **RETRYING)
def backup_database(self) -> dict:
    """Nightly: dump the database (the source of truth) to R2."""
    from .database import database_backup_create

    return _run_backup(self, database_backup_create)


@shared_task(bind=True, time_limit=3600, soft_time_limit=3550, **RETRYING)
def backup_media(self) -> dict:
    """Nightly: copy the uploaded originals not yet in R2 and write the day's manifest."""
    from .media import media_backup_create

    return _run_backup(self, media_backup_create)
