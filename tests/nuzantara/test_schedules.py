import pytest
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_default_schedules_exist_after_migrate():
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab")}

    drafts = tasks["knowledge.golden.tasks.golden_draft_nightly"].crontab
    backup = tasks["knowledge.backup.tasks.backup_knowledge_index"].crontab
    assert (drafts.hour, drafts.minute, str(drafts.timezone)) == ("2", "0", "UTC")
    assert (backup.hour, backup.minute) == ("3", "0")
    assert tasks["chat.tasks.summarize_long_conversations"].crontab.hour == "*"
    assert tasks["knowledge.tasks.stale_knowledge_report"].crontab.day_of_week == "1"
    database = tasks["knowledge.backup.tasks.backup_database"].crontab
    media = tasks["knowledge.backup.tasks.backup_media"].crontab
    assert (database.hour, database.minute, media.hour, media.minute) == ("2", "30", "2", "45")
    assert all(t.enabled for t in tasks.values())


def test_every_scheduled_task_is_registered_with_celery():
    from nuzantara.celery import app

    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list("task", flat=True))

    assert scheduled <= set(app.tasks)
