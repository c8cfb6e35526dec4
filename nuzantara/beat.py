"""Celery beat's scheduler: django-celery-beat's database scheduler that also writes a heartbeat row each minute.

The row is written by beat itself (not by a task a worker runs), so /health tells a stopped beat from a stopped worker.
"""

import logging
import time

from django.db import DatabaseError
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from nuzantara.models import ProcessHeartbeat

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT = "beat"
HEARTBEAT_EVERY_S = 60


def heartbeat_record(*, name: str) -> None:
    ProcessHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


class HeartbeatScheduler(DatabaseScheduler):
    """Runs every tick (at most 5 s apart); writes the "beat" heartbeat when the last one is a minute old."""

    _last_heartbeat = float("-inf")

    def tick(self, *args, **kwargs) -> float:
        if time.monotonic() - self._last_heartbeat >= HEARTBEAT_EVERY_S:
            try:
                heartbeat_record(name=BEAT_HEARTBEAT)
                self._last_heartbeat = time.monotonic()
            except DatabaseError as exc:  # the schedule itself needs the database: /health will show it stale
                logger.warning("beat heartbeat not written", extra={"error": type(exc).__name__})
        return super().tick(*args, **kwargs)
