"""Reads of the health check (the database, the broker and the worker heartbeat) and of the beat's
record of its sends."""
import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from center.health.services import HEARTBEAT_NAME
from center.models import PeriodicRun, WorkerHeartbeat
from workorders.selectors import stamp_key_report


def health_report() -> dict:
    """Database, broker, worker heartbeat and stamp keys, each ``ok`` or not, plus the heartbeat's age
    in seconds and which stamp keys are missing (``workorders.selectors.stamp_key_report``)."""
    report = {"database": {"ok": False}, "broker": {"ok": False}, "worker": {"ok": False, "heartbeat_age_seconds": None}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"]["ok"] = True
    except Exception as error:  # noqa: BLE001 - health reports every failure as data
        report["database"]["error"] = type(error).__name__
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
        report["broker"]["ok"] = True
    except Exception as error:  # noqa: BLE001
        report["broker"]["error"] = type(error).__name__
    if report["database"]["ok"]:
        heartbeat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
        if heartbeat is not None:
            age = (timezone.now() - heartbeat.last_seen).total_seconds()
            report["worker"]["heartbeat_age_seconds"] = round(age, 1)
            report["worker"]["ok"] = age <= settings.CENTER_HEARTBEAT_MAX_AGE_SECONDS
    report["stamp_keys"] = {"ok": False}
    if report["database"]["ok"]:
        try:
            report["stamp_keys"] = stamp_key_report()
        except Exception as error:  # noqa: BLE001 - a key folder that cannot be read is reported, not raised
            report["stamp_keys"]["error"] = type(error).__name__
    report["ok"] = all(part["ok"] for part in (report["database"], report["broker"], report["worker"],
                                                report["stamp_keys"]))
    return report


def periodic_runs() -> dict[str, datetime.datetime]:
    """When each periodic task was last sent by any beat, by its schedule name (never sent: absent)."""
    return dict(PeriodicRun.objects.values_list("name", "last_run_at"))
