"""Django's ``flush`` (empty every table), able to empty the append-only tables on SQLite too.

On PostgreSQL a flush is a ``TRUNCATE``, which the row triggers of core/append_only.py do not see;
on SQLite it is ``DELETE FROM`` each table, which they refuse unless the connection is flushing.
The test suite flushes between transactional tests; nothing else in the product calls it."""
from django.core.management.commands import flush
from django.db import connections

from core.append_only import flushing


class Command(flush.Command):
    def handle(self, **options):
        with flushing(connections[options["database"]]):
            return super().handle(**options)
