"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """Records staff may look at but not add or edit (logs, audits, job results). Works for ModelAdmin and inlines."""

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
