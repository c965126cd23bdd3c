"""The departments' requests to the center through the API (issue 18): a department's service
account asks and lists its asks, center staff decide, everyone else is refused; refusals in the
API's one JSON error format."""
import pytest
from rest_framework.test import APIClient

from api.models import ApiClient
from workorders.models import DepartmentAsk

pytestmark = pytest.mark.django_db


def _token_client(user, scope="write") -> APIClient:
    account = ApiClient(name=f"{user.username}-{scope}", user=user, scope=scope)
    token = account.issue_token()
    account.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _session(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _asks_url(assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/asks/"


def test_a_department_service_account_asks_and_lists_its_asks(world):
    system = _token_client(world.officer_a)
    created = system.post(_asks_url(world.assignment_a),
                          {"kind": "extension", "working_days": 4, "text": "等待申通地铁集团评估"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["status"], body["working_days"], body["assignment"]) == (
        "extension", "pending", 4, world.assignment_a.pk)
    rerouted = system.post(_asks_url(world.assignment_a), {"kind": "reroute", "reason_category": "not_territory",
                                                           "text": "不在本区域", "suggested_department": world.dept_b.pk},
                           format="json")
    assert rerouted.status_code == 201 and rerouted.json()["suggested_department"] == world.dept_b.pk
    assert {row["kind"] for row in system.get(_asks_url(world.assignment_a)).json()} == {"extension", "reroute"}
    assert len(system.get("/api/v1/asks/").json()["results"]) == 2
    assert _session(world.officer_b).get("/api/v1/asks/").json()["results"] == []
    assert _session(world.leader).get("/api/v1/asks/").json()["results"] == []
    assert len(_session(world.staff).get("/api/v1/asks/").json()["results"]) == 2


@pytest.mark.parametrize("data,field", [
    ({"kind": "extension", "working_days": 0, "text": "x"}, "working_days"),
    ({"kind": "extension", "working_days": 11, "text": "x"}, "working_days"),
    ({"kind": "extension", "text": "x"}, "working_days"),
    ({"kind": "reroute", "text": "x"}, "reason_category"),
    ({"kind": "reroute", "reason_category": "not_competent", "text": "x", "suggested_department": 0},
     "suggested_department"),
    ({"kind": "extension", "working_days": 3, "text": ""}, "text"),
    ({"kind": "pause", "text": "x"}, "non_field_errors"),  # no pause for a third party is open
])
def test_bad_asks_are_refused_in_the_one_error_format(world, data, field):
    response = _token_client(world.officer_a).post(_asks_url(world.assignment_a), data, format="json")
    assert response.status_code == 400 and list(response.json()) == [field], response.json()
    assert not DepartmentAsk.objects.exists()


def test_everyone_but_the_department_is_refused_asking(world):
    data = {"kind": "extension", "working_days": 3, "text": "等待评估"}
    assert _token_client(world.officer_a, scope="read").post(_asks_url(world.assignment_a), data,
                                                             format="json").status_code == 403
    assert _session(world.staff).post(_asks_url(world.assignment_a), data, format="json").status_code == 403
    for user in (world.officer_b, world.leader, world.user_a):
        assert _session(user).post(_asks_url(world.assignment_a), data, format="json").status_code == 404
    assert APIClient().post(_asks_url(world.assignment_a), data, format="json").status_code in (401, 403)
    assert not DepartmentAsk.objects.exists()


def test_staff_decide_once_and_nobody_else_may(world):
    system = _token_client(world.officer_a)
    ask = system.post(_asks_url(world.assignment_a), {"kind": "extension", "working_days": 4, "text": "等待评估"},
                      format="json").json()
    url = f"/api/v1/asks/{ask['id']}/decide/"
    decision = {"grant": True, "working_days_granted": 2, "ruling": "准予2个工作日"}
    assert system.post(url, decision, format="json").status_code == 403  # the department itself
    for user in (world.officer_b, world.leader, world.user_a):
        assert _session(user).post(url, decision, format="json").status_code == 404
    staff = _token_client(world.staff)
    fewer = staff.post(url, {"grant": True, "working_days_granted": 2}, format="json")
    assert fewer.status_code == 400 and list(fewer.json()) == ["ruling"]
    decided = staff.post(url, decision, format="json")
    assert decided.status_code == 200 and (decided.json()["status"], decided.json()["working_days_granted"]) == (
        "granted", 2)
    twice = staff.post(url, {"grant": False, "ruling": "x"}, format="json")
    assert twice.status_code == 400 and list(twice.json()) == ["non_field_errors"]
    assert staff.post("/api/v1/asks/999999/decide/", decision, format="json").status_code == 404
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.extension_working_days == 2


def test_staff_re_route_a_lead_through_the_api(world):
    ask = _token_client(world.officer_a).post(
        _asks_url(world.assignment_a), {"kind": "reroute", "reason_category": "not_competent", "text": "不属于本部门"},
        format="json").json()
    staff = _session(world.staff)
    url = f"/api/v1/asks/{ask['id']}/decide/"
    no_lead = staff.post(url, {"grant": True, "new_department": world.dept_b.pk}, format="json")
    assert no_lead.status_code == 400 and list(no_lead.json()) == ["new_lead"]
    done = staff.post(url, {"grant": True, "new_department": world.dept_b.pk, "new_lead": world.dept_b.pk},
                      format="json")
    assert done.status_code == 200 and done.json()["new_assignment"]
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == "withdrawn"
    assert world.assignment_a.work_order.lead_department == world.dept_b
