"""Idle sign-out for the people who hold the center's and the departments' powers. (Two-factor
sign-in is ``center.two_factor.middleware``.)"""
from django.conf import settings

from workorders.permissions import bind_role_facts, is_center_staff


class StaffSessionTimeout:
    """Center staff, officers and heads (and superusers) are signed out after
    ``CENTER_STAFF_SESSION_IDLE_SECONDS`` without a request: each request sets the session to expire
    that long from now. Enterprises keep Django's session age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The request's one read of the user's roles: every later check of the request uses it.
        if user is not None and user.is_authenticated:
            facts = bind_role_facts(user)
            if user.is_staff or is_center_staff(user) or facts.memberships:
                request.session.set_expiry(settings.CENTER_STAFF_SESSION_IDLE_SECONDS)
        return self.get_response(request)
