"""State changes of the center's own: the worker heartbeat, and the record of the beat's sends."""
import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from center.models import PeriodicRun, WorkerHeartbeat

HEARTBEAT_NAME = "celery"


def record_heartbeat(*, name: str = HEARTBEAT_NAME) -> WorkerHeartbeat:
    """Record that a worker is alive now. Idempotent per name (one row, updated in place)."""
    with transaction.atomic():
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            name=name, defaults={"last_seen": timezone.now()}
        )
    return heartbeat


class PeriodicClaim(NamedTuple):
    granted: bool
    #: the send recorded before this claim (None: never sent)
    previous: datetime.datetime | None


def claim_periodic_run(*, name: str, now: datetime.datetime, interval: datetime.timedelta) -> PeriodicClaim:
    """Record that the beat sends periodic task ``name`` at ``now``, unless a send of it is already
    recorded within ``interval`` before ``now`` (another beat, or this one, sent it this round):
    then nothing changes and the claim is not granted. Atomic, under the row's lock (on
    PostgreSQL), and a first record is guarded by the unique name, so of two beats claiming one
    round exactly one is granted it."""
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().filter(name=name).first()
        if run is None:
            try:
                with transaction.atomic():
                    PeriodicRun.objects.create(name=name, last_run_at=now, run_count=1)
                return PeriodicClaim(granted=True, previous=None)
            except IntegrityError:  # another beat recorded the first send meanwhile
                run = PeriodicRun.objects.select_for_update().get(name=name)
        if run.last_run_at > now - interval:
            return PeriodicClaim(granted=False, previous=run.last_run_at)
        PeriodicRun.objects.filter(pk=run.pk).update(last_run_at=now, run_count=F("run_count") + 1)
        return PeriodicClaim(granted=True, previous=run.last_run_at)


def release_periodic_run(*, name: str, sent_at: datetime.datetime, previous: datetime.datetime | None) -> None:
    """Undo ``claim_periodic_run`` for a send that failed (the broker refused it), so the task is
    still overdue for the next try: the record goes back to ``previous`` (none: removed), unless
    a later send has been recorded since."""
    with transaction.atomic():
        runs = PeriodicRun.objects.select_for_update().filter(name=name, last_run_at=sent_at)
        if previous is None:
            runs.delete()
        else:
            runs.update(last_run_at=previous, run_count=F("run_count") - 1)
