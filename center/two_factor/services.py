"""Two-factor sign-in: an authenticator app (TOTP, django-otp) for the people who hold the
center's and the department heads' powers.

Center staff and department heads may enrol one authenticator app; whoever has a confirmed one
types a code after the password before any page answers (``center.two_factor.middleware.TwoFactorRequired``).
With ``CENTER_TOTP_REQUIRED`` on, staff and heads without one must enrol first. Codes are checked
by django-otp's ``TOTPDevice``: a code is accepted once, and its throttling (1, 2, 4, ... seconds
of waiting after each wrong code) stays on everywhere a code is typed.
"""
from __future__ import annotations

import logging
import math
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError
from workorders.permissions import forget_role_facts, heads_a_department, is_center_staff, role_facts

logger = logging.getLogger(__name__)

DEVICE_NAME = "authenticator app"


class TwoFactorError(DomainError):
    """A code or a request about a device was refused (the domain error, for the code field).

    ``code`` is one of ``forbidden``, ``not_found``, ``exists``, ``wrong_code``, ``throttled``.
    """

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message, code=code, field="token")


@dataclass(frozen=True)
class _Outcome:
    accepted: bool
    locked_until: object = None  # a datetime when django-otp's throttling refused to look at the code


# --- who ------------------------------------------------------------------------------------------

def may_use_two_factor(user) -> bool:
    """Center staff (superusers too) and department heads may enrol; nobody else (deny by default)."""
    return is_center_staff(user) or heads_a_department(user)


# --- reads ----------------------------------------------------------------------------------------

def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app (the oldest, should the admin have added more)."""
    if not (user and user.is_authenticated):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user) -> bool:
    """Whether a code is asked of this user after the password (one small query)."""
    if not (user and user.is_authenticated):
        return False
    if user.is_active:
        return role_facts(user).has_device  # read with the roles, once per request
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_enrol(user, *, has_device: bool | None = None) -> bool:
    """With ``CENTER_TOTP_REQUIRED`` on: a member of staff or a head who has no authenticator app yet.
    ``has_device``: what the caller already knows of ``has_confirmed_device(user)`` (saves the query)."""
    if not (settings.CENTER_TOTP_REQUIRED and user and user.is_authenticated and may_use_two_factor(user)):
        return False
    return not (has_confirmed_device(user) if has_device is None else has_device)


def own_device(user, device_id) -> TOTPDevice | None:
    """The user's own device with this id, else ``None``: someone else's id finds nothing."""
    try:
        device_id = int(device_id)
    except (TypeError, ValueError):
        return None
    return TOTPDevice.objects.filter(user=user, pk=device_id).first()


def manual_entry_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


# --- state changes --------------------------------------------------------------------------------

def _require_may_enrol(actor) -> None:
    if not may_use_two_factor(actor):
        raise TwoFactorError(_("Only center staff and department heads can use two-factor sign-in here."),
                             code="forbidden")


def _lock_user(actor) -> None:
    """Serialises one person's enrolments and removals (on PostgreSQL; SQLite writes one at a time)."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()


def _check(device: TOTPDevice, token: str) -> _Outcome:
    """Asks django-otp, inside the caller's transaction with the device locked. A wrong code is
    counted by django-otp (and so throttled): callers must not roll their transaction back over it."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return _Outcome(accepted=False, locked_until=(details or {}).get("locked_until") or timezone.now())
    return _Outcome(accepted=device.verify_token(token))


def _refusal(outcome: _Outcome) -> TwoFactorError:
    if outcome.locked_until is not None:
        seconds = max(1, math.ceil((outcome.locked_until - timezone.now()).total_seconds()))
        return TwoFactorError(
            ngettext("Too many wrong codes. Wait %(seconds)d second, then type the code your app shows.",
                     "Too many wrong codes. Wait %(seconds)d seconds, then type the code your app shows.",
                     seconds) % {"seconds": seconds},
            code="throttled",
        )
    return TwoFactorError(
        _("That code is not right. Type the 6-digit code your authenticator app shows now, and check that "
          "the phone's clock is correct."),
        code="wrong_code",
    )


def _refuse_if_confirmed(actor) -> None:
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise TwoFactorError(_("Two-factor sign-in is already on. Remove your authenticator app first to "
                               "set up another."), code="exists")


def start_enrolment(*, actor) -> TOTPDevice:
    """The actor's pending (unconfirmed) authenticator app, created with a new random secret when
    there is none. Idempotent: showing the page again shows the same secret. Refused for roles that
    may not enrol and for someone whose app is already confirmed. Atomic."""
    _require_may_enrol(actor)
    with transaction.atomic():
        _lock_user(actor)
        _refuse_if_confirmed(actor)
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
    return device


def confirm_enrolment(*, actor, token: str) -> TOTPDevice:
    """Confirms the actor's pending authenticator app when ``token`` is the code it shows now, and
    deletes any other pending one; a wrong code leaves it unconfirmed (and counts towards
    django-otp's throttling). Atomic. Returns the confirmed device."""
    _require_may_enrol(actor)
    with transaction.atomic():
        _lock_user(actor)
        _refuse_if_confirmed(actor)
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=actor, confirmed=False).order_by("pk").first())
        if device is None:
            raise TwoFactorError(_("Scan the new QR code and type the code it shows."), code="not_found")
        outcome = _check(device, token)
        if outcome.accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=actor, confirmed=False).exclude(pk=device.pk).delete()
    if not outcome.accepted:
        raise _refusal(outcome)
    forget_role_facts(actor)  # the request's later checks see the new device
    logger.info("two-factor: user %s enrolled authenticator app %s", actor.pk, device.pk)
    return device


def verify_sign_in(*, actor, token: str) -> TOTPDevice:
    """Checks the code typed after the password against the actor's confirmed authenticator app(s).
    Returns the device that accepted it (the caller marks the session verified with it); a wrong
    code is counted towards django-otp's throttling. Atomic."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk"))
        if not devices:
            raise TwoFactorError(_("You have no authenticator app to sign in with."), code="not_found")
        outcomes = []
        for device in devices:
            outcome = _check(device, token)
            if outcome.accepted:
                break
            outcomes.append(outcome)
        else:
            device = None
    if device is None:
        # Throttled only when every device refused to look at the code; then the soonest wait.
        if all(o.locked_until is not None for o in outcomes):
            raise _refusal(min(outcomes, key=lambda o: o.locked_until))
        raise _refusal(_Outcome(accepted=False))
    return device


def remove_device(*, actor, device_id: int, token: str) -> None:
    """Deletes the actor's own confirmed authenticator app after a right code from it. Someone
    else's device id is "not found", the same answer as an id that does not exist. A wrong code
    removes nothing (and is throttled). Atomic."""
    _require_may_enrol(actor)
    with transaction.atomic():
        _lock_user(actor)
        device = TOTPDevice.objects.select_for_update().filter(user=actor, pk=device_id, confirmed=True).first()
        if device is None:
            raise TwoFactorError(_("No such authenticator app."), code="not_found")
        outcome = _check(device, token)
        if outcome.accepted:
            device.delete()
    if not outcome.accepted:
        raise _refusal(outcome)
    forget_role_facts(actor)
    logger.info("two-factor: user %s removed authenticator app %s", actor.pk, device_id)
