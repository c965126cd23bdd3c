"""Admin bulk actions on work orders and assignments (the request actions: tests/test_admin_actions.py)."""
import pytest
from django.contrib.admin import helpers
from django.test import Client

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/workorders/servicerequest/"


def _staff_client(world):
    world.staff.is_staff = True
    world.staff.save()
    client = Client()
    client.force_login(world.staff)
    return client


def test_flag_and_unflag_through_the_work_order_admin(world):
    client = _staff_client(world)
    work_order = world.request_a.work_order
    url = "/admin/workorders/workorder/"
    client.post(url, {"action": "flag_work_orders", helpers.ACTION_CHECKBOX_NAME: [work_order.pk]})
    work_order.refresh_from_db()
    assert work_order.needs_consultation
    client.post(CHANGELIST, {"action": "unflag_requests", helpers.ACTION_CHECKBOX_NAME: [world.request_a.pk]})
    work_order.refresh_from_db()
    assert not work_order.needs_consultation


def test_extend_due_dates_with_a_reason_in_history(world):
    from workdays.calendar import get_calendar
    from workorders.models import Assignment

    client = _staff_client(world)
    url = "/admin/workorders/assignment/"
    before = {a.pk: a.due_date for a in Assignment.objects.all()}
    no_reason = client.post(url, {"action": "extend_due_dates", "apply": "1", "working_days": "3",
                                  helpers.ACTION_CHECKBOX_NAME: [world.assignment_a.pk, world.assignment_b.pk]})
    assert no_reason.status_code == 200
    client.post(url, {"action": "extend_due_dates", "apply": "1", "working_days": "3", "reason": "等待地铁集团评估",
                      helpers.ACTION_CHECKBOX_NAME: [world.assignment_a.pk, world.assignment_b.pk]})
    calendar = get_calendar()
    for assignment in (world.assignment_a, world.assignment_b):
        assignment.refresh_from_db()
        assert assignment.due_date == calendar.add_working_days(before[assignment.pk], 3)
        record = assignment.history.filter(history_change_reason__contains="等待地铁集团评估").get()
        assert record.history_user == world.staff
        assert assignment.extension_working_days == 3 and assignment.asks.get().by_center


def test_a_head_cannot_extend_and_a_staff_extension_is_counted(world):
    """Issue 18: only center staff extend directly; the extension is recorded as one the center gave."""
    from workorders.exceptions import WorkOrderError
    from workorders.models import DepartmentAsk
    from workorders.services import extend_by_center

    due = world.assignment_a.due_date
    for actor, assignment in ((world.head_a, world.assignment_a), (world.head_a, world.assignment_b),
                              (world.officer_a, world.assignment_a)):
        with pytest.raises(WorkOrderError) as refused:
            extend_by_center(actor=actor, assignment=assignment, working_days=2, reason="x")
        assert refused.value.code == "forbidden"
    with pytest.raises(WorkOrderError):
        extend_by_center(actor=world.staff, assignment=world.assignment_b, working_days=2, reason=" ")
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == due and not DepartmentAsk.objects.exists()
    extend_by_center(actor=world.staff, assignment=world.assignment_a, working_days=2, reason="会商后延期")
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date > due and world.assignment_a.extension_working_days == 2
    ask = DepartmentAsk.objects.get()
    assert (ask.by_center, ask.status, ask.working_days_granted) == (True, DepartmentAsk.Status.GRANTED, 2)

def test_the_request_change_form_cannot_change_status_or_decisions(world):
    from workorders.models import ServiceRequest

    client = _staff_client(world)
    url = f"/admin/workorders/servicerequest/{world.waiting_a.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form_fields = set(page.context["adminform"].form.fields)
    assert not {"status", "decision_reason", "rating", "tracking_number", "project"} & form_fields
    client.post(url, {"status": "resolved", "rating": "1", "kind": "other", "title": "改标题",
                      "description": world.waiting_a.description, "project": world.project_a.pk,
                      "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"})
    world.waiting_a.refresh_from_db()
    assert world.waiting_a.status == ServiceRequest.Status.SUBMITTED and world.waiting_a.rating is None
