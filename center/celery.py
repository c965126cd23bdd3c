"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""
import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "center.settings")

app = Celery("center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _prepare_office_hours_at_start(sender=None, **kwargs):
    """Beat also sends the office-hours job when it starts, so that a fresh install has its sessions
    and the next agenda at once instead of after the first interval (the job is idempotent)."""
    sender.app.send_task("center.tasks.prepare_office_hours")
