"""The nightly backups of the database and the uploaded originals to R2 (UTC), editable in the admin afterwards."""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour): before the index backup at 03:00
    ("Database: nightly backup to R2", "knowledge.backup.tasks.backup_database", ("30", "2")),
    ("Uploaded originals: nightly backup to R2", "knowledge.backup.tasks.backup_media", ("45", "2")),
]


def create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour) in SCHEDULES:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule, "enabled": True})


def remove(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("nuzantara", "0003_golden_lookup_retention_schedule")]
    operations = [migrations.RunPython(create, remove)]
