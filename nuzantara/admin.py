from django.contrib import admin

from .models import JobFailure


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    list_display = ["created_at", "task_name", "exception"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "exception"]
    readonly_fields = ["task_name", "task_id", "exception", "traceback", "created_at"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
