"""The daily erasure of golden lookup log rows older than GOLDEN_LOOKUP_RETENTION_DAYS (UTC), editable in the admin."""

from django.db import migrations

NAME = "Golden answers: daily lookup log retention"
TASK = "knowledge.golden.tasks.golden_lookup_log_expire"


def create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule, "enabled": True})


def remove(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("nuzantara", "0002_default_schedules")]
    operations = [migrations.RunPython(create, remove)]
