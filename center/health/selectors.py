"""Reads of the health check (the database, the broker, the worker heartbeat and the upload disk's
free space) and of the beat's record of its sends."""
import datetime
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from center.health.services import HEARTBEAT_NAME
from center.models import PeriodicRun, WorkerHeartbeat
from workorders import upload_stash
from workorders.models import ATTACHMENTS_FOLDER
from workorders.selectors import stamp_key_report


def health_report() -> dict:
    """Database, broker, worker heartbeat and stamp keys, each ``ok`` or not, plus the heartbeat's age
    in seconds and which stamp keys are missing (``workorders.selectors.stamp_key_report``); and the
    free space of the upload disk (``disk``).

    ``ok`` is whether the site can serve (database, broker, worker and stamp keys): it decides the
    503. ``status`` is ``down`` when it cannot, ``degraded`` when it serves but the media or stash
    folder has less than ``CENTER_MEDIA_MIN_FREE_BYTES`` free (uploads will soon fail; everything
    else works, so load balancers keep the process), else ``ok``."""
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
    report["disk"] = disk_report()
    report["ok"] = all(part["ok"] for part in (report["database"], report["broker"], report["worker"],
                                                report["stamp_keys"]))
    report["status"] = "down" if not report["ok"] else "ok" if report["disk"]["ok"] else "degraded"
    return report


def disk_report() -> dict:
    """Free bytes where attachments and the retry stash are written, each ``ok`` when at least
    ``CENTER_MEDIA_MIN_FREE_BYTES``. A folder not made yet is measured on its nearest existing
    parent (the filesystem it will be made on); paths are not shown (``/healthz`` is public)."""
    threshold = settings.CENTER_MEDIA_MIN_FREE_BYTES
    report: dict = {"ok": True, "min_free_bytes": threshold}
    for name, folder in (("media", Path(settings.MEDIA_ROOT) / ATTACHMENTS_FOLDER), ("stash", upload_stash.root())):
        try:
            free = shutil.disk_usage(_nearest_existing(folder)).free
        except OSError as error:
            report[name] = {"ok": False, "free_bytes": None, "error": type(error).__name__}
        else:
            report[name] = {"ok": free >= threshold, "free_bytes": free}
        report["ok"] = report["ok"] and report[name]["ok"]
    return report


def _nearest_existing(folder: Path) -> Path:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return folder


def periodic_runs() -> dict[str, datetime.datetime]:
    """When each periodic task was last sent by any beat, by its schedule name (never sent: absent)."""
    return dict(PeriodicRun.objects.values_list("name", "last_run_at"))
