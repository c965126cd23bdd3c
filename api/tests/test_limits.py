"""Finding 9 (issue 17): the API's search is bounded where search parameters are parsed (a 400 in
the API's error format, not a 500), and every client token and every user is throttled (429 with
Retry-After), counting in the shared store."""
import pytest
from rest_framework.test import APIClient

from api.models import ApiClient

pytestmark = pytest.mark.django_db


def _token(world, role="enterprise_a", name="test"):
    client = ApiClient(name=name, user=world.users[role], scope=ApiClient.Scope.READ)
    token = client.issue_token()
    client.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_search_with_1900_terms_is_refused_not_a_server_error(world):
    """The assessment: ?search=a+a+… (1,900 terms) with an enterprise token gave a 500."""
    response = _token(world).get("/api/v1/requests/", {"search": " ".join(["a"] * 1900)})
    assert response.status_code == 400
    assert list(response.json()) == ["search"]
    message = response.json()["search"][0]
    assert "搜索内容最多 200 个字符" in message or "at most 200 characters" in message
    words = _token(world, name="again").get("/api/v1/requests/", {"search": " ".join(["a"] * 11)}, HTTP_ACCEPT_LANGUAGE="en")
    assert words.json() == {"search": ["A search has at most 10 words."]}


@pytest.mark.parametrize("search, status", [
    (" ".join(["a"] * 10), 200),       # the most terms
    (" ".join(["a"] * 11), 400),
    ("x" * 200, 200),                  # the longest search
    ("x" * 201, 400),
    ('"one phrase" two', 200),
])
def test_the_search_caps_on_every_list_that_searches(world, search, status):
    api = _token(world, "staff")
    for resource in ("requests", "assignments", "approvals", "projects", "enterprises", "towns", "departments",
                     "model-cases"):
        response = api.get(f"/api/v1/{resource}/", {"search": search})
        assert response.status_code == status, (resource, response.content[:200])


def test_a_search_that_fits_still_finds(world):
    response = _token(world, "staff").get("/api/v1/requests/", {"search": world.request_a.tracking_number})
    assert [row["id"] for row in response.json()["results"]] == [world.request_a.pk]


def test_a_token_is_throttled_with_retry_after(world, settings):
    """The assessment: 60 rapid calls were all answered."""
    settings.CENTER_API_RATE_PER_TOKEN = "5/minute"
    settings.CENTER_API_RATE_PER_USER = "1000/minute"
    api = _token(world)
    statuses = [api.get("/api/v1/requests/").status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    refused = api.get("/api/v1/requests/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    # Another token, of another user, has its own count.
    assert _token(world, "enterprise_b", name="other").get("/api/v1/requests/").status_code == 200


def test_a_user_is_throttled_across_their_tokens_and_their_session(world, settings):
    settings.CENTER_API_RATE_PER_TOKEN = "1000/minute"
    settings.CENTER_API_RATE_PER_USER = "4/minute"
    first, second = _token(world, name="one"), _token(world, name="two")
    session = APIClient()
    session.force_login(world.users["enterprise_a"])
    statuses = [api.get("/api/v1/requests/").status_code for api in (first, second, session, first, second, session)]
    assert statuses == [200] * 4 + [429] * 2
    assert _token(world, "staff").get("/api/v1/requests/").status_code == 200  # another user


def test_the_throttle_counts_in_the_shared_cache(world, settings):
    """The count lives in the cache the processes share (core.ratelimit, as the public forms' limits
    whose count across processes center/tests/test_limits.py checks), not in the process."""
    from django.core.cache import cache

    settings.CENTER_API_RATE_PER_TOKEN = "2/minute"
    api = _token(world)
    assert [api.get("/api/v1/requests/").status_code for _ in range(3)] == [200, 200, 429]
    cache.clear()  # as a new window, or another set-up's empty store, would be
    assert api.get("/api/v1/requests/").status_code == 200
