"""Admin pieces every app's admin may use."""
from django.utils.html import format_html


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
