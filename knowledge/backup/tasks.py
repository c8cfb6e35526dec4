from celery import shared_task

from .storage import BackupNotConfigured


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1750,
    max_retries=3,
    retry_backoff=60,
    retry_jitter=True,
)
def backup_knowledge_index(self) -> dict:
    """Nightly: snapshot the Chroma index to R2. A failed attempt is recorded `failed` and retried with backoff."""
    from .services import backup_create

    try:
        backup = backup_create(attempt=self.request.retries + 1)
    except BackupNotConfigured as exc:
        return {"skipped": str(exc)}
    except Exception as exc:
        raise self.retry(exc=exc) from exc
    return {"key": backup.key, "bytes": backup.size_bytes, "sha256": backup.sha256}
