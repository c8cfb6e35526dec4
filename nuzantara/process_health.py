"""/health checks for the background processes, when a broker is configured: the Celery worker answers a ping, and
beat's heartbeat row is recent. Without a broker tasks run in the web process (eager) and both are "not configured"."""

import datetime

from django.conf import settings
from django.utils import timezone

from nuzantara.health import CheckResult

WORKER_PING_TIMEOUT_S = 1.0
BEAT_STALE_AFTER = datetime.timedelta(minutes=3)


def check_worker() -> CheckResult:
    """ "ok" as soon as a worker answers a ping (limit=1: a probe does not wait out the timeout), else "no reply"."""
    if not settings.REDIS_URL:
        return CheckResult("not configured")
    from nuzantara.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=WORKER_PING_TIMEOUT_S)
        replies = app.control.ping(timeout=WORKER_PING_TIMEOUT_S, limit=1, connection=connection)
    if not replies:
        return CheckResult(
            "no reply",
            healthy=False,
            reason=f"no Celery worker answered a ping within {WORKER_PING_TIMEOUT_S:.0f} s: background jobs wait",
        )
    return CheckResult("ok")


def check_beat() -> CheckResult:
    """ "ok" when beat wrote its heartbeat in the last 3 minutes (it writes one each minute)."""
    if not settings.REDIS_URL:
        return CheckResult("not configured")
    from nuzantara.beat import BEAT_HEARTBEAT
    from nuzantara.models import ProcessHeartbeat

    heartbeat = ProcessHeartbeat.objects.filter(name=BEAT_HEARTBEAT).first()
    if heartbeat is None:
        return CheckResult("never seen", healthy=False, reason="celery beat has not written a heartbeat yet")
    age = timezone.now() - heartbeat.beat_at
    if age > BEAT_STALE_AFTER:
        return CheckResult(
            "stale",
            healthy=False,
            reason=f"celery beat's last heartbeat is {age.total_seconds() / 60:.0f} min old: scheduled jobs do not run",
        )
    return CheckResult("ok")
