"""Departments ask, the center decides (issue 18, points 2 and 3): the rules of the services in
``workorders.services.asks``. Who may call each one is in test_permissions_in_services.py."""
from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from departments.tests.factories import DepartmentFactory, OfficerFactory
from notifications.models import Notification
from projects.tests.factories import OfficerUserFactory
from workdays.calendar import get_calendar, local_date
from workorders import selectors
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, ClockPause, DepartmentAsk, RequestEvent, WorkOrder
from workorders.services import (
    ask_extension,
    ask_pause_going_on,
    ask_reroute,
    complete_assignment,
    decide_ask,
    extend_by_center,
    pause_assignment,
    reply_to_assignment,
    submit_request,
    triage_and_issue,
)
from workorders.services import asks as asks_module

pytestmark = pytest.mark.django_db
K = DepartmentAsk.Kind
E = RequestEvent.Kind


def _rows() -> tuple:
    """What a refusal must leave as it was."""
    return (list(DepartmentAsk.objects.values_list("pk", "status", "working_days_granted", "ruling")),
            list(Assignment.objects.order_by("pk").values_list("status", "due_date", "role", "extension_working_days")),
            list(WorkOrder.objects.values_list("lead_department_id")), RequestEvent.objects.count(),
            Notification.objects.count(), list(ClockPause.objects.values_list("resumes_on", "ended_at")))


def _refused(call, *, code=None, field=None):
    before = _rows()
    with pytest.raises(WorkOrderError) as refused:
        call()
    assert _rows() == before
    if code is not None:
        assert refused.value.code == code, refused.value.message
    if field is not None:
        assert refused.value.field == field
    return refused.value


def _extension(w, days=5, text="等待申通地铁集团评估意见。"):
    return ask_extension(actor=w.officer_a, assignment=w.assignment_a, working_days=days, text=text)


def _reroute(w, assignment=None, actor=None, category="not_competent", suggested=None):
    return ask_reroute(actor=actor or w.officer_a, assignment=assignment or w.assignment_a, reason_category=category,
                       text="本事项不属于本部门职权。", suggested_department=suggested)


def _third_party_pause(w, resumes_in_days=7):
    pause_assignment(actor=w.officer_a, assignment=w.assignment_a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name="申通地铁集团", note="等待申通地铁集团。")
    ClockPause.objects.filter(assignment=w.assignment_a).update(
        resumes_on=local_date() + datetime.timedelta(days=resumes_in_days))
    w.assignment_a.refresh_from_db()
    return w.assignment_a.pauses.get()


@pytest.fixture
def shared(world):
    """A work order of enterprise A led by A with B co-handling, and a third department C (with an
    officer) that is on no work order."""
    request, _ = submit_request(actor=world.user_a, project=world.project_a, kind="blocker", title="地铁与道路",
                                description="地铁站与道路工程交叉，需多部门协同。")
    work_order = triage_and_issue(actor=world.staff, request=request, lead_department=world.dept_a,
                                  co_departments=[world.dept_b], problem="交叉施工")
    world.shared_request = request
    world.lead = work_order.assignments.get(department=world.dept_a)
    world.co = work_order.assignments.get(department=world.dept_b)
    world.dept_c = DepartmentFactory(short_code="GJ", name_zh="高境镇人民政府", name_en="Gaojing Town")
    world.officer_c = OfficerFactory(department=world.dept_c, user=OfficerUserFactory(username="officer_c")).user
    return world


# --- asking ---------------------------------------------------------------------------------------

def test_an_officer_asks_for_more_days_and_the_clock_keeps_running(world):
    due, told = world.assignment_a.due_date, Notification.objects.filter(recipient=world.user_a).count()
    ask = _extension(world)
    assert (ask.kind, ask.status, ask.working_days, ask.asked_by) == (K.EXTENSION, "pending", 5, world.officer_a)
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == due and world.assignment_a.status == Assignment.Status.ISSUED
    event = RequestEvent.objects.get(kind=E.EXTENSION_ASKED)
    assert not event.public and "等待申通地铁集团评估意见" in event.text
    assert not selectors.timeline(world.request_a).filter(kind=E.EXTENSION_ASKED).exists()
    assert Notification.objects.filter(recipient=world.staff, url__contains="#asks").count() == 1
    assert Notification.objects.filter(recipient=world.user_a).count() == told  # the enterprise is not told


def test_a_head_asks_to_re_route_naming_the_competent_department(world):
    ask = _reroute(world, actor=world.head_a, suggested=world.dept_b)
    assert (ask.kind, ask.reason_category, ask.suggested_department) == (K.REROUTE, "not_competent", world.dept_b)
    assert not RequestEvent.objects.get(kind=E.REROUTE_ASKED).public
    assert Notification.objects.filter(recipient=world.staff).exists()


@pytest.mark.parametrize("days", [0, -1, settings.CENTER_EXTENSION_MAX_WORKING_DAYS + 1])
def test_an_extension_of_nothing_or_over_the_cap_is_refused(world, days):
    _refused(lambda: _extension(world, days=days), code="working_days", field="working_days")


def test_the_cap_itself_may_be_asked(world):
    assert _extension(world, days=settings.CENTER_EXTENSION_MAX_WORKING_DAYS).working_days == 10


@pytest.mark.parametrize("ask", [_extension, _reroute], ids=["extension", "reroute"])
def test_asking_after_the_due_date_is_refused(world, ask):
    today = local_date()
    Assignment.objects.filter(pk=world.assignment_a.pk).update(issued_on=today - datetime.timedelta(days=30),
                                                               due_date=today - datetime.timedelta(days=1))
    _refused(lambda: ask(world), code="past_due")


def test_asking_on_the_due_date_itself_is_allowed(world):
    Assignment.objects.filter(pk=world.assignment_a.pk).update(due_date=local_date())
    assert _extension(world).is_pending


@pytest.mark.parametrize("ask", [_extension, _reroute], ids=["extension", "reroute"])
def test_a_second_pending_ask_of_the_same_kind_is_refused_but_another_kind_is_not(world, ask):
    ask(world)
    _refused(lambda: ask(world), code="pending")
    other = _reroute if ask is _extension else _extension
    assert other(world).is_pending


def test_the_database_refuses_a_second_pending_ask_that_slips_past_the_check(world, monkeypatch):
    """Two asks at once both pass the check; the unique constraint refuses the second, with the same message."""
    first = _extension(world)
    monkeypatch.setattr(asks_module, "_pending_exists", lambda assignment, kind: False)
    _refused(lambda: _extension(world), code="pending")
    assert list(DepartmentAsk.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize("call,field", [
    (lambda w: _reroute(w, suggested=w.dept_a), "suggested_department"),
    (lambda w: _reroute(w, category="not_ours"), "reason_category"),
    (lambda w: _extension(w, text="  "), "text"),
    (lambda w: ask_pause_going_on(actor=w.officer_a, assignment=w.assignment_a, text=""), "text"),
], ids=["same department", "unknown reason", "no reason", "pause without reason"])
def test_bad_input_is_refused_beside_its_field(world, call, field):
    _refused(lambda: call(world), field=field)


def test_a_finished_assignment_cannot_ask(world):
    reply_to_assignment(actor=world.officer_a, assignment=world.assignment_a, text="已办结。")
    complete_assignment(actor=world.officer_a, assignment=world.assignment_a)
    _refused(lambda: _extension(world), code="not_open")


def test_a_reason_the_center_refused_cannot_be_asked_again(world):
    ask = _reroute(world)
    decide_ask(actor=world.staff, ask=ask, grant=False, ruling="属于交通委职责，请继续办理。")
    _refused(lambda: _reroute(world), code="reason_refused", field="reason_category")
    assert _reroute(world, category="ownership_unclear").is_pending


def test_a_pause_for_a_third_party_may_be_asked_to_go_on_before_its_day(world):
    pause = _third_party_pause(world)
    ask = ask_pause_going_on(actor=world.officer_a, assignment=world.assignment_a, text="地铁集团评估尚需两周。")
    assert (ask.kind, ask.pause) == (K.PAUSE, pause)
    assert not RequestEvent.objects.get(kind=E.PAUSE_ASKED).public


@pytest.mark.parametrize("case", ["running", "material", "approved", "limit reached"])
def test_a_pause_going_on_needs_an_open_third_party_pause_before_its_day(world, case):
    if case == "material":
        pause_assignment(actor=world.officer_a, assignment=world.assignment_a,
                         reason=ClockPause.Reason.WAITING_FOR_MATERIAL)
    elif case == "approved":
        _third_party_pause(world)
        ClockPause.objects.update(resumes_on=None, continuation_approved_by=world.staff)
    elif case == "limit reached":
        _third_party_pause(world, resumes_in_days=0)
    _refused(lambda: ask_pause_going_on(actor=world.officer_a, assignment=world.assignment_a, text="尚需时间。"),
             code="too_late" if case == "limit reached" else "no_pause")


# --- the center decides an extension --------------------------------------------------------------

def test_granting_fewer_days_moves_the_due_date_through_the_one_service_and_counts_them(world):
    due, original = world.assignment_a.due_date, world.assignment_a.original_due_date
    ask = _extension(world, days=5)
    _refused(lambda: decide_ask(actor=world.staff, ask=ask, grant=True, working_days_granted=3),
             code="ruling", field="ruling")
    for days in (0, 6):
        _refused(lambda: decide_ask(actor=world.staff, ask=ask, grant=True, working_days_granted=days, ruling="x"),
                 field="working_days_granted")
    decided = decide_ask(actor=world.staff, ask=ask, grant=True, working_days_granted=3,
                         ruling="准予延期3个工作日，请抓紧协调。")
    assert (decided.status, decided.working_days_granted, decided.decided_by) == ("granted", 3, world.staff)
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == get_calendar().add_working_days(due, 3)
    assert world.assignment_a.original_due_date == original  # the original clock never moves for an extension
    assert world.assignment_a.extension_working_days == 3
    moved = selectors.timeline(world.request_a).get(kind=E.DUE_DATE_MOVED)  # what the enterprise reads
    assert moved.due_date == world.assignment_a.due_date
    assert "等待申通地铁集团评估意见" in moved.text and "准予延期3个工作日" in moved.text
    assert not RequestEvent.objects.get(kind=E.EXTENSION_GRANTED).public
    assert Notification.objects.filter(recipient=world.officer_a, subject__contains="3").exists()


def test_granting_all_days_needs_no_ruling(world):
    due = world.assignment_a.due_date
    decide_ask(actor=world.staff, ask=_extension(world, days=2), grant=True)
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == get_calendar().add_working_days(due, 2)


@pytest.mark.parametrize("kind", ["extension", "reroute", "pause"])
def test_a_refusal_needs_a_ruling_and_changes_nothing_else(world, kind):
    if kind == "pause":
        pause = _third_party_pause(world)
        ask = ask_pause_going_on(actor=world.officer_a, assignment=world.assignment_a, text="尚需时间。")
    else:
        ask = _extension(world) if kind == "extension" else _reroute(world)
    _refused(lambda: decide_ask(actor=world.staff, ask=ask, grant=False, ruling=" "), code="ruling", field="ruling")
    before = Assignment.objects.values_list("status", "due_date", "extension_working_days").get(pk=world.assignment_a.pk)
    decided = decide_ask(actor=world.staff, ask=ask, grant=False, ruling="理由不充分。")
    assert (decided.status, decided.ruling) == ("refused", "理由不充分。")
    assert Assignment.objects.values_list("status", "due_date", "extension_working_days").get(
        pk=world.assignment_a.pk) == before
    if kind == "pause":
        pause.refresh_from_db()
        assert pause.resumes_on is not None and pause.continuation_approved_by is None  # it resumes on its day
    else:
        event = RequestEvent.objects.get(kind=E.EXTENSION_REFUSED if kind == "extension" else E.REROUTE_REFUSED)
        assert not event.public and event.text == "理由不充分。"
    assert Notification.objects.filter(recipient=world.officer_a, body="理由不充分。").exists()


def test_deciding_twice_is_refused(world):
    ask = _extension(world)
    decide_ask(actor=world.staff, ask=ask, grant=True)
    stale = DepartmentAsk.objects.get(pk=ask.pk)
    _refused(lambda: decide_ask(actor=world.staff, ask=stale, grant=False, ruling="x"), code="already_decided")


def test_center_staff_extend_directly_recorded_and_counted_as_an_extension(world):
    due = world.assignment_a.due_date
    for days in (0, asks_module.CENTER_EXTENSION_LIMIT + 1):
        _refused(lambda: extend_by_center(actor=world.staff, assignment=world.assignment_a, working_days=days,
                                          reason="集中办公会商"), field="working_days")
    _refused(lambda: extend_by_center(actor=world.staff, assignment=world.assignment_a, working_days=2, reason=""),
             field="reason")
    _refused(lambda: extend_by_center(actor=world.staff, assignment=world.assignment_a, new_due_date=due,
                                      reason="集中办公会商"), field="new_due_date")
    ask = extend_by_center(actor=world.staff, assignment=world.assignment_a, working_days=4, reason="集中办公会商同意延期")
    assert (ask.kind, ask.status, ask.by_center, ask.working_days, ask.working_days_granted) == (
        K.EXTENSION, "granted", True, 4, 4)
    later = get_calendar().add_working_days(due, 10)
    extend_by_center(actor=world.staff, assignment=world.assignment_a, new_due_date=later, reason="纪要")
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == later and world.assignment_a.extension_working_days == 10
    assert selectors.timeline(world.request_a).filter(kind=E.DUE_DATE_MOVED).count() == 2
    assert not RequestEvent.objects.filter(kind=E.EXTENSION_GRANTED, public=True).exists()


# --- the center decides a pause going on ----------------------------------------------------------

def test_granting_a_pause_going_on_stops_it_resuming_by_itself(world):
    pause = _third_party_pause(world)
    ask = ask_pause_going_on(actor=world.officer_a, assignment=world.assignment_a, text="尚需两周。")
    decide_ask(actor=world.staff, ask=ask, grant=True)
    pause.refresh_from_db()
    assert (pause.resumes_on, pause.continuation_approved_by, pause.ended_at) == (None, world.staff, None)
    assert pause.continuation_approved_at is not None
    assert not RequestEvent.objects.get(kind=E.PAUSE_APPROVED).public


def test_a_pause_that_ended_meanwhile_cannot_be_granted(world):
    _third_party_pause(world)
    ask = ask_pause_going_on(actor=world.officer_a, assignment=world.assignment_a, text="尚需两周。")
    ClockPause.objects.update(ended_at=timezone.now(), ended_on=local_date())
    _refused(lambda: decide_ask(actor=world.staff, ask=ask, grant=True), code="pause_ended")


# --- the center decides a re-route ----------------------------------------------------------------

def test_a_co_handler_re_routed_hands_the_work_to_a_new_department_with_its_own_clock(shared):
    w = shared
    ask = _reroute(w, assignment=w.co, actor=w.officer_b, suggested=w.dept_c)
    _refused(lambda: decide_ask(actor=w.staff, ask=ask, grant=True), field="new_department")
    _refused(lambda: decide_ask(actor=w.staff, ask=ask, grant=True, new_department=w.dept_a), field="new_department")
    _refused(lambda: decide_ask(actor=w.staff, ask=ask, grant=True, new_department=w.dept_c, new_lead=w.dept_c),
             field="new_lead")
    decided = decide_ask(actor=w.staff, ask=ask, grant=True, new_department=w.dept_c)
    w.co.refresh_from_db()
    assert (w.co.status, w.co.sla_state) == (Assignment.Status.WITHDRAWN, Assignment.SlaState.DONE)
    assert w.co.closed_at is not None
    new = decided.new_assignment
    today = local_date()
    assert (new.department, new.role, new.issued_on) == (w.dept_c, Assignment.Role.CO_HANDLING, today)
    assert new.due_date == new.original_due_date == get_calendar().add_working_days(today, new.sla_working_days)
    w.lead.refresh_from_db()
    assert w.lead.role == Assignment.Role.LEAD and w.lead.work_order.lead_department == w.dept_a
    moved = selectors.timeline(w.shared_request).get(kind=E.REROUTED)  # the enterprise's timeline
    assert (moved.department, moved.text, moved.due_date) == (w.dept_c, "", new.due_date)
    assert Notification.objects.filter(recipient=w.officer_c, url=f"/desk/assignments/{new.pk}/").exists()
    assert Notification.objects.filter(recipient=w.officer_b, subject__contains=w.shared_request.tracking_number).exists()


@pytest.mark.parametrize("new_lead", ["new department", "co-handler"])
def test_a_re_routed_lead_is_replaced_by_the_lead_staff_name(shared, new_lead):
    w = shared
    ask = _reroute(w, assignment=w.lead)
    _refused(lambda: decide_ask(actor=w.staff, ask=ask, grant=True, new_department=w.dept_c), field="new_lead")
    lead = w.dept_c if new_lead == "new department" else w.dept_b
    decided = decide_ask(actor=w.staff, ask=ask, grant=True, new_department=w.dept_c, new_lead=lead)
    roles = dict(Assignment.objects.filter(work_order=w.lead.work_order).values_list("department_id", "role"))
    assert roles == {w.dept_a.pk: "co_handling", w.dept_b.pk: "lead" if lead == w.dept_b else "co_handling",
                     w.dept_c.pk: "lead" if lead == w.dept_c else "co_handling"}
    assert WorkOrder.objects.get(pk=w.lead.work_order_id).lead_department == lead
    assert decided.new_assignment.department == w.dept_c


def test_a_paused_assignment_re_routed_ends_its_pause_and_its_other_asks(world):
    extension = _extension(world)
    ask = _reroute(world)
    _third_party_pause(world)
    decide_ask(actor=world.staff, ask=ask, grant=True, new_department=world.dept_b, new_lead=world.dept_b)
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.WITHDRAWN
    assert world.assignment_a.pauses.get().ended_at is not None
    extension.refresh_from_db()
    assert extension.status == "refused" and extension.ruling
    assert not DepartmentAsk.objects.filter(status="pending").exists()
