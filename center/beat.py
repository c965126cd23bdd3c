"""Exactly one Celery beat sends the schedule, however many are started.

``LockedScheduler`` (``CELERY_BEAT_SCHEDULER``) sends nothing until it holds the beat lock:

- on PostgreSQL, a session-level advisory lock held by a connection of its own, so the lock is
  released the moment the beat process or its connection dies, on whatever host it ran;
- on SQLite (the embedded development set-up, one machine), an exclusive ``flock`` on a file in
  ``CENTER_VAR_DIR``, released by the kernel when the process dies.

A second beat (started on another host for availability) waits as a hot standby, trying again every
few seconds, and takes over when the first one dies. It does not even open its schedule file until
it holds the lock, so two beats sharing a folder cannot damage it. A beat that loses its lock (its
database connection dropped) stops sending at once and stands by like the others.

When each periodic task was last sent lives in the database (``center.models.PeriodicRun``), not
only in the beat's own schedule file: a beat that takes the lock loads it, so whatever is overdue
(the round the dead beat did not live to send, or a task never sent) goes at once and the rest
keeps the dead beat's rhythm instead of starting a full interval later. Each send is first claimed
in the database (``claim_periodic_run``, under the row's lock): a task sent by any beat within its
interval is not sent again.
"""
from __future__ import annotations

import datetime
import fcntl
import logging
import os
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections

from center.health.selectors import periodic_runs
from center.health.services import claim_periodic_run, release_periodic_run

logger = logging.getLogger("center.beat")

ADVISORY_LOCK_KEY = 7_305_002  # distinct from the SLA sweep's key (7_305_001)

# The last run of a task no beat has ever sent: long ago, so it is due at once.
NEVER_RUN = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
# A schedule that is not a plain interval (crontab: Celery's result clean-up) is never sent twice
# within this window; a crontab's resolution is the minute.
NON_INTERVAL_WINDOW = datetime.timedelta(minutes=1)


class PostgresAdvisoryLock:
    """A session advisory lock on a dedicated connection (not Django's per-thread one)."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._connection = None
        self._held = False

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY}"

    def acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = connections.create_connection(self.alias)
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                self._held = bool(cursor.fetchone()[0])
        except DatabaseError as error:
            logger.warning("beat lock: the database does not answer (%s)", error)
            self._discard()
        return self._held

    def held(self) -> bool:
        """Whether this process still holds the lock (its connection may have died)."""
        if not self._held:
            return False
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                    "AND classid = 0 AND objid = %s AND objsubid = 1 AND granted",
                    [ADVISORY_LOCK_KEY],
                )
                self._held = cursor.fetchone()[0] == 1
        except DatabaseError as error:
            logger.warning("beat lock: lost with the database connection (%s)", error)
            self._discard()
        return self._held

    def release(self) -> None:
        if self._connection is not None and self._held:
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
            except DatabaseError:
                pass  # closing the connection below releases it anyway
        self._discard()

    def _discard(self) -> None:
        self._held = False
        if self._connection is not None:
            try:
                self._connection.close()
            except DatabaseError:
                pass
        self._connection = None


class FileLock:
    """An exclusive flock on a file; the kernel releases it when the process ends."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def describe(self) -> str:
        return f"file lock {self.path}"

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def beat_lock():
    """The lock that fits the database: advisory on PostgreSQL, a file next to the schedule otherwise."""
    if connections["default"].vendor == "postgresql":
        return PostgresAdvisoryLock()
    return FileLock(Path(settings.VAR_DIR) / "celerybeat.lock")


class LockedScheduler(PersistentScheduler):
    #: how often a standby beat tries for the lock
    standby_seconds = 5.0

    def __init__(self, *args, **kwargs):
        self._lock = beat_lock()
        self._set_up = False
        self._said_standby = False
        self._runs_loaded = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        # Called by the base class's __init__: open the schedule only once the lock is ours.
        if self._take_lock():
            self._set_up_schedule()

    def tick(self, *args, **kwargs):
        if not self._lock.held() and not self._take_lock():
            return self.standby_seconds
        if not self._set_up:
            self._set_up_schedule()
        if not self._runs_loaded:
            self._load_runs()
        return super().tick(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        """Send a due entry if the database grants this round to this beat (no beat sent it within
        its interval); a send the broker refuses is taken back, so it is still overdue."""
        sent_at = self.app.now()
        try:
            _drop_a_broken_connection()
            claim = claim_periodic_run(name=entry.name, now=sent_at, interval=_interval(entry))
        except DatabaseError as error:
            logger.warning("beat: %s not sent: its send cannot be recorded, the database does not answer (%s)",
                           entry.name, error)
            self._runs_loaded = False  # reloaded once the database answers: then it is overdue
            return
        if not claim.granted:
            logger.info("beat: %s not sent: another beat sent it at %s, within its interval",
                        entry.name, claim.previous.isoformat())
            self._runs_loaded = False  # take that beat's rhythm
            return
        # The next round counts from the recorded send (the base class reserved it a moment earlier).
        self.schedule[entry.name].last_run_at = sent_at
        logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as error:  # noqa: BLE001 - as Celery's own apply_entry: log, keep beating
            logger.error("beat: sending %s failed (%s): taken back, tried again next tick", entry.name, error,
                         exc_info=True)
            try:
                release_periodic_run(name=entry.name, sent_at=sent_at, previous=claim.previous)
            except DatabaseError:
                pass  # the send stays recorded: one round lost, as before this record existed
            self._runs_loaded = False

    def close(self):
        try:
            super().close()
        finally:
            self._lock.release()

    def _take_lock(self) -> bool:
        if self._lock.acquire():
            logger.info("beat lock taken (%s): this beat sends the schedule", self._lock.describe())
            self._said_standby = False
            self._runs_loaded = False  # what other beats sent meanwhile
            return True
        if not self._said_standby:
            logger.info("beat lock held by another beat (%s): standing by", self._lock.describe())
            self._said_standby = True
        return False

    def _set_up_schedule(self):
        super().setup_schedule()
        self._set_up = True

    def _load_runs(self):
        """Each entry's last run as the database records it (never sent: due at once)."""
        try:
            _drop_a_broken_connection()
            recorded = periodic_runs()
        except DatabaseError as error:
            logger.warning("beat: the record of sends cannot be read, the database does not answer (%s)", error)
            return  # tried again next tick; sends wait for the database too
        overdue = []
        for name, entry in self.schedule.items():
            entry.last_run_at = recorded.get(name, NEVER_RUN)
            if entry.is_due().is_due:
                overdue.append(name)
        self._heap = None  # rebuilt from these times at this tick
        self._runs_loaded = True
        logger.info("beat: last sends loaded from the database; due now: %s", ", ".join(sorted(overdue)) or "none")


def _drop_a_broken_connection() -> None:
    """The beat is one long-lived process: a connection that broke (the database restarted) is
    closed so that the next query opens a new one, as Django does between requests. Never in the
    middle of a transaction (there is none in the beat; a test may hold one)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _interval(entry) -> datetime.timedelta:
    return getattr(entry.schedule, "run_every", None) or NON_INTERVAL_WINDOW
