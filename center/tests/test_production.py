"""Production configuration: check --deploy is clean with the production variables, logs are JSON
lines, tasks go to their queues, the dashboards can read from a replica, and a Redis outage costs the
web nothing but speed (sessions are in the database too; rate limits let requests through)."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from jwcrypto import jwk

from projects.tests.factories import EnterpriseUserFactory
from tests.world import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "center.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://center.example.gov.cn",
    "CENTER_PROXY_SSL_HEADER": "true",
    "CACHE_URL": "redis://127.0.0.1:6379/2",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/1",
    "LOG_FORMAT": "json",
    # Production signs stamps with a key it is given (the start-up check refuses to run without one).
    "CENTER_STAMP_PRIVATE_KEY": jwk.JWK.generate(kty="OKP", crv="Ed25519").export_to_pem(
        private_key=True, password=None).decode(),
    "CENTER_STAMP_KEY_ID": "k-production-test",
}


def _run(tmp_path, arguments, **variables):
    # Only this machine's basics: the test run's own switches (DJANGO_ALLOW_ASYNC_UNSAFE for the
    # browser tests, say) are not production's.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CENTER_", "CELERY_", "DJANGO_"))}
    env.pop("DEBUG", None)
    env.update(CENTER_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="center.settings",
               SECRET_KEY=secrets.token_urlsafe(50), **variables)
    return subprocess.run([sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_variables(tmp_path):
    result = _run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_when_transport_security_is_switched_off(tmp_path):
    """The check is not vacuous: the same command fails once HSTS, secure cookies and the redirect are off."""
    result = _run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION,
                  CENTER_HSTS_SECONDS="0", CENTER_SECURE_COOKIES="false", CENTER_SSL_REDIRECT="false")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout


def test_the_replaced_proxy_count_refuses_to_start(tmp_path):
    """CENTER_PROXY_COUNT believed X-Forwarded-For from anyone; a deployment still setting it is told
    to list its proxies instead of starting with the header silently ignored."""
    result = _run(tmp_path, ["manage.py", "check"], **PRODUCTION, CENTER_PROXY_COUNT="1")
    assert result.returncode != 0 and "CENTER_TRUSTED_PROXIES" in result.stderr
    result = _run(tmp_path, ["manage.py", "check"], **PRODUCTION, CENTER_TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8")
    assert result.returncode == 0, result.stderr
    result = _run(tmp_path, ["manage.py", "check"], **PRODUCTION, CENTER_TRUSTED_PROXIES="nginx.internal")
    assert result.returncode != 0 and "CENTER_TRUSTED_PROXIES" in result.stderr


def test_production_defaults(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; import json; print(json.dumps({"
        "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, 'cookie': s.SESSION_COOKIE_SECURE, "
        "'csrf': s.CSRF_COOKIE_SECURE, 'proxy': list(s.SECURE_PROXY_SSL_HEADER), 'sessions': s.SESSION_ENGINE, "
        "'cache': s.CACHES['default']['BACKEND'], 'visibility': s.CELERY_BROKER_TRANSPORT_OPTIONS, "
        "'limits': [s.CELERY_TASK_SOFT_TIME_LIMIT, s.CELERY_TASK_TIME_LIMIT], 'acks_late': s.CELERY_TASK_ACKS_LATE, "
        "'scheduler': s.CELERY_BEAT_SCHEDULER}))"
    )
    result = _run(tmp_path, ["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "redirect": True, "hsts": 31536000, "cookie": True, "csrf": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "sessions": "django.contrib.sessions.backends.cached_db",
        "cache": "django_redis.cache.RedisCache", "visibility": {"visibility_timeout": 3600},
        "limits": [840, 900], "acks_late": True, "scheduler": "center.beat:LockedScheduler",
    }


def test_logs_are_one_json_object_per_line(tmp_path):
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('center.test').warning('工单 %s 已逾期', 'BS-1')")
    result = _run(tmp_path, ["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["message"] == "工单 BS-1 已逾期"
    assert record["level"] == "WARNING" and record["logger"] == "center.test"
    assert record["time"] and record["process"]


def test_each_kind_of_task_goes_to_its_queue():
    from center.celery import app

    def queue(name):
        return app.amqp.router.route({}, name)["queue"].name

    assert queue("workorders.tasks.sla_sweep") == "sla"
    assert queue("center.tasks.prepare_office_hours") == "agenda"
    assert queue("notifications.tasks.send_pending_emails") == "notifications"
    for name in ("center.tasks.record_heartbeat", "center.tasks.refresh_dashboard_figures",
                 "workorders.tasks.rebuild_similarity_index", "center.tasks.ping"):
        assert queue(name) == "default"
    assert set(app.amqp.queues) == {"default", "sla", "agenda", "notifications"}


def test_dashboards_read_from_the_replica_and_nothing_else_does(monkeypatch):
    from center.dashboards import db_router
    from workorders.models import WorkOrder

    router = db_router.DashboardReplicaRouter()
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    inside = db_router.reads_from_replica(lambda: (router.db_for_read(WorkOrder), router.db_for_write(WorkOrder)))
    assert inside() == ("replica", "default")
    assert router.db_for_read(WorkOrder) is None  # the default: the primary
    assert router.allow_migrate("replica", "workorders") is False
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    assert inside() == (None, "default")  # no replica configured: the primary

    from center.dashboards import views as dashboard_views

    for view in (dashboard_views.leader_dashboard, dashboard_views.leader_export, dashboard_views.center_export):
        assert getattr(view, "reads_from_replica", False) is True, view


DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


def test_with_redis_down_people_still_sign_in_and_work(world, settings):
    settings.CACHES = DEAD_REDIS
    client = Client()
    response = client.post("/accounts/login/", {"username": "ent_a", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/requests/{world.request_a.tracking_number}/")  # the session came from the database
    assert page.status_code == 200 and world.request_a.title in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/requests/").status_code == 302  # signed out, to the login page


@pytest.mark.django_db
def test_with_redis_down_the_public_form_is_not_refused(settings):
    settings.CACHES = DEAD_REDIS
    settings.CENTER_SIGNUP_RATE_PER_HOUR = 1
    for _ in range(3):  # past the limit: the count cannot be kept, so nobody is refused (429)
        response = Client().post("/signup/", {"username": ""})
        assert response.status_code == 200  # the form's own errors, shown beside the fields
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert Client().post("/signup/", {"username": ""}).status_code == 200
    assert Client().post("/signup/", {"username": ""}).status_code == 429  # a working cache counts


@pytest.mark.django_db
def test_behind_nginx_the_rate_limit_and_the_login_lock_count_each_client(settings):
    """All requests arrive from nginx's address; each client is still counted on its own."""
    from axes.utils import reset

    reset()
    settings.CENTER_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.CENTER_SIGNUP_RATE_PER_HOUR = 1
    settings.AXES_FAILURE_LIMIT = 2
    nginx = {"REMOTE_ADDR": "10.0.0.1"}
    one = Client(HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx)
    two = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **nginx)
    assert one.post("/signup/", {"username": ""}).status_code == 200
    assert one.post("/signup/", {"username": ""}).status_code == 429
    assert two.post("/signup/", {"username": ""}).status_code == 200  # another client, its own count
    # A forged header to the left does not give the first client a new count.
    forged = Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **nginx)
    assert forged.post("/signup/", {"username": ""}).status_code == 429

    EnterpriseUserFactory(username="shared-name")
    for _ in range(2):
        one.post("/accounts/login/", {"username": "shared-name", "password": "wrong"})
    assert one.post("/accounts/login/", {"username": "shared-name", "password": PASSWORD}).status_code == 429
    assert two.post("/accounts/login/", {"username": "shared-name", "password": PASSWORD}).status_code == 302
    reset()


def test_check_deploy_refuses_production_without_a_stamp_key(tmp_path):
    """Issue 25, part 2: with DEBUG off and no key, the deployment check (and so the web's start-up)
    is an error, not a silent "tampered" on every public verification page."""
    without = {key: value for key, value in PRODUCTION.items() if not key.startswith("CENTER_STAMP_")}
    result = _run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  CENTER_STAMP_KEY_DIR=str(tmp_path / "no-keys"), **without)
    assert result.returncode != 0 and "center.E005" in result.stdout + result.stderr
