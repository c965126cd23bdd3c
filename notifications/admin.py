"""The admin of notices and outgoing e-mail, for superusers: both are written by
``notifications.services`` (``notify``, ``mark_read``, ``send_pending_emails``) and only viewed here."""
from django.contrib import admin

from core.admin_mixins import ReadOnlyAdminMixin
from notifications.models import Notification, OutboundEmail, Preference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = ["to", "subject", "body", "status", "attempts", "last_error", "created_at", "sent_at"]
    date_hierarchy = "created_at"


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []  # a preference stays with its user
