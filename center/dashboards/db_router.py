"""Reads for the dashboards from a PostgreSQL read replica, when one is configured.

With ``DATABASE_REPLICA_URL`` set, a view wrapped in ``reads_from_replica`` reads from the
``replica`` database; every other read, and every write anywhere, goes to the primary. Only the
leader's dashboard and the dashboard exports use it: they read figures that are seconds old
anyway, while the center's queue and every form need what was just written.
"""
from __future__ import annotations

import contextvars
import functools

from django.conf import settings

REPLICA = "replica"
_reading_replica = contextvars.ContextVar("center_reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica(view):
    """Decorator: the view's reads go to the replica (when there is one)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = _reading_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading_replica.reset(token)

    wrapped.reads_from_replica = True  # functools.wraps carries it up through outer decorators
    return wrapped


class DashboardReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # a streaming replica follows the primary's schema
