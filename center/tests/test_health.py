import datetime

import pytest
from django.utils import timezone

from center.tests.factories import WorkerHeartbeatFactory


@pytest.fixture
def broker_in_tmp(settings, tmp_path):
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"


@pytest.mark.django_db
def test_healthy_when_database_broker_and_recent_heartbeat(client, broker_in_tmp):
    WorkerHeartbeatFactory(last_seen=timezone.now() - datetime.timedelta(seconds=20))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert 19 <= body["worker"]["heartbeat_age_seconds"] <= 60


@pytest.mark.django_db
def test_503_when_no_worker_ever_beat(client, broker_in_tmp):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "heartbeat_age_seconds": None}


@pytest.mark.django_db
def test_503_when_heartbeat_is_stale(client, broker_in_tmp, settings):
    settings.CENTER_HEARTBEAT_MAX_AGE_SECONDS = 60
    WorkerHeartbeatFactory(last_seen=timezone.now() - datetime.timedelta(seconds=61))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False


@pytest.mark.django_db
def test_503_when_broker_is_down(client, settings):
    WorkerHeartbeatFactory()
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# --- free space on the upload disk (issue 25, part 1) ---------------------------------------------

@pytest.mark.django_db
def test_free_space_on_the_media_and_stash_folders_is_reported(client, broker_in_tmp, settings):
    WorkerHeartbeatFactory()
    settings.CENTER_MEDIA_MIN_FREE_BYTES = 1
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["ok"] is True
    disk = body["disk"]
    assert disk["ok"] is True and disk["min_free_bytes"] == 1
    assert disk["media"]["free_bytes"] > 0 and disk["stash"]["free_bytes"] > 0


@pytest.mark.django_db
def test_degraded_but_still_200_under_the_free_space_threshold(client, broker_in_tmp, settings):
    """Little free space is a warning, not an outage: reading, the desk and stamping still work, so
    the load balancer and the container's health check keep the web processes (200, ``ok`` true)."""
    WorkerHeartbeatFactory()
    settings.CENTER_MEDIA_MIN_FREE_BYTES = 2**62  # more than any disk has
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["ok"] is True
    assert body["disk"]["ok"] is False
    assert body["disk"]["media"]["ok"] is False and body["disk"]["stash"]["ok"] is False


@pytest.mark.django_db
def test_down_wins_over_degraded(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    settings.CENTER_MEDIA_MIN_FREE_BYTES = 2**62
    WorkerHeartbeatFactory()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"
