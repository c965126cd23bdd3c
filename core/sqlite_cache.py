"""A Django cache in one SQLite file, shared by every process on the host: the embedded default's
store for the rate limits, the API throttles and the cached sessions.

Why not one of Django's own: the local-memory cache is per process (three gunicorn workers kept three
counts, so a limit of 30 let 90 through); the file cache is shared, but its ``incr`` reads the value,
adds and writes the file back, so two processes counting at once both write 6 after 5 and a count is
lost; the database cache's ``incr`` does the same in two statements, and needs ``createcachetable``
on every set-up. Here ``add`` and ``incr`` each run in one ``BEGIN IMMEDIATE`` transaction: SQLite
gives it the file's write lock for its whole read-and-write, so no count is lost between processes.
WAL lets readers go on while one writes; a writer waits for the lock (up to ``TIMEOUT_SECONDS``).

Entries past their expiry are deleted now and then on writes. Live entries are never evicted to make
room (Django's ``MAX_ENTRIES`` is not applied): evicting a rate-limit count would reset it.
"""
from __future__ import annotations

import os
import pickle
import random
import sqlite3
import threading
import time
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

TIMEOUT_SECONDS = 20
NEVER = 2.0 ** 62  # the expiry of an entry stored without timeout
PURGE_ONE_WRITE_IN = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires);
"""


class SQLiteCache(BaseCache):
    """``LOCATION`` is the file's path; its folder must exist and be writable by every process."""

    def __init__(self, location, params):
        super().__init__(params)
        self.path = str(location)
        self._local = threading.local()

    # --- the connection: one per thread and process (sqlite3 connections are neither shared) ---

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=TIMEOUT_SECONDS, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        return self._connection().execute(sql, parameters)

    @contextmanager
    def _locked(self):
        """A transaction holding the file's write lock from its start; committed, or rolled back on error."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- values --------------------------------------------------------------------------------

    def _expiry(self, timeout) -> float:
        expires = self.get_backend_timeout(timeout)
        return NEVER if expires is None else expires

    @staticmethod
    def _dump(value) -> bytes:
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(raw: bytes):
        return pickle.loads(raw)

    def _maybe_purge(self) -> None:
        if random.randrange(PURGE_ONE_WRITE_IN) == 0:
            self._execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    # --- the cache API ----------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return default if row is None else self._load(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._execute("INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
                      "SET value = excluded.value, expires = excluded.expires",
                      (key, self._dump(value), self._expiry(timeout)))
        self._maybe_purge()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store ``value`` unless the key holds a live entry; True when stored. Atomic across processes."""
        key = self.make_and_validate_key(key, version=version)
        with self._locked() as connection:
            cursor = connection.execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
                "SET value = excluded.value, expires = excluded.expires WHERE cache.expires <= ?",
                (key, self._dump(value), self._expiry(timeout), time.time()))
            added = cursor.rowcount == 1
        self._maybe_purge()
        return added

    def incr(self, key, delta=1, version=None):
        """Add ``delta`` to a live entry, keeping its expiry; ValueError when there is none. Atomic
        across processes: the read and the write hold the file's write lock together."""
        key = self.make_and_validate_key(key, version=version)
        with self._locked() as connection:
            row = connection.execute("SELECT value FROM cache WHERE key = ? AND expires > ?",
                                     (key, time.time())).fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = self._load(row[0]) + delta
            connection.execute("UPDATE cache SET value = ? WHERE key = ?", (self._dump(value), key))
        return value

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._execute("UPDATE cache SET expires = ? WHERE key = ? AND expires > ?",
                               (self._expiry(timeout), key, time.time()))
        return cursor.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._execute("SELECT 1 FROM cache WHERE key = ? AND expires > ?", (key, time.time())).fetchone() is not None

    def clear(self):
        self._execute("DELETE FROM cache")

    def close(self, **kwargs):
        """Django closes every cache after each request; the connection is kept for the next one
        (opening it again would cost a file open and the schema statements per request)."""

