"""Admin pieces every app's admin may use."""
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin (the history list and each past version) without its revert.

    The revert page saves the old version's every field on POST, past the services and the change
    form's read-only fields, and simple_history lets anyone who may *view* the history post it: center
    staff could put a finished assignment back to issued, or a membership back to head. Changes go
    through the change form and the services instead; a past version is shown, never saved.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def revert_disabled(self, request, obj=None):
        return True


class ReadOnlyAdminMixin:
    """Rows nobody adds, changes or deletes here; viewing needs the view permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CreatedByServicesMixin:
    """Rows that services create and change: staff view them here; nobody adds, edits or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def all_fields(model) -> list[str]:
    """Every concrete and many-to-many field of ``model``, for ``readonly_fields``."""
    return [f.name for f in (*model._meta.concrete_fields, *model._meta.many_to_many) if not f.primary_key]


def center_page(url: str, text) -> str:
    """A link from a read-only admin page to the center's page that calls the service."""
    return format_html('<a href="{}">{}</a>', url, text)
