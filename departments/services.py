"""Changes to officer memberships: adding a user to a department, changing a membership.

Each service takes the acting user first, checks ``may_manage_memberships`` (superusers for any
membership, a department's head for its officers, center staff never), runs in one transaction,
records the actor in the membership's history and tells the department's active heads (except the
actor) what changed, in the app and by e-mail through the outbox. A membership is never deleted
(approvals and assignments name it): it is deactivated.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core import roles
from core.errors import DomainError
from departments.models import Department, Officer
from departments.permissions import is_center_staff_account, may_manage_memberships
from notifications.services import deliver_personal, languages_of

CHANGEABLE = ("role", "is_mobile_staff", "is_active", "display_name")


def _refused() -> DomainError:
    return DomainError(_("You may not make this change to the department's memberships: superusers manage every "
                         "membership, and a department's head the officers of their own department."),
                       code="forbidden")


def check_member(user) -> None:
    """Raise ``DomainError`` (field ``user``) unless ``user`` may hold an active membership: an active
    account that is neither the center's staff (who must not sign for a department) nor an
    enterprise's account (who must not see other enterprises' requests)."""
    if not user.is_active:
        raise DomainError(_("This account is inactive."), field="user")
    if is_center_staff_account(user) or user.is_superuser:
        raise DomainError(_("A member of the center's staff cannot be a member of a department: the center's staff "
                            "and the departments' signing are kept apart."), field="user")
    if user.enterprises.exists() or user.groups.filter(name=roles.ENTERPRISE).exists():
        raise DomainError(_("An enterprise's account cannot be a member of a department."), field="user")


def add_membership(*, actor, user, department: Department, display_name: str, role: str = Officer.Role.OFFICER,
                   is_mobile_staff: bool = False, is_active: bool = True) -> Officer:
    """Make ``user`` an officer (or head) of ``department``. Atomic; the history names ``actor``; the
    department's active heads other than the actor are told (in the app and by e-mail, after the commit).

    Raises ``DomainError`` (code ``forbidden``) if the actor may not add this membership (a head adds
    officers of their own department only), and (with its field) for an unknown role, an empty display
    name, a user who is already a member of the department, or one who may not be a member (inactive,
    center staff, an enterprise's account).
    """
    if role not in Officer.Role.values:
        raise DomainError(_("Choose officer or head."), field="role")
    if not may_manage_memberships(actor, department, role=role):
        raise _refused()
    if not display_name.strip():
        raise DomainError(_("Give the name shown on stamps."), field="display_name")
    if is_active:
        check_member(user)
    membership = Officer(user=user, department=department, role=role, is_mobile_staff=is_mobile_staff,
                         is_active=is_active, display_name=display_name.strip())
    membership._history_user = actor
    with transaction.atomic():
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:
            raise DomainError(_("This user is already a member of this department."), field="user")
        _tell_heads(actor=actor, membership=membership, changes=None)
    return membership


def change_membership(*, actor, membership: Officer, role: str | None = None, is_mobile_staff: bool | None = None,
                      is_active: bool | None = None, display_name: str | None = None) -> Officer:
    """Change a membership's role, mobile-staff flag, active flag or display name (None: unchanged).

    Atomic, under a row lock, and checked on the locked row (a head changes officers of their own
    department only, never into heads, never their own membership). The history names ``actor`` and
    is written, and the department's active heads other than the actor are told (the membership's
    own user too when it was a head), only when something changed. The user and the department of a
    membership never change: add another one instead.
    """
    if role is not None and role not in Officer.Role.values:
        raise DomainError(_("Choose officer or head."), field="role")
    if display_name is not None and not display_name.strip():
        raise DomainError(_("Give the name shown on stamps."), field="display_name")
    wanted = {"role": role, "is_mobile_staff": is_mobile_staff, "is_active": is_active,
              "display_name": display_name.strip() if display_name is not None else None}
    with transaction.atomic():
        locked = Officer.objects.select_for_update().select_related("department", "user").get(pk=membership.pk)
        new_role = role if role is not None and role != locked.role else None
        if not may_manage_memberships(actor, locked.department, role=new_role, membership=locked):
            raise _refused()
        changes = [(name, getattr(locked, name), value) for name, value in wanted.items()
                   if value is not None and getattr(locked, name) != value]
        if not changes:
            return locked
        was_head = locked.is_active and locked.role == Officer.Role.HEAD
        for name, _before, value in changes:
            setattr(locked, name, value)
        if locked.is_active:
            check_member(locked.user)
        locked._history_user = actor
        locked.save(update_fields=[name for name, _before, _after in changes])
        _tell_heads(actor=actor, membership=locked, changes=changes, also=[locked.user] if was_head else [])
    return locked


def _tell_heads(*, actor, membership: Officer, changes: list | None, also=()) -> int:
    """Tell the department's active heads (and ``also``), except the actor, who changed what: each
    in their own language, in the app and by e-mail (queued in the outbox, sent after the commit)."""
    department = membership.department
    people = {m.user_id: m.user for m in Officer.objects.filter(
        department=department, role=Officer.Role.HEAD, is_active=True, user__is_active=True).select_related("user")}
    people.update({user.pk: user for user in also if user.is_active})
    people.pop(actor.pk, None)
    if not people:
        return 0
    languages = languages_of(people)
    link = f"/desk/members/{department.pk}/"
    actor_name = _name_of(actor, department)
    messages = []
    for user_id, user in people.items():
        with translation.override(languages[user_id]):
            subject, body = _change_text(actor_name=actor_name, membership=membership, changes=changes)
        messages.append((user_id, user.email, subject, f"{body}\n\n{link}", link))
    notices, _mails = deliver_personal(messages)
    return notices


def _name_of(actor, department: Department) -> str:
    """Who acted, as the heads know them: their display name in the department (else their full
    name), and their user name."""
    shown = (Officer.objects.filter(user=actor, department=department).values_list("display_name", flat=True).first()
             or actor.get_full_name())
    return f"{shown} ({actor.get_username()})" if shown else actor.get_username()


def _shown(name: str, value) -> str:
    if name == "role":
        return str(Officer.Role(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _change_text(*, actor_name: str, membership: Officer, changes: list | None) -> tuple[str, str]:
    """The subject and body of a membership notice, in the active language."""
    department = membership.department
    english = (translation.get_language() or "").startswith("en")
    department_name = (department.name_en if english else "") or department.name_zh
    member = f"{membership.display_name} ({membership.user.get_username()})"
    subject = _("Membership change in %(department)s") % {"department": department_name}
    if changes is None:
        body = _("%(actor)s added %(member)s to %(department)s as %(role)s.") % {
            "actor": actor_name, "member": member, "department": department_name,
            "role": _shown("role", membership.role)}
        if not membership.is_active:
            body += " " + _("The membership is inactive.")
        return subject, body
    lines = [_("%(actor)s changed the membership of %(member)s in %(department)s:") % {
        "actor": actor_name, "member": member, "department": department_name}]
    for name, before, after in changes:
        label = Officer._meta.get_field(name).verbose_name
        lines.append(f"- {label}: {_shown(name, before)} → {_shown(name, after)}")
    return subject, "\n".join(lines)
