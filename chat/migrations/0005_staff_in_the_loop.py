"""Staff in the loop (#16): staff replies in the thread, and the handoff workflow open -> assigned -> waiting -> resolved.

Today's `contacted` requests become `assigned`, `closed` ones `resolved`; the `handoff` group holds the staff on duty.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUS_MAP = {"contacted": "assigned", "closed": "resolved"}


def statuses_forward(apps, schema_editor) -> None:
    HandoffRequest = apps.get_model("chat", "HandoffRequest")
    for old, new in STATUS_MAP.items():
        HandoffRequest.objects.filter(status=old).update(status=new)
    for request in HandoffRequest.objects.select_related("conversation").filter(language=""):
        request.language = request.conversation.language
        request.save(update_fields=["language"])
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="handoff")


def statuses_backward(apps, schema_editor) -> None:
    HandoffRequest = apps.get_model("chat", "HandoffRequest")
    for old, new in STATUS_MAP.items():
        HandoffRequest.objects.filter(status=new).update(status=old)
    HandoffRequest.objects.filter(status="waiting").update(status="contacted")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("chat", "0004_handoff_preferred_time"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="role",
            field=models.CharField(
                choices=[("user", "User"), ("assistant", "Assistant"), ("staff", "Staff")], max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="source",
            field=models.CharField(
                choices=[
                    ("user", "You"),
                    ("llm", "AI answer"),
                    ("golden", "Curated answer"),
                    ("offline", "Offline"),
                    ("handoff", "Handoff"),
                    ("memory", "Memory"),
                    ("staff", "Consultant"),
                ],
                default="user",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="staff_replies",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="message", name="author_name", field=models.CharField(blank=True, max_length=150)
        ),
        migrations.AddField(model_name="message", name="seen_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="message", name="mailed_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AlterField(
            model_name="handoffrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("assigned", "Assigned"),
                    ("waiting", "Waiting for the client"),
                    ("resolved", "Resolved"),
                ],
                default="open",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="handoffrequest", name="language", field=models.CharField(blank=True, max_length=2)
        ),
        migrations.AddField(
            model_name="handoffrequest",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"is_staff": True},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_handoffs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="handoffrequest",
            name="first_reply_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="handoffrequest", name="resolved_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddIndex(
            model_name="handoffrequest",
            index=models.Index(fields=["status", "-created_at"], name="chat_handof_status_ff86ad_idx"),
        ),
        migrations.RunPython(statuses_forward, statuses_backward),
    ]
