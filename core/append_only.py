"""Tables the database itself keeps append-only: triggers that refuse ``UPDATE`` and ``DELETE``.

The application never changes a stamp (except to revoke it) nor a history or timeline row; the
models and querysets refuse it. These triggers refuse it below the application too, whoever writes
SQL: an ``UPDATE`` or ``DELETE`` raises an error naming the table. They are created by migrations
(``install``), on PostgreSQL (PL/pgSQL functions) and on SQLite (``RAISE(ABORT)``), and a test
checks that every guarded table has them.

Two kinds:

- ``refuse_changes``: no row is ever updated or deleted (simple_history's tables, the timeline).
- ``refuse_stamp_changes``: a stamp's row may be updated once, while it is in force, and then only
  in its revocation columns (what ``revoke_approval`` writes); never deleted.

Wiping a whole database stays possible with ``manage.py flush``, as the test suite does between
transactional tests: on PostgreSQL it is a ``TRUNCATE``, which row triggers do not see; on SQLite it
is ``DELETE FROM``, so there the delete triggers let rows go while ``center_flushing()`` answers 1,
which only happens inside ``flushing()`` (the project's ``flush`` command). The function is
registered in Python on each SQLite connection the application opens; another program (the
``sqlite3`` shell) does not have it, so its deletes fail too. A migration that rebuilds a guarded
table on SQLite (Django copies the table to change a column) drops its triggers: such a migration
must run ``install`` again (the test of every table's triggers fails until it does).
"""
from __future__ import annotations

from contextlib import contextmanager

FLUSHING_FUNCTION = "center_flushing"
_FLUSHING_ATTRIBUTE = "center_flushing"

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION center_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused (history and stamps are never changed)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END
$$;
CREATE OR REPLACE FUNCTION center_refuse_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A stamp in force may be revoked: its revocation columns set, nothing else changed.
    IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NULL
       AND (to_jsonb(NEW) - TG_ARGV::text[]) = (to_jsonb(OLD) - TG_ARGV::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'append-only table %: % refused (a stamp is only ever revoked, once)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END
$$;
"""


def _names(table: str) -> tuple[str, str]:
    """SQLite's two triggers of a table (one per statement kind, since only deletes may be flushed)."""
    return f"center_refuse_update_{table}", f"center_refuse_delete_{table}"


def _pg_name(table: str) -> str:
    return f"center_refuse_change_{table}"


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _sqlite_message(table: str, operation: str, why: str) -> str:
    return f"append-only table {table}: {operation} refused ({why})".replace("'", "''")


def _install_table(schema_editor, table: str, allowed_update_columns: tuple[str, ...] = ()) -> None:
    connection = schema_editor.connection
    update_name, delete_name = _names(table)
    quoted = _quote(connection, table)
    vendor = connection.vendor
    if vendor == "postgresql":
        if allowed_update_columns:
            arguments = ", ".join(f"'{column}'" for column in allowed_update_columns)
            function = f"center_refuse_stamp_change({arguments})"
        else:
            function = "center_refuse_change()"
        schema_editor.execute(f"CREATE OR REPLACE TRIGGER {_pg_name(table)} BEFORE UPDATE OR DELETE ON {quoted} "
                              f"FOR EACH ROW EXECUTE FUNCTION {function}")
    elif vendor == "sqlite":
        why = "a stamp is only ever revoked, once" if allowed_update_columns else "history and stamps are never changed"
        if allowed_update_columns:
            with connection.cursor() as cursor:
                columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            fixed = [c for c in columns if c not in allowed_update_columns]
            changed = " OR ".join(f"OLD.{_quote(connection, c)} IS NOT NEW.{_quote(connection, c)}" for c in fixed)
            condition = f"OLD.{_quote(connection, 'revoked_at')} IS NOT NULL OR {changed}"
        else:
            condition = "1"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {update_name}")
        schema_editor.execute(
            f"CREATE TRIGGER {update_name} BEFORE UPDATE ON {quoted} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{_sqlite_message(table, 'UPDATE', why)}'); END")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {delete_name}")
        schema_editor.execute(
            f"CREATE TRIGGER {delete_name} BEFORE DELETE ON {quoted} FOR EACH ROW WHEN NOT {FLUSHING_FUNCTION}() "
            f"BEGIN SELECT RAISE(ABORT, '{_sqlite_message(table, 'DELETE', why)}'); END")
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database")


def install(schema_editor, tables: list[str], *, stamp_tables: dict[str, tuple[str, ...]] | None = None) -> None:
    """Create (or re-create) the triggers: ``tables`` refuse every change; each of ``stamp_tables``
    ({table: revocation columns}) accepts only the revocation of a stamp in force. Idempotent."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTIONS, params=None)  # its % are PL/pgSQL's, not placeholders
    for table in tables:
        _install_table(schema_editor, table)
    for table, columns in (stamp_tables or {}).items():
        _install_table(schema_editor, table, tuple(columns))


def uninstall(schema_editor, tables: list[str]) -> None:
    """Drop the triggers of ``tables`` (the reverse of ``install``; the PostgreSQL functions stay)."""
    connection = schema_editor.connection
    for table in tables:
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_pg_name(table)} ON {_quote(connection, table)}")
        else:
            for name in _names(table):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def guarded_trigger_names(connection, table: str) -> set[str]:
    """The append-only triggers the database has on ``table`` (for the tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           [connection.ops.quote_name(table)])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {name for (name,) in cursor.fetchall() if name.startswith("center_refuse_")}


def expected_trigger_names(connection, table: str) -> set[str]:
    return {_pg_name(table)} if connection.vendor == "postgresql" else set(_names(table))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each SQLite connection ``center_flushing()``, which the
    delete triggers ask (1 only inside ``flushing``)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        FLUSHING_FUNCTION, 0, lambda: 1 if getattr(connection, _FLUSHING_ATTRIBUTE, False) else 0)


@contextmanager
def flushing(connection):
    """While inside, this SQLite connection's delete triggers let rows go: for ``manage.py flush``
    only (the whole database emptied, as ``TRUNCATE`` does on PostgreSQL)."""
    previous = getattr(connection, _FLUSHING_ATTRIBUTE, False)
    setattr(connection, _FLUSHING_ATTRIBUTE, True)
    try:
        yield
    finally:
        setattr(connection, _FLUSHING_ATTRIBUTE, previous)
