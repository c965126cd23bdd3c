"""Who may manage the departments' officer memberships; the one source for services, the admin and
the heads' members page.

Memberships decide who sees a department's work and who signs its stamps, so the center's staff
and the departments' signing are kept apart: center staff never change a membership (unless they
are also superusers), a department's head changes only the officers of their own department, and
superusers change any membership.
"""
from __future__ import annotations

from django.db.models import QuerySet

from core import roles
from departments.models import Department, Officer


def _is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_center_staff_account(user) -> bool:
    """An account of the center's staff: the admin's ``is_staff`` flag or the center-staff role."""
    return bool(user.is_staff or user.groups.filter(name=roles.CENTER_STAFF).exists())


def heads(user) -> QuerySet[Officer]:
    """The user's active head memberships of active departments (none for center staff, who never
    manage memberships through one)."""
    if not _is_active_user(user):
        return Officer.objects.none()
    return Officer.objects.filter(user=user, role=Officer.Role.HEAD, is_active=True, department__is_active=True)


def may_manage_memberships(actor, department: Department | None = None, *, role: str | None = None,
                           membership: Officer | None = None, managed: set[int] | None = None) -> bool:
    """Whether ``actor`` may add a membership to ``department`` (with ``role``, when given) or change
    ``membership`` (to ``role``, when given). ``department`` defaults to the membership's; None
    with no membership asks about any department. ``managed``: the ids of
    ``selectors.departments_managed_by(actor)`` when the caller already has them (a page asking
    about each of its rows), which saves the queries.

    - Superusers: any department, any role, any membership.
    - Center staff (``is_staff`` or the center-staff role) who are not superusers: never.
    - An active head of an active department: that department's officers only. A head adds and
      changes memberships with the officer role; never appoints a head, never changes a head's
      membership (their own included), never touches another department.
    - Everyone else: never.
    """
    if not _is_active_user(actor):
        return False
    if actor.is_superuser:
        return True
    if department is None and membership is not None:
        department = membership.department
    if department is None:
        return False
    if managed is None and is_center_staff_account(actor):
        return False
    if membership is not None and (membership.department_id != department.pk
                                   or membership.role != Officer.Role.OFFICER or membership.user_id == actor.pk):
        return False
    if role is not None and role != Officer.Role.OFFICER:
        return False
    if managed is not None:
        return department.pk in managed
    return heads(actor).filter(department=department).exists()
