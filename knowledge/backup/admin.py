from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat

from nuzantara.admin_mixins import ReadOnlyAdminMixin

from .models import Backup


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "key", "status", "size", "documents", "chunks", "duration_ms", "attempts"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Backup._meta.fields]
    actions = ["back_up_now"]

    @admin.display(description="size", ordering="size_bytes")
    def size(self, obj: Backup) -> str:
        return filesizeformat(obj.size_bytes)

    @admin.action(description="Back up the knowledge index now")
    def back_up_now(self, request, queryset) -> None:  # noqa: ANN001
        from .tasks import backup_knowledge_index

        backup_knowledge_index.delay()
        self.message_user(request, "Backup queued; it appears here when it finishes.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        # The action needs no selection: allow it on an empty list too.
        if request.POST.get("action") == "back_up_now" and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
            self.back_up_now(request, Backup.objects.none())
            from django.shortcuts import redirect

            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)
