"""Every page's fixed cost (issue 20, part 1): the roles a request needs are read once, in one
statement, and every later check of the request (middleware, two-factor gate, view, service) reads
them from there. The statement counts of the everyday pages are pinned: a new statement on one of
them must be a choice, made here."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from center.two_factor.services import has_confirmed_device
from workorders import permissions

pytestmark = pytest.mark.django_db


def _statements(user, path) -> list[str]:
    client = Client()
    client.force_login(user)
    client.get(path)  # warm the session and the calendar
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_after_binding_no_role_check_costs_a_statement(world):
    head = world.head_a
    TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    with CaptureQueriesContext(connection) as reading:
        facts = permissions.bind_role_facts(head)
    assert len(reading) == 1
    assert facts.memberships == {world.dept_a.pk: "head"} and facts.has_device
    with CaptureQueriesContext(connection) as checks:
        assert not permissions.is_center_staff(head) and not permissions.is_leader(head)
        assert permissions.department_ids(head) == [world.dept_a.pk]
        assert permissions.is_head_of(head, world.dept_a.pk) and permissions.is_officer_of(head, world.dept_a.pk)
        assert not permissions.is_officer_of(head, world.dept_b.pk)
        assert permissions.heads_a_department(head) and has_confirmed_device(head)
        assert permissions.enterprise_ids(head) == []
    assert len(checks) == 0


def test_the_facts_say_what_the_tables_say(world):
    staff, enterprise_user = permissions.role_facts(world.staff), permissions.role_facts(world.user_a)
    assert "center_staff" in staff.groups and not staff.memberships and not staff.has_device
    assert enterprise_user.enterprises == (world.ent_a.pk,) and "center_staff" not in enterprise_user.groups
    world.dept_a.is_active = False
    world.dept_a.save()
    assert permissions.role_facts(world.officer_a).memberships == {}  # an inactive department counts for nothing


def test_facts_are_forgotten_when_asked(world):
    permissions.bind_role_facts(world.head_a)
    TOTPDevice.objects.create(user=world.head_a, name="phone", confirmed=True)
    assert not has_confirmed_device(world.head_a)  # bound for the request
    permissions.forget_role_facts(world.head_a)
    assert has_confirmed_device(world.head_a)


@pytest.mark.parametrize("who, path, statements", [
    # the session's user, the role facts, the enterprise's requests, the unread notices
    ("enterprise_a", "/requests/", 4),
    ("officer_a", "/desk/", 9),
    # staff pages also save the session (its idle expiry: a savepoint, the update, the release);
    # /center/ reads the departments' pending requests in one statement (issue 18)
    ("staff", "/center/", 16),
    ("leader", "/leader/", 11),
])
def test_everyday_pages_cost_what_their_content_needs(world, who, path, statements):
    sql = _statements(world.users[who], path)
    assert len(sql) == statements, "\n".join(sql)
    assert sum("SELECT 'g', g.name" in s for s in sql) == 1  # the roles, once
    assert not any("otp_totp_totpdevice" in s and "SELECT 'g'" not in s for s in sql)  # no separate device check


def test_a_submission_costs_nine_statements_and_mails_each_active_account_once(world):
    """Issue 20, part 2 (not yet its target of 8): the session's user, the role facts, the chosen
    project; then the request, its history row, its timeline step and the queued e-mails (whose
    addresses are selected inside their INSERT) between the transaction's two statements."""
    from notifications.models import OutboundEmail
    from projects.tests.factories import EnterpriseUserFactory
    from workorders.models import ServiceRequest

    EnterpriseUserFactory(enterprise=world.ent_a, email=world.user_a.email)  # the same address twice
    EnterpriseUserFactory(enterprise=world.ent_a, email="")  # no address
    EnterpriseUserFactory(enterprise=world.ent_a, email="gone@example.com", is_active=False)
    client = Client()
    client.force_login(world.user_a)
    client.get("/requests/new/")
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "道路未开通",
            "description": "天春路尚未开通，竣工验收无法进行。", "submission_token": "tok-" + "f" * 30}
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/requests/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert len(queries) == 9, "\n".join(q["sql"] for q in queries.captured_queries)
    number = ServiceRequest.objects.get(submission_token=data["submission_token"]).tracking_number
    sent_to = sorted(OutboundEmail.objects.filter(subject__contains=number).values_list("to", flat=True))
    assert sent_to == sorted({world.user_a.email, world.ent_a.contact_email})
