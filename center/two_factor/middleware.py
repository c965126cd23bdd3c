"""Two-factor sign-in for the people who hold the center's and the departments' powers."""
import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _

from api.auth import REFUSED_TOKEN, accepted_client, carries_client_token
from center.two_factor import services as two_factor


class TwoFactorRequired:
    """After the password, someone with an authenticator app must type its code before any page
    answers; with ``CENTER_TOTP_REQUIRED``, staff and heads without one must enrol first.

    Put after django-otp's ``OTPMiddleware`` (which tells whether the session is verified). Every
    other request of such a user is sent to the code page (or the enrolment page), with the page
    asked for as ``next``; session-authenticated API calls get a 403 JSON answer instead. Left
    alone: those pages themselves, logging out, static files, ``/healthz``, the language switch,
    and API calls whose client token the token authentication accepts (the API then serves the
    token's user, never the session's). An ``Authorization`` header opens no page: outside the API
    it is ignored, and on the API a refused token gets the API's 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._refusal(request)
        return response if response is not None else self.get_response(request)

    def _refusal(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_open(request) or _accepted_api_client(request):
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        has_device = two_factor.has_confirmed_device(user)
        if has_device:
            target, detail = reverse("two_factor_verify"), _("Type the code from your authenticator app first.")
        elif two_factor.must_enrol(user, has_device=has_device):
            target, detail = reverse("two_factor"), _("Set up two-factor sign-in first.")
            if request.path == target:
                return None
        else:
            return None
        if request.path_info.startswith(API_PREFIX):
            if carries_client_token(request):
                response = JsonResponse({"detail": REFUSED_TOKEN}, status=401)
                response["WWW-Authenticate"] = "Token"
                return response
            return JsonResponse({"detail": str(detail), "code": "two_factor_required"}, status=403)
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


API_PREFIX = "/api/"
# Routes that answer before the code is typed: the code page itself, leaving, the health check
# and the language switch.
OPEN_ROUTES = ("two_factor_verify", "logout", "admin:logout", "healthz")
LANGUAGE_SWITCH_PREFIX = "/i18n/"


def _is_open(request) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/") if "://" not in settings.STATIC_URL else None
    if static and request.path_info.startswith(static):
        return True
    if request.path_info.startswith(LANGUAGE_SWITCH_PREFIX):
        return True
    return request.path in _open_paths(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _open_paths(script_prefix: str) -> frozenset[str]:
    """The open routes' paths, reversed once per script prefix instead of at every request."""
    return frozenset(reverse(name) for name in OPEN_ROUTES)


def _accepted_api_client(request) -> bool:
    """An API call whose client token is accepted: the other system's credential, judged by the API."""
    return request.path_info.startswith(API_PREFIX) and accepted_client(request) is not None
