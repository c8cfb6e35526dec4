"""/health's `worker` and `beat` checks: a ping to the Celery workers and beat's heartbeat row. A failing one makes
/health "degraded" with 200 (a platform must not restart web processes for it); database and Redis alone give 503."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from nuzantara.models import ProcessHeartbeat

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker); .ci/run sets it"),
]


def _beat_at(minutes_ago: float) -> None:
    ProcessHeartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": timezone.now() - datetime.timedelta(minutes=minutes_ago)}
    )


def test_no_running_worker_makes_health_degraded_but_200(client):
    _beat_at(0)

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["worker"] == "no reply"
    assert body["status"] == "degraded"
    assert "no Celery worker answered a ping" in body["reasons"]["worker"]


def test_a_beat_heartbeat_of_two_minutes_ago_is_ok(client):
    _beat_at(2)

    body = client.get("/health").json()

    assert body["checks"]["beat"] == "ok"
    assert "beat" not in body.get("reasons", {})


def test_a_beat_heartbeat_older_than_three_minutes_is_stale_and_degraded_with_200(client):
    _beat_at(4)

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["checks"]["beat"] == "stale"
    assert response.json()["status"] == "degraded"
    assert "4 min old" in response.json()["reasons"]["beat"]


def test_beat_never_seen_is_degraded(client):
    ProcessHeartbeat.objects.all().delete()

    body = client.get("/health").json()

    assert body["checks"]["beat"] == "never seen"
    assert "beat" in body["reasons"]


def test_without_a_broker_worker_and_beat_are_not_configured(client, settings):
    settings.REDIS_URL = ""

    body = client.get("/health").json()

    assert body["checks"]["worker"] == "not configured"
    assert body["checks"]["beat"] == "not configured"
