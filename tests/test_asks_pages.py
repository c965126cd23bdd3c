"""The departments' requests to the center through the pages (issue 18): the desk's ask forms and
list, the center's pending list at the top of /center/, the decide forms and the direct extension on
the request's page. The rules are tested on the services (workorders/tests/test_asks.py); who gets
which status on every route is in the access matrix."""
import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workdays.calendar import get_calendar, local_date
from workorders.models import ClockPause, DepartmentAsk
from workorders.services import ask_extension, ask_reroute, pause_assignment
from workorders.tests.factories import AssignmentFactory, DepartmentAskFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _desk(world, what=""):
    return f"/desk/assignments/{world.assignment_a.pk}/{what}"


def test_an_officer_asks_for_more_days_on_the_desk_and_reads_the_ruling(world):
    client = _client(world.officer_a)
    page = client.get(_desk(world)).content.decode()
    assert 'id="extension-ask-form"' in page and 'id="reroute-ask-form"' in page
    assert 'id="pause-ask-form"' not in page  # no pause for a third party is open
    over = client.post(_desk(world, "asks/extension/"), {"extension-working_days": "30", "extension-text": "等待评估"})
    assert over.status_code == 400 and "working_days" in over.context["extension_form"].errors
    assert "等待评估" in over.content.decode()  # what was typed is kept
    assert client.post(_desk(world, "asks/extension/"),
                       {"extension-working_days": "5", "extension-text": "等待申通地铁集团评估"}).status_code == 302
    ask = DepartmentAsk.objects.get()
    ask.status, ask.ruling = DepartmentAsk.Status.REFUSED, "理由不充分，请按期办结。"
    ask.save()
    page = client.get(_desk(world)).content.decode()
    assert "等待申通地铁集团评估" in page and "理由不充分，请按期办结。" in page


def test_a_head_asks_to_re_route_and_a_second_one_is_refused_beside_the_form(world):
    client = _client(world.head_a)
    data = {"reroute-reason_category": "not_competent", "reroute-text": "不属于交通委职权",
            "reroute-suggested_department": world.dept_b.pk}
    assert client.post(_desk(world, "asks/reroute/"), data).status_code == 302
    again = client.post(_desk(world, "asks/reroute/"), data)
    assert again.status_code == 400 and again.context["reroute_form"].non_field_errors()
    assert DepartmentAsk.objects.get().suggested_department == world.dept_b


def test_the_pause_going_on_is_asked_while_a_third_party_pause_is_open(world):
    pause_assignment(actor=world.officer_a, assignment=world.assignment_a,
                     reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY, third_party_name="申通地铁集团",
                     note="等待申通地铁集团")
    ClockPause.objects.update(resumes_on=local_date() + datetime.timedelta(days=7))
    client = _client(world.officer_a)
    assert 'id="pause-ask-form"' in client.get(_desk(world)).content.decode()
    assert client.post(_desk(world, "asks/pause/"), {"pause_ask-text": ""}).status_code == 400
    assert client.post(_desk(world, "asks/pause/"), {"pause_ask-text": "评估尚需两周"}).status_code == 302
    assert DepartmentAsk.objects.get().kind == DepartmentAsk.Kind.PAUSE


@pytest.mark.parametrize("route", ["asks/reroute/", "asks/extension/", "asks/pause/"])
def test_another_department_guessing_the_id_gets_a_404_and_others_a_403(world, route):
    data = {"reroute-reason_category": "not_competent", "reroute-text": "x", "extension-working_days": "3",
            "extension-text": "x", "pause_ask-text": "x"}
    assert _client(world.officer_b).post(_desk(world, route), data).status_code == 404
    for user in (world.leader, world.user_a, world.staff):
        assert _client(user).post(_desk(world, route), data).status_code == 403
    assert not DepartmentAsk.objects.exists()


def test_pending_asks_are_at_the_top_of_the_center_in_a_constant_number_of_queries(world):
    ask_extension(actor=world.officer_a, assignment=world.assignment_a, working_days=5, text="等待申通地铁集团评估")
    client = _client(world.staff)
    client.get("/center/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/center/").content.decode()
    few_count = len(few)
    assert page.index('id="asks"') < page.index('id="incoming"')
    assert "等待申通地铁集团评估" in page and "officer_a" in page and world.request_a.tracking_number in page
    for _ in range(5):
        DepartmentAskFactory(assignment=AssignmentFactory(department=world.dept_b), asked_by=world.officer_b)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/center/")
    assert len(response.context["asks"]) == 6 and len(many) == few_count


def test_the_pending_list_is_paged(world, monkeypatch):
    from center import triage

    monkeypatch.setattr(triage, "ASKS_PAGE", 2)
    for _ in range(3):
        DepartmentAskFactory(assignment=AssignmentFactory(department=world.dept_b))
    client = _client(world.staff)
    first = client.get("/center/")
    assert len(first.context["asks"]) == 2 and first.context["asks_next"] == 2
    second = client.get("/center/?asks_from=2")
    assert len(second.context["asks"]) == 1 and second.context["asks_next"] is None
    assert {a.pk for a in first.context["asks"]}.isdisjoint(a.pk for a in second.context["asks"])


def test_staff_grant_fewer_days_on_the_request_page(world):
    ask = ask_extension(actor=world.officer_a, assignment=world.assignment_a, working_days=5, text="等待评估")
    client = _client(world.staff)
    page = client.get(f"/center/requests/{world.request_a.tracking_number}/").content.decode()
    assert f'action="/center/asks/{ask.pk}/decide/"' in page and 'id="center-extend-form"' in page
    prefix = f"ask-{ask.pk}"
    no_ruling = client.post(f"/center/asks/{ask.pk}/decide/",
                            {f"{prefix}-decision": "grant", f"{prefix}-working_days_granted": "3"})
    assert no_ruling.status_code == 400
    assert dict(no_ruling.context["asks"])[DepartmentAsk.objects.get(pk=ask.pk)].errors["ruling"]
    due = world.assignment_a.due_date
    done = client.post(f"/center/asks/{ask.pk}/decide/", {f"{prefix}-decision": "grant",
                                                          f"{prefix}-working_days_granted": "3",
                                                          f"{prefix}-ruling": "准予3个工作日"})
    assert done.status_code == 302 and done["Location"].endswith("#asks")
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.due_date == get_calendar().add_working_days(due, 3)


def test_staff_re_route_a_lead_naming_the_new_lead_on_the_request_page(world):
    ask = ask_reroute(actor=world.officer_a, assignment=world.assignment_a, reason_category="not_competent",
                      text="不属于交通委职权")
    prefix = f"ask-{ask.pk}"
    response = _client(world.staff).post(f"/center/asks/{ask.pk}/decide/", {
        f"{prefix}-decision": "grant", f"{prefix}-new_department": world.dept_b.pk, f"{prefix}-new_lead": "new"})
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.new_assignment.department == world.dept_b and ask.new_assignment.role == "lead"
    timeline = _client(world.user_a).get(f"/requests/{world.request_a.tracking_number}/").content.decode()
    assert "event-rerouted" in timeline and "不属于交通委职权" not in timeline


def test_deciding_needs_staff_and_a_guessed_ask_is_a_404(world):
    ask = ask_extension(actor=world.officer_a, assignment=world.assignment_a, working_days=5, text="等待评估")
    data = {f"ask-{ask.pk}-decision": "grant"}
    for user in (world.officer_a, world.head_a, world.officer_b, world.leader, world.user_a):
        assert _client(user).post(f"/center/asks/{ask.pk}/decide/", data).status_code == 403
    assert _client(world.staff).post("/center/asks/999999/decide/", data).status_code == 404
    ask.refresh_from_db()
    assert ask.is_pending


def test_staff_extend_directly_on_the_request_page(world):
    client = _client(world.staff)
    url = f"/center/requests/{world.request_a.tracking_number}/extend/"
    missing = client.post(url, {"extend-assignment": world.assignment_a.pk, "extend-working_days": "3",
                                "extend-reason": ""})
    assert missing.status_code == 400 and "reason" in missing.context["extend_form"].errors
    assert client.post(url, {"extend-assignment": world.assignment_a.pk, "extend-working_days": "3",
                             "extend-reason": "集中办公会商同意"}).status_code == 302
    assert DepartmentAsk.objects.get().by_center
    # Another request's assignment is not a choice of this request's form.
    other = client.post(url, {"extend-assignment": world.assignment_b.pk, "extend-working_days": "3",
                              "extend-reason": "x"})
    assert other.status_code == 400 and "assignment" in other.context["extend_form"].errors
