"""The system: the account that beat's and the workers' tasks act as, so that history always names
someone. It exists from the first migration on (``center`` creates it), is inactive and has no
usable password, so nobody signs in as it, by a page, the admin or the API."""
from __future__ import annotations

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


def system_user():
    """The system account (created here only where the migration has not run, e.g. a bare test)."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "系统 System"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_user(user) -> bool:
    return bool(user is not None and user.username == SYSTEM_USERNAME and not user.is_active
                and not user.has_usable_password())
