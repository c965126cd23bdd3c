"""Who acts for an enterprise. The one check, kept here because ``projects`` owns enterprises and
knows nothing of the apps above it; ``workorders.permissions`` re-exports it for requests."""
from __future__ import annotations

from projects.models import Enterprise


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def acts_for_enterprise(user, enterprise_or_row, *, accounts=None) -> bool:
    """Whether ``user`` is an active account of the enterprise. ``enterprise_or_row`` is an
    ``Enterprise`` or any row that belongs to one (it has ``enterprise_id``: a project, a request).
    One query, or none when the caller already holds the enterprise's ``accounts`` (its users);
    deny by default (no user, an inactive one, a row of no enterprise)."""
    if not is_active_user(user):
        return False
    if accounts is not None:
        return user.pk in {account.pk for account in accounts}
    if isinstance(enterprise_or_row, Enterprise):
        enterprise_id = enterprise_or_row.pk
    else:
        enterprise_id = getattr(enterprise_or_row, "enterprise_id", None)
    if enterprise_id is None:
        return False
    return Enterprise.users.through.objects.filter(enterprise_id=enterprise_id, user_id=user.pk).exists()
