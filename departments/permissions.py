"""Who may manage the departments' officer memberships; the one source for services and the admin."""
from __future__ import annotations

from departments.models import Department


def may_manage_memberships(actor, department: Department | None = None) -> bool:
    """Whether ``actor`` may add officers to ``department`` or change their role, mobile-staff flag,
    display name or active flag (any department when ``department`` is None).

    For now only superusers may: memberships decide who sees and stamps a department's work. A head
    managing the own department's officers is a later change of this one function.
    """
    return bool(actor and actor.is_authenticated and actor.is_active and actor.is_superuser)
