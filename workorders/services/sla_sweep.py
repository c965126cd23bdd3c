"""The SLA sweep: move every open assignment and commitment to the SLA state its stored due date
gives today, record each step, and tell the people concerned in one digest each.

Set-based: the number of SQL statements is fixed whatever the number of open rows, and no row of
them is loaded into Python (only the digests' first lines, a bounded number per recipient).
The working-day calendar is reduced to a few threshold dates, so that a state is a comparison of
the stored due date in SQL:

- escalated: at least E working days have passed since the due date  → due_date < back[E]
- overdue:   at least one working day has passed since the due date  → due_date < back[1]
- due soon:  S working days or fewer are left                        → due_date < ahead[S + 1]

where back[k] is the k-th working day counted back from today (today included) and ahead[k] the
k-th working day after today. ``workorders.services.clock.sla_state_for`` states the same rule
row by row; a test holds the two together across Spring Festival and National Day.

Two more steps ride on it, set-based too:

- third-party pauses that reached their limit (``ClockPause.resumes_on`` today or earlier, the
  center not having approved that they go on) resume by themselves: the pause ends on that day
  after the limit's working days, the assignment's due date moves by them (the few distinct due
  dates are mapped with the calendar in Python and applied with one CASE), its status is in
  progress again and the state step below judges it (from "paused"); the history and a public
  timeline event ("clock running again") follow in one INSERT each;
- acknowledgement reminders: each open assignment not acknowledged by the end of its
  ``ack_due_on`` is told once to its department's heads and to center staff, in the same digests,
  and an ``AcknowledgementReminder`` row records it so that it is not told again.

Idempotent (a second run finds nothing to change) and safe when two workers run it at once: on
PostgreSQL a transaction-level advisory lock serializes sweeps, and SQLite's write lock does the
same; the second sweep then sees the first one's committed states and changes nothing.
"""
from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import roles
from core.system import system_user
from workdays.calendar import WorkCalendar, get_calendar, local_date
from departments.models import Officer
from notifications.services import deliver_personal, languages_of
from projects.models import Enterprise
from workorders.models import (
    AcknowledgementReminder,
    OPEN_ASSIGNMENT_STATUSES,
    RUNNING_ASSIGNMENT_STATUSES,
    Assignment,
    ClockPause,
    Commitment,
    RequestEvent,
    ServiceRequest,
    SlaTransition,
    WorkOrder,
)

ADVISORY_LOCK_KEY = 7_305_001  # any constant shared by all sweeps
DIGEST_LINES = 20
S = Assignment.SlaState
# The digests' pseudo-state of an assignment not acknowledged in time (not an SLA state: never stored).
UNACKNOWLEDGED = "unacknowledged"


@dataclass
class SweepResult:
    sweep: uuid.UUID
    today: datetime.date
    assignment_transitions: int = 0
    commitment_transitions: int = 0
    digests: int = 0
    emails: int = 0
    resumed: int = 0  # third-party pauses that resumed by themselves
    ack_reminders: int = 0  # assignments whose late acknowledgement was told
    by_state: dict = field(default_factory=dict)

    @property
    def transitions(self) -> int:
        return self.assignment_transitions + self.commitment_transitions


@dataclass(frozen=True)
class Thresholds:
    escalate_before: datetime.date
    overdue_before: datetime.date
    due_soon_before: datetime.date


def thresholds_for(today: datetime.date, calendar: WorkCalendar | None = None) -> Thresholds:
    calendar = calendar or get_calendar()
    due_soon = settings.CENTER_DUE_SOON_WORKING_DAYS
    escalate = settings.CENTER_ESCALATE_AFTER_WORKING_DAYS
    return Thresholds(
        escalate_before=_working_day_back(calendar, today, escalate),
        overdue_before=_working_day_back(calendar, today, 1),
        due_soon_before=calendar.add_working_days(today, due_soon + 1),
    )


def _working_day_back(calendar: WorkCalendar, today: datetime.date, k: int) -> datetime.date:
    """The k-th working day counted back from ``today`` (today itself is the first if it is one)."""
    day, seen = today, 0
    while True:
        if calendar.is_working_day(day):
            seen += 1
            if seen == k:
                return day
        day -= datetime.timedelta(days=1)


def _state_case(t: Thresholds, *, escalate: bool) -> tuple[str, list]:
    parts, params = [], []
    if escalate:
        parts.append("WHEN due_date < %s THEN %s")
        params += [_day(t.escalate_before), S.ESCALATED.value]
    parts.append("WHEN due_date < %s THEN %s WHEN due_date < %s THEN %s")
    params += [_day(t.overdue_before), S.OVERDUE.value, _day(t.due_soon_before), S.DUE_SOON.value]
    return f"(CASE {' '.join(parts)} ELSE %s END)", params + [S.ON_TRACK.value]


def run_sweep(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> SweepResult:
    """One sweep; see the module's docstring. Returns what it did."""
    now = now or timezone.now()
    today = today or local_date(now)
    t = thresholds_for(today)
    result = SweepResult(sweep=uuid.uuid4(), today=today)
    system = system_user()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            result.resumed = _resume_expired_pauses(cursor, today)
            result.assignment_transitions = _sweep_assignments(cursor, t, result.sweep, now, system.pk)
            _refresh_statistics(cursor, result.assignment_transitions)
            if result.resumed:
                _record_resumptions(cursor, result.sweep, now, system.pk)
            result.commitment_transitions = _sweep_commitments(cursor, t, result.sweep, now, system.pk)
        # The digests read the late acknowledgements before they are marked as chased, in this
        # transaction under the sweep's lock.
        _send_digests(result)
        with connection.cursor() as cursor:
            result.ack_reminders = _mark_acknowledgements_chased(cursor, today, now, result.sweep)
    return result


def _refresh_statistics(cursor, moved: int) -> None:
    """On PostgreSQL, after a sweep that wrote many transitions, ANALYZE the transitions' table in its
    transaction: the statements after it join those rows (history, pauses, the digests' recipients),
    and with statistics from before the sweep the planner takes the new rows for none and loops over
    them (a million-row sweep took 74 s instead of 23 s). One statement more, only past
    ``CENTER_SWEEP_ANALYZE_AFTER`` transitions."""
    if connection.vendor != "postgresql" or moved < settings.CENTER_SWEEP_ANALYZE_AFTER:
        return
    cursor.execute(f"ANALYZE {SlaTransition._meta.db_table}")


def _sweep_assignments(cursor, t: Thresholds, sweep: uuid.UUID, now, actor_id: int) -> int:
    table, log = Assignment._meta.db_table, SlaTransition._meta.db_table
    case, case_params = _state_case(t, escalate=True)
    statuses = list(RUNNING_ASSIGNMENT_STATUSES)
    marks = ", ".join(["%s"] * len(statuses))
    cursor.execute(
        f"INSERT INTO {log} (sweep, assignment_id, commitment_id, from_state, to_state, at) "
        f"SELECT %s, id, NULL, sla_state, {case}, %s FROM {table} "
        f"WHERE status IN ({marks}) AND sla_state <> {case}",
        [_uuid_param(sweep), *case_params, _when(now), *statuses, *case_params],
    )
    moved = cursor.rowcount
    if not moved:
        return 0
    cursor.execute(
        f"UPDATE {table} SET sla_state = {case}, "
        f"escalation_level = CASE WHEN due_date < %s THEN 1 ELSE escalation_level END "
        f"WHERE status IN ({marks}) AND sla_state <> {case}",
        [*case_params, _day(t.escalate_before), *statuses, *case_params],
    )
    _record_history(cursor, Assignment, "assignment_id", sweep, now, actor_id)
    return moved


# The assignments of the open third-party pauses whose limit has come and that the center did not
# let go on (the partial index ``clock_pause_resumes``); the one parameter is today.
_EXPIRING = (f"SELECT assignment_id FROM {ClockPause._meta.db_table} WHERE ended_at IS NULL "
             f"AND resumes_on IS NOT NULL AND resumes_on <= %s AND continuation_approved_at IS NULL")


def _resume_expired_pauses(cursor, today: datetime.date) -> int:
    """The assignments of expired third-party pauses run again: the due date moves by the limit's
    working days, which count as paused and as paused for a third party; the status is in progress
    and the state stays "paused" for ``_sweep_assignments`` to judge (and record) at once. Two
    statements (none more when nothing expires); the pauses themselves end in ``_record_resumptions``."""
    table = Assignment._meta.db_table
    cursor.execute(f"SELECT DISTINCT due_date FROM {table} WHERE status = %s AND id IN ({_EXPIRING})",
                   [Assignment.Status.PAUSED.value, _day(today)])
    due_dates = [_as_date(row[0]) for row in cursor.fetchall()]
    if not due_dates:
        return 0
    calendar, limit = get_calendar(), settings.CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS
    moved = {due: calendar.add_working_days(due, limit) for due in due_dates}
    whens = " ".join(["WHEN %s THEN %s"] * len(moved))
    marks = ", ".join(["%s"] * len(moved))
    # Only the due dates mapped above: a row whose date moved meanwhile waits for the next sweep.
    cursor.execute(
        f"UPDATE {table} SET due_date = CASE due_date {whens} ELSE due_date END, "
        f"paused_working_days = paused_working_days + %s, "
        f"third_party_paused_working_days = third_party_paused_working_days + %s, status = %s "
        f"WHERE status = %s AND due_date IN ({marks}) AND id IN ({_EXPIRING})",
        [*(_day(d) for pair in moved.items() for d in pair), limit, limit, Assignment.Status.IN_PROGRESS.value,
         Assignment.Status.PAUSED.value, *(_day(d) for d in moved), _day(today)],
    )
    return cursor.rowcount


def _record_resumptions(cursor, sweep: uuid.UUID, now, actor_id: int) -> None:
    """For the assignments ``_resume_expired_pauses`` set running (this sweep's transitions from
    "paused"): their open pause ends on its ``resumes_on`` after the limit's working days, marked as
    resumed by itself, with a history row by the system; the request's timeline says publicly that
    the clock runs again, with the new due date. Three statements."""
    pauses, log = ClockPause._meta.db_table, SlaTransition._meta.db_table
    resumed = f"SELECT assignment_id FROM {log} WHERE sweep = %s AND from_state = %s"
    cursor.execute(
        f"UPDATE {pauses} SET ended_at = %s, ended_on = resumes_on, working_days = %s, resumed_automatically = %s "
        f"WHERE ended_at IS NULL AND assignment_id IN ({resumed})",
        [_when(now), settings.CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS, True, _uuid_param(sweep), S.PAUSED.value],
    )
    historical = ClockPause.history.model
    columns = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    source = ", ".join(f"p.{connection.ops.quote_name(c)}" for c in columns)
    target = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The pauses this sweep ended: marked at its ``now`` and of an assignment it moved from "paused",
    # asked as a semi-join (IN) on the sweep's transitions rather than a join, whose plan over the
    # transitions just written (stale statistics) was a nested loop that made the million-row sweep
    # 3.5 times slower.
    ended_now = (f"p.ended_at = %s AND p.resumed_automatically = %s AND p.assignment_id IN ({resumed})")
    ended_params = [_when(now), True, _uuid_param(sweep), S.PAUSED.value]
    cursor.execute(
        f"INSERT INTO {historical._meta.db_table} ({target}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {source}, %s, %s, '~', %s FROM {pauses} p WHERE {ended_now}",
        [_when(now), "Resumed by itself: third-party pause limit", actor_id, *ended_params],
    )
    cursor.execute(
        f"INSERT INTO {RequestEvent._meta.db_table} (request_id, kind, department_id, assignment_id, text, due_date, "
        f"public, created_by_id, created_at) "
        f"SELECT w.request_id, %s, a.department_id, a.id, '', a.due_date, %s, %s, %s "
        f"FROM {pauses} p JOIN {Assignment._meta.db_table} a ON a.id = p.assignment_id "
        f"JOIN {WorkOrder._meta.db_table} w ON w.id = a.work_order_id WHERE {ended_now}",
        [RequestEvent.Kind.RESUMED.value, True, actor_id, _when(now), *ended_params],
    )


# An assignment not acknowledged by the end of its due day and not told yet (the partial index
# ``assignment_ack_unchased``; the digests' query says the same); the one parameter is today.
def _mark_acknowledgements_chased(cursor, today: datetime.date, now, sweep: uuid.UUID) -> int:
    """Every late acknowledgement the digests just told gets its reminder row, so that it is told once."""
    statuses = list(OPEN_ASSIGNMENT_STATUSES)
    # The ones told before are skipped by their key (ON CONFLICT), not by NOT EXISTS: an anti-join
    # against the table this statement fills, planned on its empty statistics, was quadratic (8 s for
    # 50,000 reminders).
    cursor.execute(
        f"INSERT INTO {AcknowledgementReminder._meta.db_table} (assignment_id, sweep, sent_at) "
        f"SELECT a.id, %s, %s FROM {Assignment._meta.db_table} a WHERE a.acknowledged_at IS NULL "
        f"AND a.ack_due_on < %s AND a.status IN ({', '.join(['%s'] * len(statuses))}) "
        f"ON CONFLICT (assignment_id) DO NOTHING",
        [_uuid_param(sweep), _when(now), _day(today), *statuses],
    )
    return cursor.rowcount


def _sweep_commitments(cursor, t: Thresholds, sweep: uuid.UUID, now, actor_id: int) -> int:
    table, log = Commitment._meta.db_table, SlaTransition._meta.db_table
    case, case_params = _state_case(t, escalate=False)
    cursor.execute(
        f"INSERT INTO {log} (sweep, assignment_id, commitment_id, from_state, to_state, at) "
        f"SELECT %s, NULL, id, sla_state, {case}, %s FROM {table} "
        f"WHERE fulfilled_at IS NULL AND sla_state <> {case}",
        [_uuid_param(sweep), *case_params, _when(now), *case_params],
    )
    moved = cursor.rowcount
    if not moved:
        return 0
    cursor.execute(
        f"UPDATE {table} SET sla_state = {case} WHERE fulfilled_at IS NULL AND sla_state <> {case}",
        [*case_params, *case_params],
    )
    _record_history(cursor, Commitment, "commitment_id", sweep, now, actor_id)
    return moved


def _record_history(cursor, model, link: str, sweep: uuid.UUID, now, actor_id: int) -> None:
    """One history row per transition, by the system user, reason "SLA: from → to", in one INSERT."""
    historical = model.history.model
    columns = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    source = ", ".join(f"m.{connection.ops.quote_name(c)}" for c in columns)
    target = ", ".join(connection.ops.quote_name(c) for c in columns)
    # From "paused": a third-party pause that resumed by itself in this sweep.
    concat = ("(CASE WHEN t.from_state = 'paused' THEN 'Clock resumed by itself; ' ELSE '' END "
              "|| 'SLA: ' || t.from_state || ' → ' || t.to_state)")
    cursor.execute(
        f"INSERT INTO {historical._meta.db_table} ({target}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {source}, %s, {concat}, '~', %s FROM {model._meta.db_table} m "
        f"JOIN {SlaTransition._meta.db_table} t ON t.{link} = m.id WHERE t.sweep = %s",
        [_when(now), actor_id, _uuid_param(sweep)],
    )


def _uuid_param(value: uuid.UUID):
    return value if connection.vendor == "postgresql" else value.hex


def _when(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _as_date(value) -> datetime.date:
    """A date read by a raw cursor (SQLite gives its ISO text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# --- digests -------------------------------------------------------------------------------------

_RECIPIENTS_SQL = """
WITH t AS (
    SELECT tr.to_state, tr.assignment_id, tr.commitment_id,
           COALESCE(a.department_id, c.department_id) AS department_id,
           r.tracking_number, r.enterprise_id, COALESCE(a.due_date, c.due_date) AS due_date
    FROM {log} tr
    LEFT JOIN {assignment} a ON a.id = tr.assignment_id
    LEFT JOIN {work_order} w ON w.id = a.work_order_id
    LEFT JOIN {commitment} c ON c.id = tr.commitment_id
    JOIN {request} r ON r.id = COALESCE(w.request_id, c.request_id)
    WHERE tr.sweep = %(sweep)s AND tr.to_state IN ('due_soon', 'overdue', 'escalated')
    UNION ALL
    SELECT %(unacknowledged)s, a.id, NULL, a.department_id, r.tracking_number, r.enterprise_id, a.ack_due_on
    FROM {assignment} a
    JOIN {work_order} w ON w.id = a.work_order_id
    JOIN {request} r ON r.id = w.request_id
    WHERE a.acknowledged_at IS NULL AND a.ack_due_on < %(today)s
        AND NOT EXISTS (SELECT 1 FROM {reminder} k WHERE k.assignment_id = a.id)
        AND a.status IN ({open})
),
r AS (
    SELECT o.user_id, t.* FROM t JOIN {officer} o ON o.department_id = t.department_id AND o.is_active
        AND o.role = 'officer' WHERE t.assignment_id IS NOT NULL AND t.to_state = 'due_soon'
    UNION
    SELECT o.user_id, t.* FROM t JOIN {officer} o ON o.department_id = t.department_id AND o.is_active
        AND o.role = 'head' WHERE t.assignment_id IS NOT NULL AND t.to_state = 'overdue'
    UNION
    SELECT g.user_id, t.* FROM t JOIN {user_groups} g ON g.group_id = %(staff)s
        WHERE t.assignment_id IS NOT NULL AND t.to_state = 'overdue'
    UNION
    SELECT g.user_id, t.* FROM t JOIN {user_groups} g ON g.group_id = %(leaders)s
        WHERE t.assignment_id IS NOT NULL AND t.to_state = 'escalated'
    UNION
    SELECT o.user_id, t.* FROM t JOIN {officer} o ON o.department_id = t.department_id AND o.is_active
        AND o.role = 'head' WHERE t.to_state = %(unacknowledged)s
    UNION
    SELECT g.user_id, t.* FROM t JOIN {user_groups} g ON g.group_id = %(staff)s
        WHERE t.to_state = %(unacknowledged)s
    UNION
    SELECT o.user_id, t.* FROM t JOIN {officer} o ON o.department_id = t.department_id AND o.is_active
        WHERE t.commitment_id IS NOT NULL
    UNION
    SELECT eu.user_id, t.* FROM t JOIN {enterprise_users} eu ON eu.enterprise_id = t.enterprise_id
        WHERE t.commitment_id IS NOT NULL
),
n AS (
    SELECT r.*,
           ROW_NUMBER() OVER (PARTITION BY r.user_id ORDER BY r.due_date, r.tracking_number) AS line,
           ROW_NUMBER() OVER (PARTITION BY r.user_id, r.to_state, (r.commitment_id IS NULL)
                              ORDER BY r.due_date, r.tracking_number) AS kind_line,
           COUNT(*) OVER (PARTITION BY r.user_id, r.to_state, (r.commitment_id IS NULL)) AS of_kind
    FROM r
)
SELECT n.user_id, n.to_state, (n.commitment_id IS NOT NULL) AS is_commitment, n.tracking_number, n.due_date,
       n.line, n.of_kind, n.assignment_id
FROM n WHERE n.line <= %(lines)s OR n.kind_line = 1
ORDER BY n.user_id, n.line
"""


def _send_digests(result: SweepResult) -> None:
    """One in-app digest and one e-mail per recipient for this sweep, in the recipient's language."""
    User = get_user_model()
    groups = dict(Group.objects.filter(name__in=[roles.CENTER_STAFF, roles.LEADER]).values_list("name", "pk"))
    sql = _RECIPIENTS_SQL.format(
        log=SlaTransition._meta.db_table, assignment=Assignment._meta.db_table, work_order=WorkOrder._meta.db_table,
        commitment=Commitment._meta.db_table, request=ServiceRequest._meta.db_table, officer=Officer._meta.db_table,
        reminder=AcknowledgementReminder._meta.db_table,
        user_groups=User.groups.through._meta.db_table, enterprise_users=Enterprise.users.through._meta.db_table,
        open=", ".join(f"'{status}'" for status in OPEN_ASSIGNMENT_STATUSES),  # the code's own constants
    )
    lines: dict[int, list] = defaultdict(list)
    counts: dict[int, dict] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"sweep": _uuid_param(result.sweep), "staff": groups.get(roles.CENTER_STAFF, -1),
                             "leaders": groups.get(roles.LEADER, -1), "lines": DIGEST_LINES,
                             "unacknowledged": UNACKNOWLEDGED, "today": _day(result.today)})
        for user_id, state, is_commitment, number, due, line, of_kind, assignment_id in cursor.fetchall():
            if line <= DIGEST_LINES:
                lines[user_id].append((state, bool(is_commitment), number, due, assignment_id))
            counts[user_id][(state, bool(is_commitment))] = of_kind
    if not counts:
        return
    people = {u.pk: u for u in User.objects.filter(pk__in=counts, is_active=True).only("pk", "email")}
    languages = languages_of(people)
    # Where each line links to: the desk for department members, the triage page for center staff.
    members = set(Officer.objects.filter(user_id__in=people, is_active=True).values_list("user_id", flat=True))
    staff = set(User.groups.through.objects.filter(user_id__in=people, group_id=groups.get(roles.CENTER_STAFF, -1))
                .values_list("user_id", flat=True))
    messages = []
    for user_id, user in people.items():
        link = "desk" if user_id in members else "center" if user_id in staff else ""
        with translation.override(languages[user_id]):
            subject, body = _digest_text(counts[user_id], lines[user_id], link=link)
        messages.append((user_id, user.email, subject, body, "/notifications/"))
    result.digests, result.emails = deliver_personal(messages)


def _digest_text(counts: dict, lines: list, *, link: str) -> tuple[str, str]:
    labels = {
        (S.DUE_SOON, False): _("due soon"), (S.OVERDUE, False): _("overdue"), (S.ESCALATED, False): _("escalated"),
        (S.DUE_SOON, True): _("commitments due soon"), (S.OVERDUE, True): _("commitments overdue"),
        (UNACKNOWLEDGED, False): _("not acknowledged"),
    }
    summary = "，".join(f"{labels.get(key, key[0])} {count}" for key, count in sorted(counts.items(), key=str))
    total = sum(counts.values())
    subject = ngettext("Work-order clock: %(count)d item needs attention (%(summary)s)",
                       "Work-order clock: %(count)d items need attention (%(summary)s)", total) % {
        "count": total, "summary": summary}
    body = []
    for state, is_commitment, number, due, assignment_id in lines[:DIGEST_LINES]:
        label = labels.get((state, is_commitment), state)
        if link == "desk" and assignment_id:
            where = f" /desk/assignments/{assignment_id}/"
        elif link == "center":
            where = f" /center/requests/{number}/"
        elif is_commitment and not link:
            where = f" /requests/{number}/"  # the enterprise's own timeline
        else:
            where = ""
        due_label = _("acknowledgement due on") if state == UNACKNOWLEDGED else _("due date")
        body.append(f"- {number} · {label} · {due_label} {due}{where}")
    if total > len(body):
        body.append(_("… and %(count)d more.") % {"count": total - len(body)})
    return subject, "\n".join(body)
