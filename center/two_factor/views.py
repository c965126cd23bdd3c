"""Two-factor sign-in pages: set up or remove one's authenticator app, and type its code after the
password. Thin: ``center.two_factor.services`` holds the rules; ``center.two_factor.middleware.TwoFactorRequired``
sends people here."""
from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from center.two_factor import services as two_factor
from center.two_factor.forms import AuthenticatorCodeForm
from center.two_factor.services import TwoFactorError
from workorders import permissions


def _next_url(request) -> str:
    """Where to go once the code is typed: ``next`` when it points to this site, else the front door."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _status(error: TwoFactorError) -> int:
    return 429 if error.code == "throttled" else 400


def _mark_verified(request, device) -> None:
    """The session is now verified with this device; a new session key, as at any rise in rights."""
    otp_login(request, device)
    request.session.cycle_key()


def _manage_page(request, *, enrol_form=None, remove_form=None, status=200):
    device = two_factor.confirmed_device(request.user)
    is_center_staff = permissions.is_center_staff(request.user)
    context = {
        "device": device, "next": request.POST.get("next") or request.GET.get("next", ""),
        # The navigation of the person's own workplace: the center's, or a head's desk.
        "is_center_staff": is_center_staff, "is_head": not is_center_staff,
    }
    if device is not None:
        context["remove_form"] = remove_form or AuthenticatorCodeForm()
    else:
        pending = two_factor.start_enrolment(actor=request.user)
        qr = segno.make(pending.config_url, error="m")
        context.update({
            "qr": mark_safe(qr.svg_inline(dark="#111", omitsize=True)),  # noqa: S308 - segno's own markup
            "secret": two_factor.manual_entry_key(pending),
            "enrol_form": enrol_form or AuthenticatorCodeForm(),
        })
    return render(request, "registration/two_factor.html", context, status=status)


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request):
    """Center staff and heads: the QR code and secret of a new authenticator app and the field for
    its first code; or, once it is confirmed, the form to remove it. Everyone else: 403."""
    if not two_factor.may_use_two_factor(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _manage_page(request)
    form = AuthenticatorCodeForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, enrol_form=form, status=400)
    try:
        device = two_factor.confirm_enrolment(actor=request.user, token=form.cleaned_data["token"])
    except TwoFactorError as error:
        if error.code == "exists":
            messages.error(request, error.message)
            return redirect("two_factor")
        form.add_error("token", error.message)
        return _manage_page(request, enrol_form=form, status=_status(error))
    _mark_verified(request, device)
    messages.success(request, _("Two-factor sign-in is on. From now on you will type a code from your "
                                "authenticator app after your password."))
    next_url = request.POST.get("next")
    return redirect(_next_url(request) if next_url else "two_factor")


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_POST
def remove(request, pk):
    """Removes one's own authenticator app after a current code from it; anyone else's id is a 404."""
    if not two_factor.may_use_two_factor(request.user):
        raise PermissionDenied
    if two_factor.own_device(request.user, pk) is None:
        raise Http404
    form = AuthenticatorCodeForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, remove_form=form, status=400)
    try:
        two_factor.remove_device(actor=request.user, device_id=pk, token=form.cleaned_data["token"])
    except TwoFactorError as error:
        if error.code == "not_found":
            raise Http404
        form.add_error("token", error.message)
        return _manage_page(request, remove_form=form, status=_status(error))
    messages.success(request, _("Your authenticator app was removed: signing in needs only your password now."))
    return redirect("two_factor")


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """After the password: the code from the user's authenticator app, then on to ``next``.
    Someone with no authenticator app has nothing to type here (404)."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not two_factor.has_confirmed_device(request.user):
        raise Http404
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                device = two_factor.verify_sign_in(actor=request.user, token=form.cleaned_data["token"])
            except TwoFactorError as error:
                form.add_error("token", error.message)
                status = _status(error)
            else:
                _mark_verified(request, device)
                return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url}, status=status)
