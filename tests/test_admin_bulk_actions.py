"""Admin bulk actions for center staff run each row through the triage services."""
import pytest
from django.contrib.admin import helpers
from django.test import Client

from workorders.models import RequestEvent, ServiceRequest, WorkOrder
from workorders.services import submit_request

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/workorders/servicerequest/"


def _staff_client(world):
    world.staff.is_staff = True
    world.staff.save()
    client = Client()
    client.force_login(world.staff)
    return client


def _second_waiting(world):
    request, _ = submit_request(actor=world.user_a, project=world.project_a, kind="other", title="另一件",
                                description="另一个等待分办的问题。")
    return request


def test_reject_many_with_one_reason_reports_the_refused(world):
    other = _second_waiting(world)
    client = _staff_client(world)
    ids = [world.waiting_a.pk, other.pk, world.request_a.pk]  # the last one is already issued
    form = client.post(CHANGELIST, {"action": "reject_with_reason", helpers.ACTION_CHECKBOX_NAME: ids})
    assert form.status_code == 200 and "reason" in form.content.decode()
    empty = client.post(CHANGELIST, {"action": "reject_with_reason", helpers.ACTION_CHECKBOX_NAME: ids, "apply": "1"})
    assert empty.status_code == 200  # the form again, with its error
    assert ServiceRequest.objects.filter(status="rejected").count() == 0
    done = client.post(CHANGELIST, {"action": "reject_with_reason", helpers.ACTION_CHECKBOX_NAME: ids, "apply": "1",
                                    "reason": "不属于受理范围"}, follow=True)
    notes = [str(m) for m in done.context["messages"]]
    assert any(world.request_a.tracking_number in note for note in notes)
    rejected = ServiceRequest.objects.filter(status="rejected")
    assert set(rejected.values_list("pk", flat=True)) == {world.waiting_a.pk, other.pk}
    assert set(rejected.values_list("decision_reason", flat=True)) == {"不属于受理范围"}
    assert RequestEvent.objects.filter(kind="rejected").count() == 2
    world.request_a.refresh_from_db()
    assert world.request_a.status == ServiceRequest.Status.IN_PROGRESS


def test_issue_work_orders_in_bulk(world):
    other = _second_waiting(world)
    client = _staff_client(world)
    ids = [world.waiting_a.pk, other.pk]
    client.post(CHANGELIST, {"action": "issue_work_orders", helpers.ACTION_CHECKBOX_NAME: ids, "apply": "1",
                             "lead_department": world.dept_a.pk, "co_departments": [world.dept_b.pk]})
    for request in (world.waiting_a, other):
        work_order = WorkOrder.objects.get(request=request)
        assert sorted(work_order.assignments.values_list("department__short_code", flat=True)) == ["JT", "JW"]
        assert all(a.due_date > a.issued_on for a in work_order.assignments.all())


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


def test_people_other_than_staff_do_not_get_the_actions(world):
    world.leader.is_staff = True
    world.leader.save()
    client = Client()
    client.force_login(world.leader)
    response = client.get(CHANGELIST)
    assert response.status_code == 200  # the district leader may look at requests in the admin
    action_form = response.context["action_form"]
    choices = [value for value, _label in action_form.fields["action"].choices] if action_form else []
    assert "reject_with_reason" not in choices and "issue_work_orders" not in choices
    staff_page = _staff_client(world).get(CHANGELIST)
    staff_choices = [value for value, _label in staff_page.context["action_form"].fields["action"].choices]
    assert {"reject_with_reason", "issue_work_orders", "flag_requests"} <= set(staff_choices)
    client.post(CHANGELIST, {"action": "reject_with_reason", helpers.ACTION_CHECKBOX_NAME: [world.waiting_a.pk],
                             "apply": "1", "reason": "x"})
    world.waiting_a.refresh_from_db()
    assert world.waiting_a.status == ServiceRequest.Status.SUBMITTED


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
        record = assignment.history.order_by("-history_id").first()
        assert record.history_user == world.staff and "等待地铁集团评估" in record.history_change_reason


def test_a_head_extends_only_the_own_departments_assignments(world):
    from workorders.exceptions import WorkOrderError
    from workorders.services import extend_due_date

    due = world.assignment_a.due_date
    extend_due_date(actor=world.head_a, assignment=world.assignment_a, working_days=2, reason="会商后延期")
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date > due
    for actor, assignment in ((world.head_a, world.assignment_b), (world.officer_a, world.assignment_a)):
        with pytest.raises(WorkOrderError):
            extend_due_date(actor=actor, assignment=assignment, working_days=2, reason="x")
    with pytest.raises(WorkOrderError):
        extend_due_date(actor=world.staff, assignment=world.assignment_b, working_days=2, reason=" ")
