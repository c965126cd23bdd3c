"""Hardening: login brute force on every login form, idle sign-out for staff and officers, the
security headers and Content-Security-Policy, and the rate limit on the public sign-up form."""
import re

import pytest
from django.test import Client

from projects.tests.factories import EnterpriseUserFactory, StaffFactory
from tests.world import PASSWORD


@pytest.fixture(autouse=True)
def _axes_clean():
    from axes.utils import reset

    reset()
    yield
    reset()


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_name_on_every_login_form(settings, form):
    settings.AXES_FAILURE_LIMIT = 5
    user = StaffFactory(username="target")
    user.is_staff = True
    user.save()
    client = Client()
    for _ in range(4):
        assert client.post(form, {"username": "target", "password": "wrong"}).status_code == 200
    locked = client.post(form, {"username": "target", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() or "登录失败次数过多" in locked.content.decode()
    # Even the right password is refused now, on both forms, and nobody is signed in.
    for other in ("/accounts/login/", "/admin/login/"):
        response = client.post(other, {"username": "target", "password": PASSWORD})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
    # Another name from the same address is not locked.
    StaffFactory(username="bystander")
    assert Client().post("/accounts/login/", {"username": "bystander", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_count(settings):
    settings.AXES_FAILURE_LIMIT = 3
    EnterpriseUserFactory(username="forgetful")
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "forgetful", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "forgetful", "password": PASSWORD}).status_code == 302
    client = Client()
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "forgetful", "password": "wrong"}).status_code == 200


@pytest.mark.django_db
def test_staff_and_officers_are_signed_out_when_idle_enterprises_are_not(world, settings):
    settings.CENTER_STAFF_SESSION_IDLE_SECONDS = 1800
    for role, idle in (("staff", 1800), ("officer_a", 1800), ("head_a", 1800), ("enterprise_a", None),
                       ("leader", None)):
        client = Client()
        client.post("/accounts/login/", {"username": world.users[role].username, "password": PASSWORD})
        client.get("/notifications/")
        age = client.session.get_expiry_age()
        if idle:
            assert age == idle, role
            assert client.session.get("_session_expiry") == idle, role
        else:
            assert age == settings.SESSION_COOKIE_AGE and "_session_expiry" not in client.session, role


@pytest.mark.django_db
def test_security_headers_on_pages_and_the_api_docs(client):
    for url in ("/", "/accounts/login/", "/mechanisms/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                          "form-action 'self'"):
            assert directive in policy, (url, directive)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        # script-src 'self' allows no inline script: every <script> on our pages has a src.
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        assert all("src=" in tag for tag in scripts), (url, scripts)


@pytest.mark.django_db
def test_the_sign_up_form_is_rate_limited_and_keeps_what_was_typed(settings):
    settings.CENTER_SIGNUP_RATE_PER_HOUR = 2
    client = Client()
    data = {"name": "丙公司", "credit_code": "bad", "contact_name": "王五", "contact_mobile": "13800000000",
            "contact_email": "c@example.com", "username": "bing", "password1": "x", "password2": "x"}
    for _ in range(2):
        assert client.post("/signup/", data).status_code == 200  # form errors, counted
    limited = client.post("/signup/", data)
    assert limited.status_code == 429
    page = limited.content.decode()
    assert "丙公司" in page and "王五" in page
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="bing").exists()
