"""Token authentication for other systems and the scope check; object rules stay in
workorders.permissions (the querysets the views start from)."""
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from api.models import ApiClient


KEYWORD = "Token"
REFUSED_TOKEN = "Invalid or revoked token."
_NOT_LOOKED_UP = object()


def carries_client_token(http_request) -> bool:
    """Whether the request's ``Authorization`` header names the client-token scheme (accepted or not)."""
    header = http_request.META.get("HTTP_AUTHORIZATION", "").split()
    return bool(header) and header[0].lower() == KEYWORD.lower()


def accepted_client(http_request) -> ApiClient | None:
    """The API client whose token the request carries, if the token is well-formed, known, not revoked
    and its user active; else None. Looked up once per request (the two-factor gate asks before the
    API does), so the gate and the API's authentication decide on the same answer."""
    cached = getattr(http_request, "_center_api_client", _NOT_LOOKED_UP)
    if cached is not _NOT_LOOKED_UP:
        return cached
    client = None
    header = http_request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) == 2 and header[0].lower() == KEYWORD.lower():
        client = (ApiClient.objects.select_related("user")
                  .filter(token_hash=ApiClient.hash(header[1]), revoked_at__isnull=True, user__is_active=True)
                  .first())
    http_request._center_api_client = client
    return client


class ClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        if not carries_client_token(request._request):
            return None
        if len(request._request.META["HTTP_AUTHORIZATION"].split()) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        client = accepted_client(request._request)
        if client is None:
            raise exceptions.AuthenticationFailed(REFUSED_TOKEN)
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
