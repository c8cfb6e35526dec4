"""The default beat schedules (UTC), editable in the admin afterwards; re-running keeps admin edits."""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day_of_week)
    ("Golden answers: nightly drafts", "knowledge.golden.tasks.golden_draft_nightly", ("0", "2", "*")),
    ("Knowledge index: nightly backup to R2", "knowledge.backup.tasks.backup_knowledge_index", ("0", "3", "*")),
    ("Conversations: hourly summaries", "chat.tasks.summarize_long_conversations", ("5", "*", "*")),
    ("Knowledge: weekly stale report", "knowledge.tasks.stale_knowledge_report", ("0", "6", "1")),
]


def create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day_of_week) in SCHEDULES:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule, "enabled": True})


def remove(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nuzantara", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
