"""The lifecycle tables (workorders.models, workorders.states) and the one due-date move.

Reproductions of the review's findings (issue 16): the desk showed the stamp form for a paused
assignment that the service then refused; minutes moved the due date of a finished assignment;
the extension and the minutes judged the escalation level two ways, and an extension reached no
timeline.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from center.models import AgendaItem
from workdays.calendar import get_calendar, local_date
from workorders.exceptions import WorkOrderError
from workorders.models import (
    ASSIGNMENT_LIFECYCLE,
    DEPARTMENT_ASK_LIFECYCLE,
    OPEN_ASSIGNMENT_STATUSES,
    REQUEST_LIFECYCLE,
    RUNNING_ASSIGNMENT_STATUSES,
    WORK_ORDER_LIFECYCLE,
    Assignment,
    RequestEvent,
)
from workorders.services import (
    complete_assignment,
    extend_by_center,
    move_due_date,
    reply_to_assignment,
    request_material,
    stamp_assignment,
)
from center.office_hours.services import record_minutes

S = Assignment.SlaState
LIFECYCLES = (REQUEST_LIFECYCLE, WORK_ORDER_LIFECYCLE, ASSIGNMENT_LIFECYCLE, DEPARTMENT_ASK_LIFECYCLE)


# --- the tables -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda l: l.name)
def test_every_status_is_reached_or_left_by_some_event(lifecycle):
    """A status no event leads to or from has no meaning: it goes, or gets one in the table."""
    touched = set()
    for rule in lifecycle.events.values():
        touched |= rule.sources
        if rule.target:
            touched.add(rule.target)
    assert touched == set(lifecycle.statuses)


def test_replied_is_gone_and_the_derived_sets_follow_the_table():
    assert "replied" not in Assignment.Status.values
    assert set(OPEN_ASSIGNMENT_STATUSES) == {"issued", "in_progress", "paused"}
    assert set(RUNNING_ASSIGNMENT_STATUSES) == {"issued", "in_progress"}
    assert ASSIGNMENT_LIFECYCLE.transitions["paused"] == {"in_progress", "withdrawn"}
    assert ASSIGNMENT_LIFECYCLE.transitions["done"] == frozenset()
    assert WORK_ORDER_LIFECYCLE.transitions["resolved"] == {"closed", "open"}


def test_an_unknown_status_in_a_table_is_refused_at_once():
    from workorders.states import Lifecycle, event

    with pytest.raises(ValueError, match="unknown statuses"):
        Lifecycle("x", ("a", "b"), {"go": event(["a"], "c")})


def test_templates_ask_predicates_not_status_literals():
    """No template compares a request's, work order's or assignment's status with a literal."""
    literal = re.compile(r"""\.status\s*(==|!=|in)\s*["']""")
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if literal.search(line) and "result.status" not in line:  # the verification result is no lifecycle
                offenders.append(f"{template.name}:{number}: {line.strip()}")
    assert offenders == []


# --- the desk asks the table ----------------------------------------------------------------------

@pytest.mark.django_db
def test_the_desk_offers_no_stamp_form_for_a_paused_assignment(world):
    request_material(actor=world.officer_a, assignment=world.assignment_a, text="请补充消防方案")
    client = Client()
    client.force_login(world.officer_a)
    page = client.get(f"/desk/assignments/{world.assignment_a.pk}/").content.decode()
    assert 'id="stamp-form"' not in page
    with pytest.raises(WorkOrderError) as refused:
        stamp_assignment(actor=world.officer_a, assignment=world.assignment_a, decision="approved")
    assert refused.value.code == "wrong_status"
    # Running again (the enterprise answered): the form is back.
    from workorders.services import provide_material

    provide_material(actor=world.user_a, assignment=world.assignment_a, text="已补充")
    page = client.get(f"/desk/assignments/{world.assignment_a.pk}/").content.decode()
    assert 'id="stamp-form"' in page


# --- one due-date move ----------------------------------------------------------------------------

def _working_days_back(day: datetime.date, n: int) -> datetime.date:
    calendar = get_calendar()
    while n:
        day -= datetime.timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def _escalated(assignment: Assignment, today: datetime.date) -> Assignment:
    """Put the assignment 7 working days past due, escalated as the sweep would leave it."""
    due = _working_days_back(today, 7)
    Assignment.objects.filter(pk=assignment.pk).update(
        due_date=due, issued_on=_working_days_back(due, 10), sla_state=S.ESCALATED, escalation_level=1)
    assignment.refresh_from_db()
    return assignment


@pytest.mark.django_db
def test_an_extension_and_the_minutes_judge_the_escalation_the_same_way(world):
    today = local_date()
    calendar = get_calendar()
    by_extension = _escalated(world.assignment_a, today)
    by_minutes = _escalated(world.assignment_b, today)
    # Four working days more: still overdue (3 days), no longer escalated.
    extend_by_center(actor=world.staff, assignment=by_extension, working_days=4, reason="等待地铁集团评估")
    item = AgendaItem.objects.create(session=world.session, kind="other", title="x", department=world.dept_b,
                                     position=1, assignment=by_minutes)
    item.session.date = by_minutes.due_date  # minutes written up late: the new date is after the session
    item.session.save(update_fields=["date"])
    record_minutes(actor=world.staff, item=item, outcome="会商同意延期",
                   new_due_date=calendar.add_working_days(by_minutes.due_date, 4))
    for moved in (by_extension, by_minutes):
        moved.refresh_from_db()
        assert (moved.sla_state, moved.escalation_level) == (S.OVERDUE, 0)
    # Far enough: on track, for both.
    extend_by_center(actor=world.staff, assignment=by_extension, working_days=20, reason="再延")
    by_extension.refresh_from_db()
    assert (by_extension.sla_state, by_extension.escalation_level) == (S.ON_TRACK, 0)


@pytest.mark.django_db
def test_every_move_is_on_the_timeline_and_in_history_with_its_reason(world):
    before = world.assignment_a.due_date
    extend_by_center(actor=world.staff, assignment=world.assignment_a, working_days=3, reason="等待地铁集团评估")
    world.assignment_a.refresh_from_db()
    event = RequestEvent.objects.get(request=world.request_a, kind=RequestEvent.Kind.DUE_DATE_MOVED)
    assert (event.text, event.due_date, event.department_id, event.public, event.created_by) == (
        "等待地铁集团评估", world.assignment_a.due_date, world.dept_a.pk, True, world.staff)
    last = world.assignment_a.history.filter(history_change_reason__contains="→").get()
    assert last.history_user == world.staff
    assert last.history_change_reason.startswith(f"{before.isoformat()} → ")
    assert "等待地铁集团评估" in last.history_change_reason


@pytest.mark.django_db
def test_minutes_cannot_move_the_due_date_of_a_finished_assignment(world):
    reply_to_assignment(actor=world.officer_a, assignment=world.assignment_a, text="已完成")
    complete_assignment(actor=world.officer_a, assignment=world.assignment_a)
    world.assignment_a.refresh_from_db()
    due = world.assignment_a.due_date
    item = AgendaItem.objects.create(session=world.session, kind="other", title="x", department=world.dept_a,
                                     position=1, assignment=world.assignment_a)
    with pytest.raises(WorkOrderError) as refused:
        record_minutes(actor=world.staff, item=item, outcome="x",
                       new_due_date=world.session.date + datetime.timedelta(days=30))
    assert refused.value.field == "new_due_date"
    world.assignment_a.refresh_from_db()
    item.refresh_from_db()
    assert world.assignment_a.due_date == due
    assert item.outcome == ""  # nothing half-written: the minutes went back with the refusal
    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.DUE_DATE_MOVED).exists()


@pytest.mark.django_db
def test_the_due_date_move_refuses_who_may_not_and_what_cannot_move(world):
    for actor in (world.officer_a, world.head_a, world.user_a, world.leader, world.officer_b):
        with pytest.raises(WorkOrderError) as refused:
            move_due_date(actor=actor, assignment=world.assignment_a, reason="x", working_days=2)
        assert refused.value.code == "forbidden"
    with pytest.raises(WorkOrderError) as refused:
        move_due_date(actor=world.staff, assignment=world.assignment_a, reason=" ", working_days=2)
    assert refused.value.field == "reason"
    with pytest.raises(WorkOrderError) as refused:
        move_due_date(actor=world.staff, assignment=world.assignment_a, reason="x",
                      new_due_date=world.assignment_a.issued_on - datetime.timedelta(days=1))
    assert refused.value.code == "before_issue"
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.history.count() == 1  # only its creation
