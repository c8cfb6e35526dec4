from django.contrib import admin

from nuzantara.admin_mixins import ReadOnlyAdminMixin

from .models import MemoryDeletion


@admin.register(MemoryDeletion)
class MemoryDeletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The erasure audit, read-only. Users' facts have no admin screen: they are the user's to see, not staff's."""

    list_display = ["created_at", "user", "count", "how"]
    list_filter = ["how"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
