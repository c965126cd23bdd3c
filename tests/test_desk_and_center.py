"""The department desk and the center's triage page through their views."""
import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.tests.factories import OfficerFactory
from workdays.calendar import get_calendar, local_date
from workorders.models import Assignment, RequestEvent, ServiceRequest, WorkOrder
from workorders.tests.factories import AssignmentFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_desk_list_most_urgent_first_with_working_days_left(world):
    today = local_date()
    long_ago = timezone.now() - datetime.timedelta(days=60)
    late = AssignmentFactory(department=world.dept_a, issued_at=long_ago, due_date=today - datetime.timedelta(days=7))
    paused = AssignmentFactory(department=world.dept_a, issued_at=long_ago, status=Assignment.Status.PAUSED,
                               due_date=today - datetime.timedelta(days=30))
    AssignmentFactory(department=world.dept_a, issued_at=long_ago, status=Assignment.Status.DONE, due_date=today)
    response = _client(world.officer_a).get("/desk/")
    rows = list(response.context["page"])
    assert [a.pk for a in rows] == [late.pk, world.assignment_a.pk, paused.pk]
    assert rows[0].days_left == get_calendar().working_days_left(late.due_date, today) < 0
    assert rows[1].days_left == get_calendar().working_days_left(world.assignment_a.due_date, today) > 0
    page = response.content.decode()
    assert "sla-badge" in page and "工作日" in page


def test_desk_list_query_count_does_not_grow_with_rows(world):
    client = _client(world.officer_a)
    client.get("/desk/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/")
    few_count = len(few)  # read now: the next request clears the connection's query log
    for _ in range(30):
        AssignmentFactory(department=world.dept_a, work_order=WorkOrderFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get("/desk/")
    assert len(response.context["page"]) == 31
    assert 0 < len(many) == few_count


def test_request_list_query_count_does_not_grow_with_rows(world):
    from workorders.tests.factories import ServiceRequestFactory

    client = _client(world.user_a)
    client.get("/requests/")
    with CaptureQueriesContext(connection) as few:
        client.get("/requests/")
    few_count = len(few)  # read now: the next request clears the connection's query log
    for _ in range(20):
        ServiceRequestFactory(project=world.project_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/requests/")
    assert len(response.context["page"]) == 22
    assert 0 < len(many) == few_count


def test_officer_replies_asks_for_material_and_finishes(world):
    client = _client(world.officer_a)
    base = f"/desk/assignments/{world.assignment_a.pk}"
    assert client.post(f"{base}/reply/", {"reply-text": ""}).status_code == 400
    assert client.post(f"{base}/reply/", {"reply-text": "正在协调"}).status_code == 302
    assert client.post(f"{base}/material/", {"material-text": "请补充图纸"}).status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.PAUSED
    # While paused the assignment cannot be finished.
    assert client.post(f"{base}/done/", {"done-text": "完成"}).status_code == 400
    from workorders.services import provide_material

    provide_material(actor=world.user_a, assignment=world.assignment_a, text="已补充")
    assert client.post(f"{base}/done/", {"done-text": "道路已开通"}).status_code == 302
    world.assignment_a.refresh_from_db()
    world.request_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.DONE
    assert world.request_a.status == ServiceRequest.Status.RESOLVED
    assert WorkOrder.objects.get(request=world.request_a).status == WorkOrder.Status.RESOLVED


def test_only_a_head_reassigns_within_the_department(world):
    colleague = OfficerFactory(department=world.dept_a)
    outsider = OfficerFactory(department=world.dept_b)
    url = f"/desk/assignments/{world.assignment_a.pk}/reassign/"
    assert _client(world.officer_a).post(url, {"officer": colleague.pk}).status_code == 403
    head = _client(world.head_a)
    assert "reassign_form" in head.get(f"/desk/assignments/{world.assignment_a.pk}/").context
    refused = head.post(url, {"officer": outsider.pk})
    assert refused.status_code == 400 and "officer" in refused.context["reassign_form"].errors
    assert head.post(url, {"officer": colleague.pk}).status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.assigned_officer == colleague


def test_a_head_can_list_closed_assignments(world):
    done = AssignmentFactory(department=world.dept_a, status=Assignment.Status.DONE)
    assert done.pk not in [a.pk for a in _client(world.officer_a).get("/desk/?closed=1").context["page"]]
    assert done.pk in [a.pk for a in _client(world.head_a).get("/desk/?closed=1").context["page"]]


def test_center_queue_and_workload(world):
    response = _client(world.staff).get("/center/")
    assert [r.pk for r in response.context["queue"]] == [world.waiting_a.pk]
    workload = {d.short_code: d for d in response.context["workload"]}
    assert workload["JT"].open_count == 1 and workload["JW"].open_count == 1


def test_staff_issue_a_work_order_from_the_center_page(world):
    client = _client(world.staff)
    url = f"/center/requests/{world.waiting_a.tracking_number}"
    both = client.post(f"{url}/issue/", {"lead_department": world.dept_a.pk, "co_departments": [world.dept_a.pk],
                                         "problem": "问题"})
    assert both.status_code == 400 and "co_departments" in both.context["issue_form"].errors
    response = client.post(f"{url}/issue/", {"lead_department": world.dept_a.pk, "co_departments": [world.dept_b.pk],
                                             "problem": "问题", "proposed_approach": "会商", "needs_consultation": "on"})
    assert response.status_code == 302
    work_order = WorkOrder.objects.get(request=world.waiting_a)
    assignments = {a.department.short_code: a for a in work_order.assignments.select_related("department")}
    assert set(assignments) == {"JT", "JW"} and work_order.needs_consultation
    assert assignments["JT"].due_date == get_calendar().add_working_days(assignments["JT"].issued_on, 10)
    again = client.post(f"{url}/issue/", {"lead_department": world.dept_a.pk, "problem": "再次"})
    assert again.status_code == 400
    assert WorkOrder.objects.filter(request=world.waiting_a).count() == 1
    assert client.post(f"{url}/flag/", {"flagged": "0"}).status_code == 302
    work_order.refresh_from_db()
    assert not work_order.needs_consultation


def test_staff_reject_with_a_reason_the_enterprise_sees(world):
    client = _client(world.staff)
    url = f"/center/requests/{world.waiting_a.tracking_number}/reject/"
    assert client.post(url, {"reject-reason": ""}).status_code == 400
    assert client.post(url, {"reject-reason": "不属于本中心受理范围"}).status_code == 302
    page = _client(world.user_a).get(f"/requests/{world.waiting_a.tracking_number}/").content.decode()
    assert "不属于本中心受理范围" in page


def test_staff_merge_a_duplicate(world):
    client = _client(world.staff)
    url = f"/center/requests/{world.waiting_a.tracking_number}/merge/"
    foreign = client.post(url, {"merge-into": world.request_b.tracking_number, "merge-reason": "重复"})
    assert foreign.status_code == 400 and "into" in foreign.context["merge_form"].errors
    unknown = client.post(url, {"merge-into": "BS-NONE", "merge-reason": "重复"})
    assert unknown.status_code == 400
    assert client.post(url, {"merge-into": world.request_a.tracking_number, "merge-reason": "重复提交"}).status_code == 302
    world.waiting_a.refresh_from_db()
    assert world.waiting_a.status == ServiceRequest.Status.MERGED and world.waiting_a.duplicate_of == world.request_a
    assert RequestEvent.objects.filter(request=world.waiting_a, kind="merged").exists()


def test_staff_link_a_project(world):
    from projects.tests.factories import InvestmentProjectFactory

    other = InvestmentProjectFactory(enterprise=world.ent_a)
    client = _client(world.staff)
    url = f"/center/requests/{world.waiting_a.tracking_number}/link/"
    assert client.post(url, {"project": world.project_b.pk}).status_code == 400  # not the enterprise's
    assert client.post(url, {"project": other.pk}).status_code == 302
    world.waiting_a.refresh_from_db()
    assert world.waiting_a.project == other


def test_request_list_pages_without_counting(world):
    from workorders.tests.factories import ServiceRequestFactory

    for _ in range(30):
        ServiceRequestFactory(project=world.project_a)
    client = _client(world.user_a)
    first = client.get("/requests/").context["page"]
    assert len(first) == 25 and first.has_next and not first.has_previous
    second = client.get("/requests/?page=2").context["page"]
    assert len(second) == 7 and not second.has_next  # 30 + the two of the world
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert client.get("/requests/?page=abc").status_code == 200


def test_a_head_can_no_longer_extend_on_the_desk_but_asks_the_center(world):
    """Issue 18: the head's extend form and route are gone; the department asks for more days."""
    due = world.assignment_a.due_date
    head = _client(world.head_a)
    assert head.post(f"/desk/assignments/{world.assignment_a.pk}/extend/",
                     {"extend-working_days": "3", "extend-reason": "等待第三方评估"}).status_code == 404
    page = head.get(f"/desk/assignments/{world.assignment_a.pk}/").content.decode()
    assert 'id="extend-form"' not in page and 'id="extension-ask-form"' in page and 'id="reroute-ask-form"' in page
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == due
