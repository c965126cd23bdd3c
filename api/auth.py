"""Token authentication for other systems and the scope check; object rules stay in
workorders.permissions (the querysets the views start from)."""
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from api.models import ApiClient


class ClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        client = (ApiClient.objects.select_related("user")
                  .filter(token_hash=ApiClient.hash(header[1].decode(errors="replace")), revoked_at__isnull=True)
                  .first())
        if client is None or not client.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client.user, client

    def authenticate_header(self, request):
        return self.keyword


class ScopeAllowsMethod(permissions.BasePermission):
    """Read-only tokens read; writing needs a write token (session users are judged by the services)."""

    message = "This token may only read."

    def has_permission(self, request, view):
        client = request.auth if isinstance(request.auth, ApiClient) else None
        if client is None or request.method in permissions.SAFE_METHODS:
            return True
        return client.scope == ApiClient.Scope.WRITE
