"""Admin pieces every app's admin may use."""


class ReadOnlyAdminMixin:
    """Rows nobody adds, changes or deletes here; viewing needs the view permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
