"""Finding 7 (issue 17): the rate limits are counted in a store every process shares. Three real
processes counting against one limit with the embedded default store allow exactly the limit, and
with DEBUG off the start-up check refuses a per-process cache for the limits and the login lock."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jwcrypto import jwk

ROOT = Path(__file__).resolve().parents[2]

# One process: Django with the default settings (no CACHE_URL), then, once the go file appears,
# as many verification lookups from one address as it can; prints how many were allowed.
COUNTER = """
import os, sys, time
import django
django.setup()
from django.test import RequestFactory
from core.ratelimit import over_limit
go, tries, limit, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
request = RequestFactory().get("/verify/JT-2026-000001/", REMOTE_ADDR="203.0.113.7")
while not os.path.exists(go):
    time.sleep(0.01)
print(sum(not over_limit(request, "verify", limit, window) for _ in range(tries)))
"""


def _embedded_environment(var_dir) -> dict:
    """This machine's basics and the embedded defaults: nothing of the test run's configuration."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CENTER_", "CELERY_", "DJANGO_", "CACHE_", "DATABASE_"))}
    env.update(CENTER_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="center.settings")
    return env


def test_the_limit_holds_across_three_processes_with_the_embedded_store(tmp_path):
    """The assessment: 3 gunicorn workers, 100 lookups, 90 answers against a limit of 30."""
    go, limit, tries = tmp_path / "go", 30, 100
    # Windows are aligned to the clock; one of 10⁹ s (the next boundary in 2033) keeps the whole
    # count in one window, as the assessment's minute did.
    window = 10 ** 9
    env = _embedded_environment(tmp_path / "var")
    processes = [subprocess.Popen([sys.executable, "-c", COUNTER, str(go), str(tries), str(limit), str(window)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(0.5)
    go.touch()  # all three count at once (those still starting join as soon as they are up)
    allowed = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        allowed.append(int(out.strip().splitlines()[-1]))
    assert sum(allowed) == limit, allowed


PRODUCTION = {
    "DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "center.example.gov.cn",
    "CACHE_URL": "redis://127.0.0.1:6379/2",
    "CENTER_STAMP_PRIVATE_KEY": jwk.JWK.generate(kty="OKP", crv="Ed25519").export_to_pem(
        private_key=True, password=None).decode(),
    "CENTER_STAMP_KEY_ID": "k-limits-test",
}


def _start(tmp_path, code, **variables):
    env = _embedded_environment(tmp_path)
    env.pop("DEBUG", None)
    env.update(PRODUCTION, **variables)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cache_url, starts", [
    ("locmemcache://", False),   # the assessment's set-up: each worker its own count
    ("dummycache://", False),
    ("", True),                  # the embedded SQLite file
    ("redis://127.0.0.1:6379/2", True),
])
def test_the_web_process_refuses_to_start_on_a_per_process_cache(tmp_path, cache_url, starts):
    """gunicorn runs no system checks: importing the WSGI application does them (as the workers do)."""
    result = _start(tmp_path, "import center.wsgi", CACHE_URL=cache_url)
    assert (result.returncode == 0) is starts, result.stderr
    if not starts:
        assert "center.E001" in result.stderr and "Refusing to serve" in result.stderr


def test_manage_py_check_reports_it_too(tmp_path):
    result = _start(tmp_path, "import sys; from django.core.management import execute_from_command_line; "
                              "execute_from_command_line(['manage.py', 'check'])", CACHE_URL="locmemcache://")
    assert result.returncode != 0 and "center.E001" in result.stderr


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
SHARED = {"BACKEND": "core.sqlite_cache.SQLiteCache", "LOCATION": "/tmp/unused.sqlite3"}


def _ids(settings):
    from center.checks import limits_are_counted_in_a_shared_store

    return sorted(message.id for message in limits_are_counted_in_a_shared_store())


@pytest.mark.parametrize("caches, handler, expected", [
    ({"default": LOCMEM}, "axes.handlers.database.AxesDatabaseHandler", ["center.E001"]),
    ({"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"}},
     "axes.handlers.database.AxesDatabaseHandler", ["center.W001"]),
    ({"default": SHARED}, "axes.handlers.database.AxesDatabaseHandler", []),
    ({"default": SHARED}, "axes.handlers.dummy.AxesDummyHandler", ["center.E002"]),
    ({"default": SHARED, "axes": LOCMEM}, "axes.handlers.cache.AxesCacheHandler", ["center.E003"]),
    ({"default": SHARED}, "axes.handlers.cache.AxesCacheHandler", []),
])
def test_the_check_with_debug_off(settings, caches, handler, expected):
    settings.DEBUG = False
    settings.CACHES = caches
    settings.AXES_HANDLER = handler
    settings.AXES_CACHE = "axes" if "axes" in caches else "default"
    assert _ids(settings) == expected


def test_the_check_leaves_development_alone(settings):
    settings.DEBUG = True
    settings.CACHES = {"default": LOCMEM}
    assert _ids(settings) == []


def test_the_login_lock_counts_in_the_database_every_process_shares(settings):
    """django-axes' store: the database handler (the database is one for every process and host)."""
    from axes.handlers.proxy import AxesProxyHandler

    from center import settings as configured

    assert configured.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.implementation = None
    assert type(AxesProxyHandler.get_implementation()).__name__ == "AxesDatabaseHandler"


def test_the_embedded_store_behaves_as_a_django_cache(tmp_path):
    from core.sqlite_cache import SQLiteCache

    cache = SQLiteCache(tmp_path / "cache.sqlite3", {})
    other = SQLiteCache(tmp_path / "cache.sqlite3", {})  # another process would see the same file
    assert cache.get("missing", "default") == "default"
    cache.set("k", {"a": [1, 2]}, timeout=60)
    assert other.get("k") == {"a": [1, 2]} and other.has_key("k")
    assert cache.add("k", "new") is False and cache.get("k") == {"a": [1, 2]}
    assert cache.add("fresh", 0, timeout=60) is True
    assert [cache.incr("fresh"), other.incr("fresh", 5)] == [1, 6]
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("gone", 1, timeout=0)  # a timeout of 0 expires at once, as in Django's caches
    assert cache.get("gone") is None and cache.add("gone", 2) is True and cache.get("gone") == 2
    cache.set("short", 1, timeout=1)
    assert cache.touch("short", timeout=None) is True
    time.sleep(1.1)
    assert cache.get("short") == 1  # touched to never expire
    cache.set("expiring", "x", timeout=1)
    time.sleep(1.1)
    assert cache.get("expiring") is None and not cache.has_key("expiring") and cache.touch("expiring") is False
    with pytest.raises(ValueError):
        cache.incr("expiring")
    assert cache.add("expiring", "again", timeout=60) is True  # an expired entry is replaced by add
    assert cache.delete("k") is True and cache.delete("k") is False
    cache.set_many({"m1": 1, "m2": 2})
    assert cache.get_many(["m1", "m2", "m3"]) == {"m1": 1, "m2": 2}
    cache.clear()
    assert other.get("fresh") is None


@pytest.mark.parametrize("rate, ok", [("60/minute", True), ("5/s", True), ("1000/day", True), ("lots", False),
                                      ("10/fortnight", False), ("", False)])
def test_an_unreadable_api_rate_is_a_check_error(settings, rate, ok):
    from center.checks import api_rates_are_readable

    settings.CENTER_API_RATE_PER_TOKEN = rate
    assert [message.id for message in api_rates_are_readable()] == ([] if ok else ["center.E004"])
