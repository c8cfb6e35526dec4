"""Every 5 minutes: mail consultants' replies to clients who have had no chat open for a while (#16)."""

from django.db import migrations

NAME = "Handoff: mail staff replies to clients who are away"
TASK = "chat.tasks.staff_replies_mail"


def create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule, "enabled": True})


def remove(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("nuzantara", "0005_process_heartbeat")]
    operations = [migrations.RunPython(create, remove)]
