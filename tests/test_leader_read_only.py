"""A district leader cannot change anything: every route of the site (found by walking the URL
configuration, so a new route is covered the day it is added), every model's admin pages, and the
API with a write-scope token, each tried with every writing method. Each must be refused, and no
row of the database may differ afterwards.
"""
from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from tests.routes import fill as _fill, site_routes as _site_routes, values as _values

WRITING = ("post", "put", "patch", "delete")
REFUSED = {403, 404, 405}
# Routes that are not the domain's: they may answer a leader (a login form, leaving, the language,
# marking one's own notices read, the public sign-up form refusing junk), and the snapshot still
# proves they changed nothing of the domain.
OWN_ACCOUNT = {"login", "logout", "set_language", "notifications_read", "signup"}
DATA = {"text": "x", "reason": "x", "rating": "5", "working_days": "3", "decision": "approved", "pledge": "x",
        "project": "1", "lead_department": "1", "title": "x", "description": "x", "kind": "blocker",
        "action": "delete_selected", "_selected_action": "1", "outcome": "x", "minutes": "x"}


def _snapshot() -> dict:
    """A digest of every row of every table the product owns (sessions aside, and django-axes's log
    of login attempts, which the login route writes for anyone by design)."""
    digests = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes", "admin", "axes"):
            continue
        # Logging in again after the logout route moves the leader's own last_login, nothing else.
        columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
        rows = list(model.objects.order_by("pk").values_list(*columns))
        digests[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@pytest.mark.django_db
def test_no_route_lets_a_leader_change_anything(rich_world, api_unthrottled):
    leader = Client()
    leader.force_login(rich_world.leader)
    before = _snapshot()
    tried = 0
    for name, route, arguments in _site_routes():
        for values in _values(rich_world, name):
            url = _fill(route, values)
            for method in WRITING:
                response = getattr(leader, method)(url, DATA)
                tried += 1
                if name in OWN_ACCOUNT:
                    continue
                assert response.status_code in REFUSED, f"{method.upper()} {url} ({name}): {response.status_code}"
            if name == "logout":
                leader.force_login(rich_world.leader)
    assert tried > 300
    assert _snapshot() == before


@pytest.mark.django_db
def test_no_admin_page_lets_a_leader_change_anything(rich_world):
    leader = Client()
    leader.force_login(rich_world.leader)
    before = _snapshot()
    checked = 0
    for model, model_admin in admin.site._registry.items():
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        obj = model.objects.order_by("pk").first()
        targets = [info + "add/"]
        if obj is not None:
            targets += [f"{info}{obj.pk}/change/", f"{info}{obj.pk}/delete/"]
        for url in targets:
            response = leader.post(url, DATA)
            assert response.status_code in (302, 403, 404), f"POST {url}: {response.status_code}"
            if response.status_code == 302:  # the admin's login page for a user it will not serve
                assert "/admin/login/" in response["Location"]
            checked += 1
        # Bulk actions from the change list: refused or a no-op.
        leader.post(info, {"action": "delete_selected", "_selected_action": [obj.pk] if obj else [], "post": "yes"})
    assert checked > 40
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_leader_token_with_write_scope_cannot_write_through_the_api(rich_world, api_unthrottled):
    from rest_framework.test import APIClient

    from api.models import ApiClient

    record = ApiClient(name="leader's system", user=rich_world.leader, scope=ApiClient.Scope.WRITE)
    token = record.issue_token()
    record.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    before = _snapshot()
    tried = 0
    for name, route, arguments in _site_routes():
        if not route.startswith("api/v1/"):
            continue
        for values in _values(rich_world, name):
            url = _fill(route, values)
            for method in WRITING:
                response = getattr(api, method)(url, DATA, format="json")
                assert response.status_code in REFUSED, f"{method.upper()} {url}: {response.status_code}"
                tried += 1
    assert tried >= 40
    after = _snapshot()
    # The client's own "last used" time is the only row that may move.
    assert {k: v for k, v in after.items() if k != "api.ApiClient"} == {
        k: v for k, v in before.items() if k != "api.ApiClient"}
