from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Staff create a client (its token is shown once, on saving) and revoke it."""

    list_display = ["name", "user", "scope", "token_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "new_token"]

    def save_model(self, request, obj, form, change):
        if not change:
            token = obj.issue_token()
            super().save_model(request, obj, form, change)
            messages.warning(request, _("Token for %(name)s (shown once, copy it now): %(token)s")
                             % {"name": obj.name, "token": token})
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected clients' tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)d revoked.") % {"count": count})

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def new_token(self, request, queryset):
        for client in queryset:
            token = client.issue_token()
            client.revoked_at = None
            client.save(update_fields=["token_prefix", "token_hash", "revoked_at"])
            messages.warning(request, _("Token for %(name)s (shown once, copy it now): %(token)s")
                             % {"name": client.name, "token": token})
