"""The API's throttles: every client token and every user has a number of requests per window
(CENTER_API_RATE_PER_TOKEN, CENTER_API_RATE_PER_USER), past which the API answers 429 with
Retry-After.

Counted with core.ratelimit's fixed windows in the shared cache, rather than with DRF's
SimpleRateThrottle: that one reads a list of timestamps, appends and writes it back, so requests
in different processes at the same moment overwrite each other's entries and the limit leaks under
load; the cache's add and incr count atomically. Throttling spreads the load fairly; it is not a
security control (tokens are the control). While the cache is down, requests are let through.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from api.models import ApiClient
from core.ratelimit import count_in_window, parse_rate

class _WindowThrottle(BaseThrottle):
    scope = ""
    rate_setting = ""

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        ident = self.ident(request)
        if ident is None:
            return True
        limit, window = parse_rate(getattr(settings, self.rate_setting))
        count, self._wait = count_in_window(f"throttle:{self.scope}:{ident}", window)
        return count is None or count <= limit

    def wait(self):
        return getattr(self, "_wait", None)


class ClientTokenThrottle(_WindowThrottle):
    """Requests authenticated by a client token, counted per token."""

    scope = "token"
    rate_setting = "CENTER_API_RATE_PER_TOKEN"

    def ident(self, request):
        return str(request.auth.pk) if isinstance(request.auth, ApiClient) else None


class UserThrottle(_WindowThrottle):
    """Every signed-in request, by token or session, counted per user (all their tokens together)."""

    scope = "user"
    rate_setting = "CENTER_API_RATE_PER_USER"

    def ident(self, request):
        return str(request.user.pk) if request.user and request.user.is_authenticated else None
