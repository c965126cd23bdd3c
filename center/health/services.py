"""State changes of the center's own: heartbeat."""
from django.db import transaction
from django.utils import timezone

from center.models import WorkerHeartbeat

HEARTBEAT_NAME = "celery"


def record_heartbeat(*, name: str = HEARTBEAT_NAME) -> WorkerHeartbeat:
    """Record that a worker is alive now. Idempotent per name (one row, updated in place)."""
    with transaction.atomic():
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            name=name, defaults={"last_seen": timezone.now()}
        )
    return heartbeat

