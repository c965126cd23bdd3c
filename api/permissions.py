"""Who may manage the API's clients (other systems' tokens); the one source for services and the admin."""
from __future__ import annotations


def may_manage_clients(actor) -> bool:
    """Superusers only: a client's token acts as its user, with that user's roles and memberships."""
    return bool(actor and actor.is_authenticated and actor.is_active and actor.is_superuser)
