"""The second-factor gate (TESTING.md T21): a session that has typed the password but not the code is
answered by no page, whatever header comes with it. Every route of the site and every admin page is
tried (walked from the URL configuration), with no header, with a made-up ``Authorization: Token``,
with a real client token and with forged ``X-Forwarded-*`` headers.

The reproduction of the assessment's finding (issue 17, 1): ``Authorization: Token x`` used to let
the session user through to ``/center/``, ``/admin/``, the exports and ``POST .../issue/``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiClient
from tests.routes import fill, site_routes, values
from workorders.models import WorkOrder

VERIFY = "/accounts/two-factor/verify/"
# Routes that answer before the code is typed, by design: the code page itself, leaving, the health
# check and the language switch.
OPEN = {"two_factor_verify", "logout", "admin:logout", "healthz", "set_language"}


def _client_token(user) -> str:
    record = ApiClient(name="the staff member's own system", user=user, scope=ApiClient.Scope.WRITE)
    token = record.issue_token()
    record.save()
    return token


def _headers(token: str) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "made-up token": {"HTTP_AUTHORIZATION": "Token x"},
        "lower-case keyword": {"HTTP_AUTHORIZATION": "token x"},
        "real client token": {"HTTP_AUTHORIZATION": f"Token {token}"},
        "forwarded": {"HTTP_X_FORWARDED_FOR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https",
                      "HTTP_X_FORWARDED_HOST": "localhost"},
    }


def _unverified(user) -> Client:
    """Signed in by password (``force_login``), never by the code: django-otp sees no device."""
    TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    return client


def _admin_pages() -> list[str]:
    pages = ["/admin/"]
    for model in admin.site._registry:
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages += [info, info + "add/"]
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            pages += [f"{info}{obj.pk}/change/", f"{info}{obj.pk}/history/", f"{info}{obj.pk}/delete/"]
    return pages


def _site_pages(world) -> list[tuple[str, str]]:
    pages = []
    for name, route, _arguments in site_routes():
        if name in OPEN:
            continue
        for argument_set in values(world, name):
            pages.append((name, fill(route, argument_set)))
    return pages


def _assert_not_answered(response, url: str, header: str):
    """A page is sent to the code page; an API call is refused (403 from the gate, or 401 when the
    token itself is refused); nothing is served."""
    where = f"{url} with {header}: {response.status_code}"
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), where
        return
    assert response.status_code == 302, where
    assert urlsplit(response["Location"]).path == VERIFY, f"{where} -> {response['Location']}"


@pytest.mark.django_db
def test_no_page_and_no_admin_page_answers_before_the_code_whatever_the_headers(rich_world):
    token = _client_token(rich_world.staff)
    client = _unverified(rich_world.staff)
    pages = [url for _name, url in _site_pages(rich_world)] + _admin_pages()
    tried = 0
    for header, extra in _headers(token).items():
        for url in pages:
            if header == "real client token" and url.startswith("/api/"):
                continue  # the token is the other system's credential: the API serves its user (below)
            _assert_not_answered(client.get(url, **extra), url, header)
            tried += 1
    assert tried > 500


@pytest.mark.django_db
def test_no_write_goes_through_before_the_code_whatever_the_headers(rich_world):
    token = _client_token(rich_world.staff)
    client = _unverified(rich_world.staff)
    waiting = rich_world.waiting_a
    issue = f"/center/requests/{waiting.tracking_number}/issue/"
    data = {"lead_department": rich_world.dept_a.pk, "problem": "道路未开通"}
    for header, extra in _headers(token).items():
        response = client.post(issue, data, **extra)
        _assert_not_answered(response, issue, header)
    assert not WorkOrder.objects.filter(request=waiting).exists()


@pytest.mark.django_db
def test_the_leaders_export_is_not_served_because_of_a_token_header(rich_world):
    leader = rich_world.leader
    client = _unverified(leader)
    response = client.get("/leader/export/escalated.csv", HTTP_AUTHORIZATION="Token x")
    _assert_not_answered(response, "/leader/export/escalated.csv", "made-up token")


@pytest.mark.django_db
def test_an_api_call_with_an_accepted_token_is_answered_as_the_tokens_user(rich_world):
    """The exemption stands for what the token authentication accepts, and the API then serves the
    token's user, never the session's: an enterprise's system sees its own requests only, though the
    session cookie beside it belongs to unverified center staff."""
    enterprise_token = _client_token(rich_world.user_a)
    client = _unverified(rich_world.staff)
    response = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {enterprise_token}")
    assert response.status_code == 200
    numbers = {row["tracking_number"] for row in response.json()["results"]}
    assert numbers == {rich_world.request_a.tracking_number, rich_world.waiting_a.tracking_number}
    # A made-up token is refused by the API, not passed to the session.
    assert client.get("/api/v1/requests/", HTTP_AUTHORIZATION="Token x").status_code in (401, 403)
