"""The admin of API clients, for superusers: every change goes through ``api.services``."""
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import ApiClient
from api.permissions import may_manage_clients


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Superusers create a client (its token is shown once, on saving), rename it, set its scope, and
    revoke it or give it a new token with the actions; tokens, times and revocation are the services'."""

    list_display = ["name", "user", "scope", "token_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "new_token"]

    def get_readonly_fields(self, request, obj=None):
        # The token acts as its user: a client keeps the user it was issued for.
        return [*self.readonly_fields, "user"] if obj is not None else self.readonly_fields

    def has_add_permission(self, request):
        return may_manage_clients(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return may_manage_clients(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the list keeps every system that ever had access

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # the name and the scope
            return
        with transaction.atomic():
            client, token = services.issue_client_token(actor=request.user, name=obj.name, user=obj.user,
                                                        scope=obj.scope)
        obj.pk = client.pk
        obj.refresh_from_db()
        messages.warning(request, _("Token for %(name)s (shown once, copy it now): %(token)s")
                         % {"name": client.name, "token": token})

    @admin.action(description=_("Revoke the selected clients' tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        with transaction.atomic():
            count = sum(services.revoke_client(actor=request.user, client=client) for client in queryset)
        messages.success(request, _("%(count)d revoked.") % {"count": count})

    @admin.action(description=_("Issue a new token (the old one stops working)"), permissions=["change"])
    def new_token(self, request, queryset):
        for client in queryset:
            token = services.renew_client_token(actor=request.user, client=client)
            messages.warning(request, _("Token for %(name)s (shown once, copy it now): %(token)s")
                             % {"name": client.name, "token": token})
