"""Changes to API clients: issuing a client and its token, a new token, revoking.

Each service takes the acting user first, checks ``may_manage_clients`` and runs in one
transaction. Only a token's hash is stored; the token itself is returned once, to be shown once.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiClient
from core.errors import DomainError
from api.permissions import may_manage_clients


def _require(actor) -> None:
    if not may_manage_clients(actor):
        raise DomainError(_("Only a superuser can manage API clients."), code="forbidden")


def issue_client_token(*, actor, name: str, user, scope: str = ApiClient.Scope.READ) -> tuple[ApiClient, str]:
    """Create a client acting as ``user`` with ``scope``, and its first token. Atomic.

    Returns the client and the token, which is not stored and cannot be shown again."""
    _require(actor)
    client = ApiClient(name=name.strip(), user=user, scope=scope)
    token = client.issue_token()
    with transaction.atomic():
        client.save()
    return client, token


def renew_client_token(*, actor, client: ApiClient) -> str:
    """Give the client a new token: the old one stops working at once, a revoked client works again.
    Atomic, under a row lock. Returns the new token (shown once)."""
    _require(actor)
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        token = locked.issue_token()
        locked.revoked_at = None
        locked.save(update_fields=["token_prefix", "token_hash", "revoked_at"])
    client.refresh_from_db()
    return token


def revoke_client(*, actor, client: ApiClient) -> bool:
    """Revoke the client's token from now on. Atomic, under a row lock, idempotent: revoking a revoked
    client changes nothing. Returns whether this call revoked it."""
    _require(actor)
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    client.refresh_from_db()
    return True
