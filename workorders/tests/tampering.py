"""For tests that play an attacker who owns the database: the append-only triggers of a table are
dropped inside the test's transaction, which rolls the drop back (the next test has them again)."""
from contextlib import contextmanager

from django.db import connection, transaction

from core.append_only import guarded_trigger_names


@contextmanager
def triggers_dropped(table: str):
    assert transaction.get_connection().in_atomic_block, "only inside a test's transaction"
    names = guarded_trigger_names(connection, table)
    assert names, f"{table} has no append-only triggers to drop"
    with connection.cursor() as cursor:
        for name in names:
            on = f" ON {connection.ops.quote_name(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER {name}{on}")
    yield
