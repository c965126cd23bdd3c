"""Finding 8 (issue 17): the client's address for the login lock and the rate limits believes
X-Forwarded-For only from the proxies named in CENTER_TRUSTED_PROXIES, walking the header from
the right through trusted hops; a client reaching gunicorn directly cannot choose its address."""
import itertools

import pytest
from django.test import Client

from projects.tests.factories import EnterpriseUserFactory
from tests.world import PASSWORD

NGINX = "10.0.0.1"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _axes_clean():
    from axes.utils import reset

    reset()
    yield
    reset()


def test_rotating_a_forged_x_forwarded_for_does_not_escape_the_login_lock(settings):
    """The assessment's reproduction: nginx configured as the proxy (the then CENTER_PROXY_COUNT=1),
    but the attacker reaches gunicorn directly and sends a new X-Forwarded-For with every guess."""
    settings.CENTER_PROXY_COUNT = 1  # what the assessed deployment had; no longer read
    settings.CENTER_TRUSTED_PROXIES = [NGINX]
    settings.AXES_FAILURE_LIMIT = 5
    EnterpriseUserFactory(username="victim")
    addresses = (f"198.51.100.{i}" for i in itertools.count(1))
    attacker = {"REMOTE_ADDR": "203.0.113.9"}  # not a proxy of ours
    statuses = [Client(HTTP_X_FORWARDED_FOR=next(addresses), **attacker)
                .post("/accounts/login/", {"username": "victim", "password": "wrong"}).status_code
                for _ in range(8)]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429] * 4
    right = Client(HTTP_X_FORWARDED_FOR=next(addresses), **attacker)
    response = right.post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in right.session
    # The victim, through nginx from their own address, is not locked out by the attacker.
    victim = Client(HTTP_X_FORWARDED_FOR="192.0.2.44", REMOTE_ADDR=NGINX)
    assert victim.post("/accounts/login/", {"username": "victim", "password": PASSWORD}).status_code == 302


def test_a_forged_header_does_not_reset_the_sign_up_limit(settings):
    settings.CENTER_PROXY_COUNT = 1  # as above
    settings.CENTER_TRUSTED_PROXIES = [NGINX]
    settings.CENTER_SIGNUP_RATE_PER_HOUR = 2
    statuses = [Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", REMOTE_ADDR="203.0.113.9")
                .post("/signup/", {"username": ""}).status_code for i in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.parametrize("trusted, remote, forwarded, expected", [
    ([], NGINX, "203.0.113.5", NGINX),                                  # no proxy configured: never believed
    ([NGINX], "203.0.113.9", "198.51.100.1", "203.0.113.9"),            # not from a proxy: the connection
    ([NGINX], NGINX, "203.0.113.5", "203.0.113.5"),                     # nginx wrote what it saw
    ([NGINX], NGINX, "198.51.100.66, 203.0.113.5", "203.0.113.5"),      # a forged entry to the left
    (["10.0.0.0/24"], "10.0.0.7", "203.0.113.5, 10.0.0.2", "203.0.113.5"),  # balancer then nginx, by network
    ([NGINX], NGINX, "203.0.113.5, 10.0.0.2", "10.0.0.2"),              # 10.0.0.2 is not trusted: it is the client
    ([NGINX], NGINX, "", NGINX),                                        # a proxy's own request
    ([NGINX], NGINX, "not-an-address", NGINX),                          # never handed on to be stored
    ([NGINX], NGINX, "203.0.113.5, not-an-address", NGINX),
    (["2001:db8::/32"], "2001:db8::10", "2001:db8:ffff::1, 203.0.113.5", "203.0.113.5"),
    ([NGINX], "::ffff:10.0.0.1", "203.0.113.5", "203.0.113.5"),         # IPv4 seen through an IPv6 socket
])
def test_the_client_address(settings, rf, trusted, remote, forwarded, expected):
    from core.client_address import client_address

    settings.CENTER_TRUSTED_PROXIES = trusted
    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)) == expected


def test_no_address_at_all(settings, rf):
    from core.client_address import client_address

    settings.CENTER_TRUSTED_PROXIES = [NGINX]
    assert client_address(rf.get("/", REMOTE_ADDR="")) is None
    assert client_address(rf.get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.5")) is None
