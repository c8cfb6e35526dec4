"""The lookup log keeps its rows (questions as asked) for GOLDEN_LOOKUP_RETENTION_DAYS, and no fewer days than the
nightly drafts read."""

import datetime

import pytest
from django.utils import timezone

from knowledge.golden.models import GoldenLookup
from knowledge.golden.selectors import golden_answer_lookup
from knowledge.golden.tasks import golden_lookup_log_expire


def logged(query: str, *, days_ago: float, conversation_id: int | None = None) -> GoldenLookup:
    return GoldenLookup.objects.create(
        query=query, created_at=timezone.now() - datetime.timedelta(days=days_ago), conversation_id=conversation_id
    )


@pytest.mark.django_db
def test_the_retention_task_erases_only_rows_older_than_the_retention(settings):
    settings.GOLDEN_LOOKUP_RETENTION_DAYS = 30
    old = logged("an old question", days_ago=31)
    recent = logged("a recent question", days_ago=29)
    today = logged("a question of today", days_ago=0)

    result = golden_lookup_log_expire.apply().get()

    assert result == {"deleted": 1}
    assert set(GoldenLookup.objects.values_list("pk", flat=True)) == {recent.pk, today.pk}
    assert not GoldenLookup.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_a_lookup_keeps_the_asking_conversations_id_and_none_without_one():
    golden_answer_lookup(query="Where can I surf in Uluwatu?", conversation_id=4242)
    golden_answer_lookup(query="Where can I surf in Uluwatu?")

    assert sorted(GoldenLookup.objects.values_list("conversation_id", flat=True), key=str) == [4242, None]


@pytest.mark.django_db
def test_the_retention_is_scheduled_daily():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.select_related("crontab").get(task="knowledge.golden.tasks.golden_lookup_log_expire")

    assert task.enabled and task.crontab.day_of_week == "*" and task.crontab.hour == "4"


def test_a_retention_shorter_than_the_drafting_window_refuses_to_start(run_manage):
    result = run_manage("check", env={"GOLDEN_DRAFT_WINDOW_DAYS": "7", "GOLDEN_LOOKUP_RETENTION_DAYS": "6"})

    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("Configuration error: GOLDEN_LOOKUP_RETENTION_DAYS must be >= GOLDEN_DRAFT_WINDOW_DAYS (7)")
    )


def test_the_default_retention_covers_the_drafting_window():
    from django.conf import settings

    assert settings.GOLDEN_LOOKUP_RETENTION_DAYS == 90 >= settings.GOLDEN_DRAFT_WINDOW_DAYS == 7
