"""Security issue 17, finding 12 (TESTING.md T16): stamps and history rows cannot be changed by raw
SQL either. Database triggers refuse UPDATE and DELETE on every history table, on the timeline and
on stamps (except a stamp's revocation), on SQLite and on PostgreSQL alike."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.apps import apps
from simple_history.models import HistoricalChanges

from core.append_only import expected_trigger_names, guarded_trigger_names
from departments.models import Officer
from departments.tests.factories import HeadFactory
from workorders.models import Approval, Assignment, RequestEvent
from workorders.models.stamps import REVOCATION_FIELDS
from workorders.services import revoke_approval, stamp_assignment
from workorders.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = "append-only table"


def guarded_models() -> list:
    """Every history model of every app (simple_history's, many-to-many ones included), the timeline
    and the stamps."""
    history = sorted((m for m in apps.get_models() if issubclass(m, HistoricalChanges)), key=lambda m: m._meta.db_table)
    return [*history, RequestEvent, Approval]


def guarded_tables() -> list[str]:
    return [model._meta.db_table for model in guarded_models()]


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert APPEND_ONLY in str(error.value)
    return str(error.value)


@pytest.fixture
def stamped(rich_world):
    """The world (with its factory-made stamp of department A) plus a real stamp of department B,
    signed by officer B's membership, with its timeline event; and a head of B, who may revoke it."""
    assignment = AssignmentFactory(department=rich_world.dept_b, status=Assignment.Status.IN_PROGRESS)
    rich_world.stamp = stamp_assignment(actor=rich_world.officer_b, assignment=assignment, decision="approved")
    rich_world.head_b = HeadFactory(department=rich_world.dept_b).user
    return rich_world


def test_every_history_table_the_timeline_and_the_stamps_have_their_triggers():
    tables = guarded_tables()
    assert len(tables) >= 20 and "departments_historicalofficer" in tables and "center_historicalagendaitem" in tables
    missing = {table: expected_trigger_names(connection, table) - guarded_trigger_names(connection, table)
               for table in tables}
    assert not {table: names for table, names in missing.items() if names}, (
        "a migration dropped or never made these triggers: run core.append_only.install again")


def test_raw_sql_cannot_update_or_delete_a_history_or_timeline_row(stamped):
    tried = []
    for model in guarded_models()[:-1]:
        table = model._meta.db_table
        if not model._base_manager.exists():
            continue
        quoted, key = connection.ops.quote_name(table), connection.ops.quote_name(model._meta.pk.column)
        _refused(f"UPDATE {quoted} SET {key} = {key}")  # even a write of the same values
        _refused(f"DELETE FROM {quoted}")
        tried.append(table)
    # The world's rows reach the main history tables and the timeline.
    assert {"workorders_historicalapproval", "workorders_historicalservicerequest", "departments_historicalofficer",
            "projects_historicalenterprise", "workorders_requestevent"} <= set(tried)
    assert RequestEvent.objects.filter(kind="stamped", text__startswith=stamped.stamp.serial).exists()
    assert stamped.stamp.history.count() == 1


@pytest.mark.parametrize("field", [f for f in Approval._meta.concrete_fields if f.attname not in REVOCATION_FIELDS],
                         ids=lambda f: f.attname)
def test_raw_sql_cannot_change_any_signed_or_fixed_column_of_a_stamp(stamped, field):
    column = connection.ops.quote_name(field.column)
    value = f"{column} + 1000" if field.primary_key else "NULL"
    message = _refused(f"UPDATE workorders_approval SET {column} = {value} WHERE id = %s", [stamped.stamp.pk])
    assert "stamp" in message
    # Set to itself it still goes through the trigger, and passes: nothing changed.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE workorders_approval SET {column} = {column} WHERE id = %s", [stamped.stamp.pk])


def test_raw_sql_cannot_delete_a_stamp_and_a_revoked_stamp_cannot_change_at_all(stamped):
    _refused("DELETE FROM workorders_approval WHERE id = %s", [stamped.stamp.pk])
    revoked = revoke_approval(actor=stamped.head_b, approval=stamped.stamp, reason="依据变更")  # the service may
    assert Approval.objects.get(pk=revoked.pk).revoked_by == stamped.head_b
    _refused("UPDATE workorders_approval SET revocation_reason = %s WHERE id = %s", ["另一个理由", revoked.pk])
    _refused("UPDATE workorders_approval SET revoked_at = NULL WHERE id = %s", [revoked.pk])
    _refused("DELETE FROM workorders_approval WHERE id = %s", [revoked.pk])
    assert Approval.objects.filter(pk=revoked.pk, revocation_reason="依据变更").exists()


def test_the_history_keeps_being_written(stamped):
    """simple_history only inserts: saving a membership adds a history row, and the older ones stay."""
    membership = stamped.stamp.membership
    before = membership.history.count()
    membership.display_name = "新名字"
    membership._history_user = stamped.staff
    membership.save()
    assert membership.history.count() == before + 1


def test_a_user_who_appears_in_the_history_cannot_be_deleted(stamped):
    """Deleting would blank the history's "who" (SET_NULL is an UPDATE): accounts are deactivated instead."""
    with pytest.raises(DatabaseError), transaction.atomic():
        get_user_model().objects.get(pk=stamped.user_b.pk).delete()
    assert get_user_model().objects.filter(pk=stamped.user_b.pk).exists()


def test_sqlite_lets_no_connection_claim_it_is_flushing(stamped):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's flush path only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT center_flushing()")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_guarded_tables_as_the_test_suite_does(stamped):
    """A transactional test ends with ``flush`` (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    _refused("DELETE FROM workorders_historicalapproval")
    call_command("flush", interactive=False, verbosity=0)
    assert not Approval.objects.exists() and not Approval.history.exists() and not RequestEvent.objects.exists()
    assert not Officer.history.exists()
