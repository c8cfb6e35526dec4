from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat, truncatechars
from django.urls import path

from nuzantara.admin_mixins import ReadOnlyAdminMixin

from .models import Backup


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "key", "size", "documents", "chunks", "duration_ms", "problem"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Backup._meta.fields]
    change_list_template = "admin/backup/backup/change_list.html"
    actions = None  # "Back up now" is a button above the list: it needs no selection and shows on an empty list

    @admin.display(description="size", ordering="size_bytes")
    def size(self, obj: Backup) -> str:
        return filesizeformat(obj.size_bytes)

    @admin.display(description="problem")
    def problem(self, obj: Backup) -> str:
        return truncatechars(obj.error, 120)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [path("back-up-now/", view(self.back_up_now_view), name="backup_backup_now"), *super().get_urls()]

    def back_up_now_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        from .tasks import backup_database, backup_knowledge_index, backup_media

        for task in (backup_database, backup_media, backup_knowledge_index):
            task.delay()
        self.message_user(
            request, "Backups of the database, the originals and the index queued; they appear here when done.",
            messages.SUCCESS,
        )  # fmt: skip
        return redirect("admin:backup_backup_changelist")

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "GET":
            for kind in Backup.Kind:
                latest = Backup.objects.filter(kind=kind).exclude(status=Backup.Status.DELETED).first()
                if latest is None:
                    self.message_user(request, f"{kind.label}: no backup yet.", messages.WARNING)
                elif latest.status in {Backup.Status.FAILED, Backup.Status.SKIPPED}:
                    when = f"{latest.created_at:%Y-%m-%d %H:%M} UTC"
                    self.message_user(
                        request, f"{kind.label}: the last backup ({when}) {latest.status}: {latest.error}",
                        messages.ERROR,
                    )  # fmt: skip
        return super().changelist_view(request, extra_context)
