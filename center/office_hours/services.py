"""Office hours: the sessions ahead, the agenda of the next one, minutes and consultations.

A session is held every Monday that is a working day, else on the week's next working day, at
the configured venue, with the permanent member departments. ``ensure_sessions`` keeps a rolling
window of them; ``build_agenda`` (re)builds one session's agenda from the state of the work;
``record_minutes`` writes what the session concluded back onto the work order.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from center.models import AgendaItem, Consultation, OfficeHoursSession
from departments.models import Department, Officer
from notifications.services import deliver_personal, languages_of
from projects.models import Enterprise, InvestmentProject
from workdays.calendar import WorkCalendar, get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import (
    OPEN_ASSIGNMENT_STATUSES,
    RUNNING_ASSIGNMENT_STATUSES,
    Assignment,
    RequestEvent,
    WorkOrder,
)
from core.system import is_system_user, system_user
from workorders.permissions import is_center_staff
from workorders.services._common import record_event, save_as
from workorders.services.asks import extend_by_center
from workorders.services.clock import move_due_date

K = AgendaItem.Kind
# One item per subject (an assignment, a work order, a project) and session; when a subject
# qualifies twice, the first kind here wins. The order is also the order within a department.
KIND_ORDER = [K.ESCALATED, K.OVERDUE, K.CONSULTATION, K.READY_TO_STAMP, K.RED_PROJECT, K.CARRIED_OVER, K.OTHER]
INVITATION_LINES = 20


def _require_staff(actor):
    """Center staff change the office hours; beat's tasks act as the system user."""
    if not (is_center_staff(actor) or is_system_user(actor)):
        raise WorkOrderError(_("Only center staff can change the office hours."), code="forbidden")


# --- sessions ------------------------------------------------------------------------------------

def session_date_for_week(monday: datetime.date, calendar: WorkCalendar | None = None) -> datetime.date:
    """The week's session day: the Monday if it is a working day, else the next working day."""
    calendar = calendar or get_calendar()
    return monday if calendar.is_working_day(monday) else calendar.add_working_days(monday, 1)


def ensure_sessions(*, today: datetime.date | None = None, weeks: int | None = None) -> list[OfficeHoursSession]:
    """Create the sessions of this week and the next ``weeks`` weeks that do not exist yet, with the
    venue and start time of the settings, the permanent member departments and the mobile staff.
    Idempotent; returns the new ones."""
    today = today or local_date()
    weeks = settings.CENTER_OFFICE_HOURS_WEEKS_AHEAD if weeks is None else weeks
    calendar = get_calendar()
    this_monday = today - datetime.timedelta(days=today.weekday())
    dates = [session_date_for_week(this_monday + datetime.timedelta(weeks=w), calendar) for w in range(weeks + 1)]
    # Today's session exists only if it was made before today; new ones are for the days ahead.
    dates = [d for d in dates if d > today]
    created, system = [], system_user()
    with transaction.atomic():
        existing = set(OfficeHoursSession.objects.filter(date__in=dates).values_list("date", flat=True))
        members = list(Department.objects.filter(is_permanent_member=True, is_active=True))
        mobile = list(Officer.objects.filter(is_mobile_staff=True, is_active=True).values_list("user_id", flat=True))
        for day in dates:
            if day in existing:
                continue
            session = OfficeHoursSession(date=day, venue=settings.CENTER_OFFICE_HOURS_VENUE,
                                         starts_at=_start_time())
            session._history_user = system
            session.save()
            session.departments.set(members)
            session.staff.set(mobile)
            created.append(session)
    return created


def _start_time() -> datetime.time:
    return datetime.time.fromisoformat(settings.CENTER_OFFICE_HOURS_START)


def next_session(today: datetime.date | None = None) -> OfficeHoursSession | None:
    return (OfficeHoursSession.objects.filter(date__gte=today or local_date(), status=OfficeHoursSession.Status.PLANNED)
            .order_by("date").first())


def prepare_office_hours(*, today: datetime.date | None = None) -> dict:
    """What beat runs: keep the sessions ahead, and build the next session's agenda once its build
    window has opened (``CENTER_AGENDA_BUILD_DAYS_BEFORE`` days before); rebuilding until the day
    keeps it current and keeps staff edits."""
    today = today or local_date()
    created = ensure_sessions(today=today)
    session = next_session(today)
    built = None
    if session and (session.date - today).days <= settings.CENTER_AGENDA_BUILD_DAYS_BEFORE:
        built = build_agenda(actor=system_user(), session=session, today=today)
    return {"sessions_created": len(created), "session": session.date.isoformat() if session else None,
            "agenda": built.as_dict() if built else None}


# --- the agenda ----------------------------------------------------------------------------------

@dataclass
class BuildResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_staff_edits: int = 0
    invited: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _Candidate:
    kind: str
    key: tuple
    department_id: int | None
    work_order_id: int | None = None
    assignment_id: int | None = None
    project_id: int | None = None
    title: str = ""
    sort: datetime.date | None = None
    carried_over_from_id: int | None = None
    enterprise_id: int | None = None


def _key(item) -> tuple:
    if item.assignment_id:
        return ("A", item.assignment_id)
    if item.work_order_id:
        return ("W", item.work_order_id)
    if item.project_id:
        return ("P", item.project_id)
    return ("I", item.pk)


def _candidates(session: OfficeHoursSession) -> dict[tuple, _Candidate]:
    """Everything that belongs on the agenda now, one per subject, in a fixed number of queries."""
    found: dict[tuple, _Candidate] = {}

    def offer(candidate: _Candidate):
        held = found.get(candidate.key)
        if held is None or KIND_ORDER.index(candidate.kind) < KIND_ORDER.index(held.kind):
            found[candidate.key] = candidate

    late = (Assignment.objects.filter(status__in=RUNNING_ASSIGNMENT_STATUSES, sla_state__in=[Assignment.SlaState.OVERDUE,
                                                                          Assignment.SlaState.ESCALATED])
            .values_list("id", "sla_state", "department_id", "work_order_id", "work_order__request__project_id",
                         "work_order__request__tracking_number", "work_order__request__title", "due_date",
                         "work_order__request__enterprise_id"))
    for pk, state, department, work_order, project, number, title, due, enterprise in late.iterator(chunk_size=5000):
        kind = K.ESCALATED if state == Assignment.SlaState.ESCALATED else K.OVERDUE
        offer(_Candidate(kind, ("A", pk), department, work_order, pk, project, f"{number} {title}"[:200], due,
                         enterprise_id=enterprise))

    open_orders = WorkOrder.objects.filter(status=WorkOrder.Status.OPEN)
    columns = ("id", "lead_department_id", "request__project_id", "request__tracking_number", "request__title",
               "issued_at", "request__enterprise_id")
    flagged = open_orders.filter(needs_consultation=True).values_list(*columns)
    for pk, department, project, number, title, issued, enterprise in flagged.iterator(chunk_size=5000):
        offer(_Candidate(K.CONSULTATION, ("W", pk), department, pk, None, project, f"{number} {title}"[:200],
                         issued.date(), enterprise_id=enterprise))

    # Every department has replied and no stamp is in force yet on any of them: stamp on the spot.
    not_replied = Assignment.objects.filter(work_order=OuterRef("pk"), status__in=OPEN_ASSIGNMENT_STATUSES,
                                            replied_at__isnull=True)
    stamped = Assignment.objects.filter(work_order=OuterRef("pk"), approvals__revoked_at__isnull=True,
                                        approvals__isnull=False)
    still_open = Assignment.objects.filter(work_order=OuterRef("pk"), status__in=OPEN_ASSIGNMENT_STATUSES)
    ready = (open_orders.filter(Exists(still_open)).exclude(Exists(not_replied)).exclude(Exists(stamped))
             .values_list(*columns))
    for pk, department, project, number, title, issued, enterprise in ready.iterator(chunk_size=5000):
        offer(_Candidate(K.READY_TO_STAMP, ("W", pk), department, pk, None, project, f"{number} {title}"[:200],
                         issued.date(), enterprise_id=enterprise))

    red = (InvestmentProject.objects.filter(difficulty=InvestmentProject.Difficulty.RED)
           .filter(Exists(WorkOrder.objects.filter(request__project=OuterRef("pk"), status=WorkOrder.Status.OPEN)))
           .values_list("id", "lead_unit_id", "name", "enterprise_id"))
    for pk, department, name, enterprise in red.iterator(chunk_size=5000):
        offer(_Candidate(K.RED_PROJECT, ("P", pk), department, None, None, pk, name[:200], None,
                         enterprise_id=enterprise))

    previous = (OfficeHoursSession.objects.filter(date__lt=session.date).exclude(status=OfficeHoursSession.Status.CANCELLED)
                .order_by("-date").first())
    if previous is not None:
        left_open = AgendaItem.objects.filter(session=previous, concluded=False, removed=False).exclude(
            work_order__status=WorkOrder.Status.RESOLVED)
        fields = ("id", "department_id", "work_order_id", "assignment_id", "project_id", "title", "new_due_date",
                  "work_order__request__enterprise_id", "project__enterprise_id")
        for values in left_open.values_list(*fields).iterator(chunk_size=5000):
            item = SimpleNamespace(**dict(zip(fields, values)), pk=values[0])
            key = _key(item) if _key(item)[0] != "I" else ("C", item.pk)
            offer(_Candidate(K.CARRIED_OVER, key, item.department_id, item.work_order_id, item.assignment_id,
                             item.project_id, item.title, item.new_due_date, carried_over_from_id=item.pk,
                             enterprise_id=values[7] or values[8]))
    return found


def build_agenda(*, actor, session: OfficeHoursSession, today: datetime.date | None = None) -> BuildResult:
    """(Re)build a session's agenda from the state of the work. Atomic and idempotent.

    Adds what qualifies and is missing; drops automatic items that no longer qualify; leaves
    alone every item staff added, edited, moved, re-timed or removed (a removed item stays removed)
    and every item with minutes. Orders the rest by department and kind with time slots from the
    start time, and invites each enterprise concerned (once per item) with its slots, in-app and by
    e-mail. ``actor`` None is the system (beat).
    """
    _require_staff(actor)
    result = BuildResult()
    now = timezone.now()
    slot_minutes = settings.CENTER_AGENDA_SLOT_MINUTES
    with transaction.atomic():
        locked = OfficeHoursSession.objects.select_for_update().get(pk=session.pk)
        candidates = _candidates(locked)
        existing = {}
        fields = ["id", "kind", "department_id", "work_order_id", "assignment_id", "project_id", "title", "position",
                  "slot_start", "slot_minutes", "edited_by_staff", "removed", "concluded", "outcome",
                  "carried_over_from_id"]
        # Plain rows, not model instances: a rebuild reads every item of a large agenda.
        for values in AgendaItem.objects.filter(session=locked).values_list(*fields):
            item = SimpleNamespace(**dict(zip(fields, values)), pk=values[0], is_new=False, changed=False)
            key = ("C", item.carried_over_from_id) if item.kind == K.CARRIED_OVER and _key(item)[0] == "I" else _key(item)
            existing[key] = item

        def fixed(item):
            return item.edited_by_staff or item.removed or item.kind == K.OTHER or item.concluded or item.outcome

        stale = [item.pk for key, item in existing.items() if key not in candidates and not fixed(item)]
        result.kept_staff_edits = sum(1 for item in existing.values() if item.edited_by_staff or item.removed)
        if stale:
            result.deleted = AgendaItem.objects.filter(pk__in=stale).delete()[0]

        rows = []  # (item, sort date)
        for key, candidate in candidates.items():
            item = existing.get(key)
            if item is None:
                item = SimpleNamespace(
                    kind=candidate.kind, department_id=candidate.department_id, work_order_id=candidate.work_order_id,
                    assignment_id=candidate.assignment_id, project_id=candidate.project_id, title=candidate.title,
                    slot_minutes=slot_minutes, carried_over_from_id=candidate.carried_over_from_id,
                    edited_by_staff=False, is_new=True, changed=False, position=0, slot_start=None,
                    enterprise_id=candidate.enterprise_id, invited_at=now if candidate.enterprise_id else None)
                rows.append((item, candidate.sort))
            elif not fixed(item):
                item.changed = item.kind != candidate.kind or item.title != candidate.title
                item.kind, item.title = candidate.kind, candidate.title
                rows.append((item, candidate.sort))
        for key, item in existing.items():
            if fixed(item) and not item.removed:
                rows.append((item, None))

        codes = dict(Department.objects.values_list("id", "short_code"))
        rank = {kind: index for index, kind in enumerate(KIND_ORDER)}
        rows.sort(key=lambda row: (codes.get(row[0].department_id) or "~", rank[row[0].kind],
                                   row[1] or datetime.date.max, row[0].title))
        start = datetime.datetime.combine(locked.date, locked.starts_at)
        minutes = 0
        new_items, changed = [], []
        for position, (item, _sort) in enumerate(rows, start=1):
            if item.edited_by_staff:
                continue  # staff set its place and time
            slot = (start + datetime.timedelta(minutes=minutes)).time()
            minutes += item.slot_minutes or slot_minutes
            if item.is_new:
                item.position, item.slot_start = position, slot
                new_items.append(item)
            elif item.changed or item.position != position or item.slot_start != slot:
                item.position, item.slot_start = position, slot
                changed.append(AgendaItem(pk=item.pk, kind=item.kind, title=item.title, position=position,
                                          slot_start=slot))
        _insert_items(locked, new_items)
        if changed:
            AgendaItem.objects.bulk_update(changed, ["kind", "title", "position", "slot_start"], batch_size=1000)
        result.created, result.updated = len(new_items), len(changed)
        locked.agenda_built_at = now
        locked._history_user = actor
        locked.save(update_fields=["agenda_built_at"])
        # New items are invited as they are inserted (``invited_at`` set above); older uninvited ones here.
        fresh = defaultdict(list)
        for item in new_items:
            if item.enterprise_id:
                fresh[item.enterprise_id].append((item.slot_start, item.title))
        result.invited = _invite_enterprises(locked, now, fresh)
    session.refresh_from_db()
    return result


def _batch():
    return None if connection.vendor == "postgresql" else 500


_INSERT_COLUMNS = [
    ("kind", "text"), ("department_id", "bigint"), ("work_order_id", "bigint"), ("assignment_id", "bigint"),
    ("project_id", "bigint"), ("title", "text"), ("position", "integer"), ("slot_start", "time"),
    ("slot_minutes", "integer"), ("carried_over_from_id", "bigint"), ("invited_at", "timestamptz"),
]


def _insert_items(session: OfficeHoursSession, items: list) -> None:
    """Insert new automatic items in one statement. On PostgreSQL as arrays unnested server-side
    (a 30,000-item agenda in a fraction of a second, where a VALUES list of 500,000 parameters takes
    seconds to build); elsewhere with ``bulk_create``."""
    if not items:
        return
    if connection.vendor != "postgresql":
        AgendaItem.objects.bulk_create([
            AgendaItem(session=session, **{name: getattr(item, name) for name, _type in _INSERT_COLUMNS})
            for item in items], batch_size=_batch())
        return
    names = ", ".join(connection.ops.quote_name(name) for name, _type in _INSERT_COLUMNS)
    arrays = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in _INSERT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AgendaItem._meta.db_table} (session_id, {names}, edited_by_staff, removed, outcome, "
            f"next_steps, concluded) SELECT %s, u.*, false, false, '', '', false FROM unnest({arrays}) AS u",
            [session.pk, *([getattr(item, name) for item in items] for name, _type in _INSERT_COLUMNS)],
        )


def _invite_enterprises(session: OfficeHoursSession, now, fresh: dict) -> int:
    """One notice and e-mail per enterprise account listing the slots of its newly invited items:
    ``fresh`` ({enterprise id: [(slot, title)]}, already marked invited) plus the session's older
    items not invited yet, which are marked here. Returns how many items were invited."""
    pending = AgendaItem.objects.filter(session=session, removed=False, invited_at__isnull=True).filter(
        Q(work_order__isnull=False) | Q(project__isnull=False))
    items_by_enterprise = defaultdict(list, {enterprise: list(items) for enterprise, items in fresh.items()})
    count = sum(len(items) for items in fresh.values())
    older = pending.values_list("slot_start", "title", "work_order__request__enterprise_id", "project__enterprise_id")
    for slot, title, by_request, by_project in older.iterator(chunk_size=5000):
        items_by_enterprise[by_request or by_project].append((slot, title))
        count += 1
    if not count:
        return 0
    if count > sum(len(items) for items in fresh.values()):
        pending.update(invited_at=now)
    accounts = defaultdict(list)
    for enterprise, user_id, email in Enterprise.users.through.objects.filter(
            enterprise_id__in=items_by_enterprise, user__is_active=True).values_list("enterprise_id", "user_id",
                                                                                     "user__email"):
        accounts[enterprise].append((user_id, email))
    languages = languages_of(u for a in accounts.values() for u, _ in a)
    messages = []
    for enterprise, items in items_by_enterprise.items():
        items.sort(key=lambda it: (it[0] or datetime.time.max))
        for user_id, email in accounts.get(enterprise, []):
            with translation.override(languages[user_id]):
                subject, body = _invitation_text(session, items)
            messages.append((user_id, email, subject, body, "/requests/"))
    deliver_personal(messages)
    return count


def _invitation_text(session: OfficeHoursSession, items: list) -> tuple[str, str]:
    subject = _("Invitation to the office hours on %(date)s") % {"date": session.date.isoformat()}
    lines = [_("Venue: %(venue)s") % {"venue": session.venue}]
    for slot, title in items[:INVITATION_LINES]:
        lines.append(f"{slot:%H:%M} {title}" if slot else f"— {title}")
    if len(items) > INVITATION_LINES:
        lines.append(_("… and %(count)d more.") % {"count": len(items) - INVITATION_LINES})
    return subject, "\n".join(lines)


def edit_item(*, actor, item: AgendaItem, position: int | None = None, slot_start: datetime.time | None = None,
              slot_minutes: int | None = None, removed: bool | None = None, title: str | None = None) -> AgendaItem:
    """Staff move, re-time, rename, remove or restore an item; a rebuild then leaves it as they left it."""
    _require_staff(actor)
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if position is not None:
            locked.position = position
        if slot_start is not None:
            locked.slot_start = slot_start
        if slot_minutes is not None:
            if not 5 <= slot_minutes <= 240:
                raise WorkOrderError(_("A slot lasts 5 to 240 minutes."), field="slot_minutes")
            locked.slot_minutes = slot_minutes
        if removed is not None:
            locked.removed = removed
        if title is not None and title.strip():
            locked.title = title.strip()[:200]
        locked.edited_by_staff = True
        save_as(locked, actor)
    return locked


def add_item(*, actor, session: OfficeHoursSession, title: str, department: Department | None = None,
             slot_start: datetime.time | None = None, slot_minutes: int | None = None) -> AgendaItem:
    """Staff add an item of their own; rebuilds keep it."""
    _require_staff(actor)
    if not title.strip():
        raise WorkOrderError(_("Give the item a title."), field="title")
    with transaction.atomic():
        last = AgendaItem.objects.filter(session=session).order_by("-position").values_list("position", flat=True).first()
        return save_as(AgendaItem(session=session, kind=K.OTHER, title=title.strip()[:200], department=department,
                                  position=(last or 0) + 1, slot_start=slot_start,
                                  slot_minutes=slot_minutes or settings.CENTER_AGENDA_SLOT_MINUTES,
                                  edited_by_staff=True), actor)


def record_minutes(*, actor, item: AgendaItem, outcome: str, next_steps: str = "",
                   new_due_date: datetime.date | None = None, concluded: bool = False) -> AgendaItem:
    """The minutes of one item. A new due date moves the item's assignment (or every open assignment
    of its work order) through ``move_due_date``, which records it in their history and on the
    timeline (a later date as an extension given by the center, ``extend_by_center``, counted as one); an item's own assignment that is already finished is refused. The enterprise's
    timeline shows the outcome. An item not concluded is carried over to the next session's
    agenda. Atomic."""
    _require_staff(actor)
    if not outcome.strip():
        raise WorkOrderError(_("Write the outcome."), field="outcome")
    if new_due_date is not None and new_due_date <= item.session.date:
        raise WorkOrderError(_("The new due date must be after the session."), field="new_due_date")
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().select_related("session").get(pk=item.pk)
        locked.outcome, locked.next_steps = outcome.strip(), next_steps.strip()
        locked.new_due_date, locked.concluded = new_due_date, concluded
        save_as(locked, actor)
        work_order = locked.work_order or (locked.assignment.work_order if locked.assignment_id else None)
        if new_due_date is not None and work_order is not None:
            targets = ([locked.assignment] if locked.assignment_id else
                       list(work_order.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES)))
            # Kept in history and on the timeline as written, read in either language.
            reason = f"{locked.session.date.isoformat()} 集中办公 office hours: {locked.outcome}"
            for assignment in sorted(targets, key=lambda a: a.pk):
                new = max(new_due_date, assignment.issued_on)
                try:
                    # A later date is an extension the center gives (recorded and counted as one);
                    # an earlier one only moves the date.
                    if new > assignment.due_date:
                        extend_by_center(actor=actor, assignment=assignment, reason=reason, new_due_date=new)
                    else:
                        move_due_date(actor=actor, assignment=assignment, reason=reason, new_due_date=new)
                except WorkOrderError as error:
                    raise WorkOrderError(error.message, code=error.code, field="new_due_date") from error
        if work_order is not None:
            text = locked.outcome + (f"\n{locked.next_steps}" if locked.next_steps else "")
            record_event(request=work_order.request, kind=RequestEvent.Kind.OFFICE_HOURS, actor=actor, text=text,
                         due_date=new_due_date)
    return locked


def convene_consultation(*, actor, work_order: WorkOrder, held_at: datetime.datetime, departments, venue: str = "",
                         outside_parties: str = "", attendees: str = "", outcome: str = "", decisions: str = "",
                         session: OfficeHoursSession | None = None) -> Consultation:
    """Record a consultation on a work order (at a session or on its own) and put it on the timeline."""
    _require_staff(actor)
    departments = list(departments)
    if not departments and not outside_parties.strip():
        raise WorkOrderError(_("Name the departments or outside parties that take part."), field="departments")
    with transaction.atomic():
        consultation = save_as(Consultation(
            work_order=work_order, session=session, held_at=held_at,
            venue=venue.strip() or settings.CENTER_OFFICE_HOURS_VENUE, outside_parties=outside_parties.strip(),
            attendees=attendees.strip(), outcome=outcome.strip(), decisions=decisions.strip(), convened_by=actor,
        ), actor)
        consultation.departments.set(departments)
        names = "、".join(d.name_zh for d in departments)
        parties = "；".join(part for part in (names, outside_parties.strip()) if part)
        text = "\n".join(part for part in (parties, outcome.strip(), decisions.strip()) if part)
        record_event(request=work_order.request, kind=RequestEvent.Kind.CONSULTED, actor=actor, text=text)
    return consultation
