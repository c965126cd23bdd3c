"""Deny by default: every page of the portal, the desk, the center and the downloads × every role.

Each route lists the status every role gets. 302 from an anonymous visitor goes to the login
page; someone else's object (a guessed id or tracking number) is a 404, never its data.
"""
import pytest
from django.test import Client

ROLES = ["anonymous", "enterprise_a", "enterprise_b", "officer_a", "officer_b", "head_a", "staff", "leader"]


def _status(row: str) -> dict[str, int]:
    return dict(zip(ROLES, (int(part) for part in row.split())))


#            anon  ent_a ent_b off_a off_b head_a staff leader
PORTAL_OWN = "302   200   200   403   403   403    403   403"
ONLY_A = "302   200   404   404   404   404    404   404"
DESK = "302   403   403   200   200   200    403   403"
DESK_A = "302   403   403   200   404   200    403   403"
CENTER = "302   403   403   403   403   403    200   403"
OFFICE_HOURS = "302   403   403   200   200   200    200   200"
FILE_A = "302   200   404   200   404   200    200   404"
FILE_B = "302   404   200   404   200   404    200   404"
# Two-factor sign-in: center staff and heads set up their own authenticator app; the code page is
# for someone who has one (nobody here), so it is a 404 for everyone signed in.
TWO_FACTOR = "302   403   403   403   403   200    200   403"
NO_APP = "302   404   404   404   404   404    404   404"
# The members page (issue 17, finding 2): a department's heads only; another department is a 404.
MEMBERS_A = "302   403   403   403   403   200    403   403"
MEMBERS_B = "302   403   403   403   403   404    403   403"

GET_ROUTES = [
    ("/requests/", PORTAL_OWN),
    ("/requests/new/", PORTAL_OWN),
    ("/projects/", PORTAL_OWN),
    ("/projects/new/", PORTAL_OWN),
    ("/requests/{request_a}/", ONLY_A),
    ("/requests/BS0000NOSUCH/", "302 404 404 404 404 404 404 404"),
    ("/attachments/{attachment_a}/", FILE_A),
    ("/attachments/{attachment_b}/", FILE_B),
    ("/attachments/999999/", "302 404 404 404 404 404 404 404"),
    ("/desk/", DESK),
    ("/desk/assignments/{assignment_a}/", DESK_A),
    ("/desk/assignments/999999/", "302 403 403 404 404 404 403 403"),
    ("/center/", CENTER),
    ("/center/requests/{waiting_a}/", CENTER),
    ("/center/requests/{request_b}/", CENTER),
    ("/notifications/", "302 200 200 200 200 200 200 200"),
    ("/center/office-hours/", OFFICE_HOURS),
    ("/center/office-hours/2026-11-30/", OFFICE_HOURS),
    ("/center/office-hours/2026-11-30/agenda.ics", OFFICE_HOURS),
    ("/center/office-hours/2099-01-05/", "302 403 403 404 404 404 404 404"),
    ("/center/requests/{request_a}/consult/", CENTER),
    ("/accounts/two-factor/", TWO_FACTOR),
    ("/accounts/two-factor/verify/", NO_APP),
    ("/desk/members/{dept_a}/", MEMBERS_A),
    ("/desk/members/{dept_b}/", MEMBERS_B),
    ("/desk/members/{dept_a}/{member_a}/", MEMBERS_A),
    ("/desk/members/{dept_a}/{head_a_member}/", "302 403 403 403 403 403 403 403"),
    ("/desk/members/{dept_a}/{member_b}/", "302 403 403 403 403 404 403 403"),
    ("/desk/members/{dept_b}/{member_b}/", MEMBERS_B),
    ("/desk/members/{dept_a}/999999/", "302 403 403 403 403 404 403 403"),
]

# POSTs with an empty or harmless body: denied roles must get the status shown and change nothing;
# allowed roles get a form error (400) or a redirect after a no-op.
POST_ROUTES = [
    ("/requests/{request_a}/material/{assignment_a}/", "302 400 404 404 404 404 404 404"),
    ("/requests/{request_a}/rate/", "302 400 404 404 404 404 404 404"),
    ("/requests/{request_a}/accept/999999/", "302 404 404 404 404 404 404 404"),
    ("/desk/assignments/{assignment_a}/reply/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/material/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/done/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/notes/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/999999/notes/", "302 403 403 404 404 404 403 403"),
    ("/desk/assignments/{assignment_a}/reassign/", "302 403 403 403 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/pause/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/resume/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/999999/pause/", "302 403 403 404 404 404 403 403"),
    # The department asks the center (issue 18): any officer or head of the department; the head's
    # own extend route is gone. Only center staff decide and extend directly.
    ("/desk/assignments/{assignment_a}/asks/reroute/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/asks/extension/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/{assignment_a}/asks/pause/", "302 403 403 400 404 400 403 403"),
    ("/desk/assignments/999999/asks/extension/", "302 403 403 404 404 404 403 403"),
    ("/desk/assignments/{assignment_a}/extend/", "404 404 404 404 404 404 404 404"),
    ("/center/asks/{ask_a}/decide/", "302 403 403 403 403 403 400 403"),
    ("/center/asks/999999/decide/", "302 403 403 403 403 403 404 403"),
    ("/center/requests/{request_a}/extend/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{waiting_a}/reject/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{waiting_a}/merge/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{waiting_a}/issue/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{waiting_a}/link/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{request_a}/consult/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{request_a}/notes/", "302 403 403 403 403 403 400 403"),
    ("/center/requests/{waiting_a}/notes/", "302 403 403 403 403 403 404 403"),
    # Staff are told the clock is not paused (a message, back to the page); another request's assignment is a 404.
    ("/center/requests/{request_a}/assignments/{assignment_a}/resume/", "302 403 403 403 403 403 302 403"),
    ("/center/requests/{request_a}/assignments/{assignment_b}/resume/", "302 403 403 403 403 403 404 403"),
    ("/center/office-hours/2026-11-30/add/", "302 403 403 403 403 403 302 403"),
    ("/center/office-hours/2026-11-30/build/", "302 403 403 403 403 403 302 403"),
    ("/accounts/two-factor/", "302 403 403 403 403 400 400 403"),
    ("/accounts/two-factor/verify/", NO_APP),
    ("/accounts/two-factor/999999/remove/", "302 403 403 403 403 404 404 403"),
    ("/desk/members/{dept_a}/add/", "302 403 403 403 403 400 403 403"),
    ("/desk/members/{dept_b}/add/", MEMBERS_B.replace("200", "400")),
    ("/desk/members/{dept_a}/{member_a}/", "302 403 403 403 403 400 403 403"),
    ("/desk/members/{dept_b}/{member_b}/", MEMBERS_B),
    ("/desk/members/{dept_a}/{head_a_member}/deactivate/", "302 403 403 403 403 403 403 403"),
    ("/desk/members/{dept_b}/{member_b}/deactivate/", MEMBERS_B),
]


# One click that changes something (there is no form to leave empty): each refused role gets the
# status shown and changes nothing; the first allowed role acts (302), the next is told it was done (400).
ONE_CLICK_ROUTES = [
    ("/desk/assignments/{assignment_a}/acknowledge/", "302 403 403 302 404 400 403 403"),
    ("/desk/assignments/999999/acknowledge/", "302 403 403 404 404 404 403 403"),
]


def _ask_of(world):
    """A pending re-route of department A's assignment, made once a route needs one."""
    if not hasattr(world, "ask_a"):
        from workorders.services import ask_reroute

        world.ask_a = ask_reroute(actor=world.officer_a, assignment=world.assignment_a,
                                  reason_category="not_competent", text="不属于本部门职权。")
    return world.ask_a


def _fill(template: str, world) -> str:
    return template.format(
        ask_a=_ask_of(world).pk if "{ask_a}" in template else "",
        request_a=world.request_a.tracking_number, request_b=world.request_b.tracking_number,
        waiting_a=world.waiting_a.tracking_number, attachment_a=world.attachment_a.pk,
        attachment_b=world.attachment_b.pk, assignment_a=world.assignment_a.pk, assignment_b=world.assignment_b.pk,
        dept_a=world.dept_a.pk,
        dept_b=world.dept_b.pk, member_a=world.officer_a.officer_memberships.get().pk,
        member_b=world.officer_b.officer_memberships.get().pk, head_a_member=world.head_a.officer_memberships.get().pk,
    )


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _snapshot(world):
    from departments.models import Officer
    from workorders.models import Assignment, RequestEvent, ServiceRequest

    return (
        list(ServiceRequest.objects.order_by("pk").values_list("status", "rating", "project_id")),
        list(Assignment.objects.order_by("pk").values_list("status", "reply", "due_date", "assigned_officer_id",
                                                           "acknowledged_at")),
        RequestEvent.objects.count(),
        list(Officer.objects.order_by("pk").values_list("user_id", "department_id", "role", "is_active", "display_name",
                                                         "is_mobile_staff")),
    )


@pytest.mark.parametrize("route,row", GET_ROUTES, ids=[r for r, _ in GET_ROUTES])
def test_get_matrix(world, route, row):
    url = _fill(route, world)
    for role, expected in _status(row).items():
        response = _client(world, role).get(url)
        assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("route,row", POST_ROUTES, ids=[r for r, _ in POST_ROUTES])
def test_post_matrix_changes_nothing(world, route, row):
    url = _fill(route, world)
    before = _snapshot(world)
    for role, expected in _status(row).items():
        response = _client(world, role).post(url, {})
        assert response.status_code == expected, f"{role} POST {url}: {response.status_code}, expected {expected}"
    assert _snapshot(world) == before


@pytest.mark.parametrize("route,row", ONE_CLICK_ROUTES, ids=[r for r, _ in ONE_CLICK_ROUTES])
def test_one_click_matrix(world, route, row):
    url = _fill(route, world)
    for role, expected in _status(row).items():
        before = _snapshot(world)
        response = _client(world, role).post(url)
        assert response.status_code == expected, f"{role} POST {url}: {response.status_code}, expected {expected}"
        if expected != 302 or role == "anonymous":
            assert _snapshot(world) == before, role


def test_guessed_ids_never_leak_data(world):
    """A 404 page for someone else's object does not contain its title or tracking number."""
    client = _client(world, "enterprise_b")
    response = client.get(f"/requests/{world.request_a.tracking_number}/")
    assert response.status_code == 404
    assert world.request_a.title not in response.content.decode()
    officer_b = _client(world, "officer_b")
    response = officer_b.get(f"/desk/assignments/{world.assignment_a.pk}/")
    assert response.status_code == 404
    assert world.request_a.title not in response.content.decode()


def test_lists_show_only_own_rows(world):
    page = _client(world, "enterprise_b").get("/requests/").content.decode()
    assert world.request_b.tracking_number in page
    assert world.request_a.tracking_number not in page and world.waiting_a.tracking_number not in page
    desk_a = _client(world, "officer_a").get("/desk/")
    assert [a.pk for a in desk_a.context["page"]] == [world.assignment_a.pk]
    desk_b = _client(world, "officer_b").get("/desk/")
    assert [a.pk for a in desk_b.context["page"]] == [world.assignment_b.pk]
    projects = _client(world, "enterprise_a").get("/projects/").context["projects"]
    assert [p.pk for p in projects] == [world.project_a.pk]


def test_a_leader_cannot_change_anything(world):
    leader = _client(world, "leader")
    _ask_of(world)
    before = _snapshot(world)
    for route, _row in POST_ROUTES + ONE_CLICK_ROUTES:
        assert leader.post(_fill(route, world), {"text": "x", "reason": "x", "rating": "5"}).status_code in (403, 404)
    assert _snapshot(world) == before
