from django.contrib import admin

from .models import MemoryDeletion


@admin.register(MemoryDeletion)
class MemoryDeletionAdmin(admin.ModelAdmin):
    """The erasure audit, read-only. Users' facts have no admin screen: they are the user's to see, not staff's."""

    list_display = ["created_at", "user", "count", "how"]
    list_filter = ["how"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
