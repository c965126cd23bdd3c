"""Two-factor sign-in (django-otp, TOTP): who may set up an authenticator app, the code step after
the password on both login forms, CENTER_TOTP_REQUIRED, removing a device, throttling, ``next``.

Logins go through the real login forms (django-axes is on). Codes are computed from the device's
key as an authenticator app would; django-otp accepts a code once and one time step either side,
so a test that types two codes for one device takes the next step's code the second time.
"""
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import roles
from center.two_factor import services as two_factor
from center.two_factor.services import TwoFactorError
from tests.world import PASSWORD

ENROL = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture(autouse=True)
def _axes_clean():
    from axes.utils import reset

    reset()
    yield
    reset()


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or ``steps_ahead`` time steps from now)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    accepted = {_code(device, s) for s in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in accepted)


def _english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _log_in(user, *, form: str = "/accounts/login/", next_url: str | None = None) -> Client:
    client = _english()
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(form, data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in client.session
    return client


def _device(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=confirmed)


def _goes_to(response, path: str) -> dict:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == path, response["Location"]
    return {k: v[0] for k, v in parse_qs(location.query).items()}


# --- enrolment -----------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "head_a"])
def test_staff_and_heads_set_up_an_app_with_its_first_code(world, role):
    user = world.users[role]
    client = _log_in(user)
    page = client.get(ENROL)
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed  # shown, not yet confirmed
    assert re.search(r'<div class="qr"><svg\b', body)  # inline SVG: no image request, no script
    assert two_factor.manual_entry_key(device) in body
    assert re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", body) == []  # no inline script (CSP)
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    # Showing the page again shows the same secret (one pending device, not one per visit).
    assert client.get(ENROL).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1

    old_key = client.session.session_key
    response = client.post(ENROL, {"token": _code(device)})
    assert _goes_to(response, ENROL) == {}
    device.refresh_from_db()
    assert device.confirmed
    # The code just typed proves the app: this session counts as verified, with a new key.
    assert client.session.session_key != old_key
    assert client.get("/notifications/").status_code == 200
    page = client.get(ENROL).content.decode()
    assert "Two-factor sign-in is on." in page and "<svg" not in page


@pytest.mark.django_db
def test_a_wrong_first_code_leaves_the_app_unconfirmed_with_a_message_beside_the_field(world):
    client = _log_in(world.staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.staff)
    response = client.post(ENROL, {"token": _wrong_code(device)})
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="field-token">.*?That code is not right', body, re.S)
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    # Letters or too few digits: said beside the field, and not counted as a wrong code.
    response = client.post(ENROL, {"token": "12ab"})
    assert response.status_code == 400 and "Type the 6 digits" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Nothing is asked at sign-in for an app that was never confirmed.
    assert _log_in(world.staff).get("/center/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["enterprise_a", "officer_a", "leader"])
def test_other_roles_may_not_set_up_an_app(world, role):
    client = _log_in(world.users[role])
    assert client.get(ENROL).status_code == 403
    assert client.post(ENROL, {"token": "123456"}).status_code == 403
    assert client.post(f"{ENROL}1/remove/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=world.users[role]).exists()
    with pytest.raises(TwoFactorError) as refused:
        two_factor.start_enrolment(actor=world.users[role])
    assert refused.value.code == "forbidden"
    assert not two_factor.may_use_two_factor(world.users[role])


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in (ENROL, VERIFY):
        assert _goes_to(client.get(url), "/accounts/login/")["next"] == url


@pytest.mark.django_db
def test_a_second_app_cannot_be_set_up_over_a_confirmed_one(world):
    _device(world.staff)
    with pytest.raises(TwoFactorError) as refused:
        two_factor.start_enrolment(actor=world.staff)
    assert refused.value.code == "exists"


# --- the code after the password -----------------------------------------------------------------

@pytest.mark.django_db
def test_after_the_password_every_page_waits_for_the_code(world):
    world.staff.is_staff = True
    world.staff.save()
    device = _device(world.staff)
    client = _log_in(world.staff)
    for url in ("/", "/center/", "/admin/", "/notifications/", "/leader/", ENROL, "/center/?page=2"):
        assert _goes_to(client.get(url), VERIFY) == {"next": url}, url
    # A form sent before the code goes nowhere either.
    assert _goes_to(client.post(f"/center/requests/{world.waiting_a.tracking_number}/reject/", {}), VERIFY) == {}
    # What stays open: the health check, the code page, the language switch.
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get(VERIFY).status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/center/"})["Location"] == "/center/"

    wrong = client.post(VERIFY, {"token": _wrong_code(device), "next": "/center/"})
    assert wrong.status_code == 400
    assert re.search(r'id="field-token">.*?That code is not right', wrong.content.decode(), re.S)
    assert _goes_to(client.get("/center/"), VERIFY)

    device.throttle_reset()  # the wrong code above asks for a second's wait
    old_key = client.session.session_key
    response = client.post(VERIFY, {"token": _code(device), "next": "/center/"})
    assert _goes_to(response, "/center/") == {}
    assert client.session.session_key != old_key
    for url in ("/center/", "/admin/", "/notifications/"):
        assert client.get(url).status_code == 200, url
    # Once verified, the code page just sends the person on.
    assert _goes_to(client.get(VERIFY + "?next=/center/"), "/center/") == {}


@pytest.mark.django_db
def test_the_admin_login_form_asks_for_the_code_too(world):
    world.staff.is_staff = True
    world.staff.save()
    device = _device(world.staff)
    client = _english()
    response = client.post("/admin/login/", {"username": "staff", "password": PASSWORD, "next": "/admin/"})
    assert _goes_to(response, "/admin/") == {}
    assert _goes_to(client.get("/admin/"), VERIFY) == {"next": "/admin/"}
    assert _goes_to(client.get("/admin/workorders/workorder/"), VERIFY)
    assert _goes_to(client.post(VERIFY + "?next=/admin/", {"token": _code(device)}), "/admin/") == {}
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_head_with_an_app_types_the_code_for_the_desk(world):
    device = _device(world.head_a)
    client = _log_in(world.head_a, next_url="/desk/")
    assert _goes_to(client.get("/desk/"), VERIFY) == {"next": "/desk/"}
    assert _goes_to(client.post(VERIFY, {"token": _code(device), "next": "/desk/"}), "/desk/") == {}
    assert client.get("/desk/").status_code == 200


@pytest.mark.django_db
def test_logging_out_works_before_the_code(world):
    _device(world.staff)
    client = _log_in(world.staff)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and "two-factor" not in response["Location"]
    assert "_auth_user_id" not in client.session
    assert _goes_to(client.get("/center/"), "/accounts/login/")


@pytest.mark.django_db
def test_a_user_without_an_app_is_never_asked_for_a_code(world):
    client = _log_in(world.staff)
    assert client.get("/center/").status_code == 200
    assert client.get(VERIFY).status_code == 404
    assert client.post(VERIFY, {"token": "123456"}).status_code == 404


@pytest.mark.django_db
def test_the_api_answers_403_json_to_an_unverified_session_and_ignores_tokens(world):
    from rest_framework.test import APIClient

    from api.models import ApiClient

    device = _device(world.staff)
    client = _log_in(world.staff)
    response = client.get("/api/v1/requests/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "two_factor_required"
    # A client token of the same person is the other system's credential: no code asked.
    record = ApiClient(name="staff system", user=world.staff, scope=ApiClient.Scope.READ)
    token = record.issue_token()
    record.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/requests/").status_code == 200
    # A wrong token is still refused by the API itself, session cookie or not.
    client.defaults["HTTP_AUTHORIZATION"] = "Token nonsense"
    assert client.get("/api/v1/requests/").status_code == 401
    del client.defaults["HTTP_AUTHORIZATION"]
    # Verified: the session works for the API too.
    client.post(VERIFY, {"token": _code(device)})
    assert client.get("/api/v1/requests/").status_code == 200


@pytest.mark.django_db
def test_wrong_codes_are_throttled_and_the_page_says_to_wait(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code: no race with the clock
    device = _device(world.staff)
    client = _log_in(world.staff)
    assert client.post(VERIFY, {"token": _wrong_code(device)}).status_code == 400
    throttled = client.post(VERIFY, {"token": _code(device)})  # even the right code, while throttled
    assert throttled.status_code == 429
    message = re.search(r"Too many wrong codes\. Wait (\d+) seconds", throttled.content.decode())
    assert message and 1 <= int(message.group(1)) <= 60
    assert _goes_to(client.get("/center/"), VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a refused look is not counted again
    # Throttling is django-otp's own, on the device: a fresh session does not escape it.
    assert _log_in(world.staff).post(VERIFY, {"token": _code(device)}).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "http:/\\evil.example",
                                      "javascript:alert(1)", "https://testserver.evil.example/"])
def test_a_next_outside_the_site_is_refused(world, next_url):
    device = _device(world.staff)
    client = _log_in(world.staff)
    response = client.post(f"{VERIFY}?next=/center/", {"token": _code(device), "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = _log_in(world.staff).get(VERIFY, {"next": next_url}).content.decode()
    form = re.search(r'<form method="post" novalidate id="two-factor-verify">.*?</form>', page, re.S).group(0)
    assert 'name="next" value="/"' in form


@pytest.mark.django_db
def test_set_up_then_sign_in_again_with_the_next_code(world):
    client = _log_in(world.head_a)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.head_a)
    client.post(ENROL, {"token": _code(device)})
    client.post("/accounts/logout/")
    client = _log_in(world.head_a)
    assert _goes_to(client.get("/desk/"), VERIFY)
    # The code already typed is not accepted twice; the next one is.
    assert client.post(VERIFY, {"token": _code(device)}).status_code == 400
    device.throttle_reset()
    assert _goes_to(client.post(VERIFY, {"token": _code(device, 1), "next": "/desk/"}), "/desk/") == {}


# --- CENTER_TOTP_REQUIRED ----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role,home", [("staff", "/center/"), ("head_a", "/desk/")])
def test_required_sends_staff_and_heads_to_set_up_first(world, settings, role, home):
    settings.CENTER_TOTP_REQUIRED = True
    user = world.users[role]
    client = _log_in(user)
    for url in (home, "/notifications/", "/"):
        assert _goes_to(client.get(url), ENROL) == {"next": url}, url
    assert client.get("/api/v1/requests/").status_code == 403
    assert client.get("/healthz").status_code in (200, 503)
    page = client.get(ENROL, {"next": home})
    assert page.status_code == 200 and f'name="next" value="{home}"' in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert _goes_to(client.post(ENROL, {"token": _code(device), "next": home}), home) == {}
    assert client.get(home).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role,home", [("enterprise_a", "/requests/"), ("officer_a", "/desk/"),
                                       ("leader", "/leader/")])
def test_required_does_not_touch_enterprises_officers_or_leaders(world, settings, role, home):
    settings.CENTER_TOTP_REQUIRED = True
    client = _log_in(world.users[role])
    assert client.get(home).status_code == 200
    assert client.get(ENROL).status_code == 403


# --- removing --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_removing_ones_own_app_needs_a_current_code(world):
    device = _device(world.staff)
    client = _log_in(world.staff)
    client.post(VERIFY, {"token": _code(device)})
    url = f"{ENROL}{device.pk}/remove/"
    wrong = client.post(url, {"token": _wrong_code(device)})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    device.throttle_reset()
    assert _goes_to(client.post(url, {"token": _code(device, 1)}), ENROL) == {}
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.get("/center/").status_code == 200
    assert _log_in(world.staff).get("/center/").status_code == 200  # password alone again


@pytest.mark.django_db
def test_nobody_removes_someone_elses_app_by_its_id(world):
    theirs = _device(world.head_a)
    mine = _device(world.staff)
    client = _log_in(world.staff)
    client.post(VERIFY, {"token": _code(mine)})
    for pk in (theirs.pk, theirs.pk + 1000, "x"):
        response = client.post(f"{ENROL}{pk}/remove/", {"token": _code(theirs)})
        assert response.status_code == 404, pk
    assert TOTPDevice.objects.filter(pk=theirs.pk, confirmed=True).exists()
    theirs.refresh_from_db()
    assert theirs.throttling_failure_count == 0 and theirs.last_t == -1  # not even a code was checked
    with pytest.raises(TwoFactorError) as refused:
        two_factor.remove_device(actor=world.staff, device_id=theirs.pk, token=_code(theirs))
    assert refused.value.code == "not_found"
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_center_staff_remove_a_lost_app_in_the_admin_without_seeing_its_secret(world):
    lost = _device(world.head_a)
    world.staff.is_staff = True
    world.staff.save()
    client = _log_in(world.staff)  # staff without an app of their own: no code step
    change = client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/")
    assert change.status_code == 200
    assert lost.key not in change.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/qrcode/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    response = client.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    staff_group = Group.objects.get(name=roles.CENTER_STAFF)
    codenames = set(staff_group.permissions.filter(content_type__app_label="otp_totp").values_list("codename", flat=True))
    assert codenames == {"view_totpdevice", "delete_totpdevice"}
