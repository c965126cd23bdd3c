"""Officer memberships change only through departments.services: superusers any, a department's head
its own officers (departments/tests/test_permissions.py), center staff never."""
import pytest
from django.contrib.auth.models import Group

from core import roles
from core.errors import DomainError
from departments import services
from departments.models import Officer
from departments.permissions import may_manage_memberships
from departments.services import add_membership, change_membership
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_a_superuser_adds_a_membership_with_history(root):
    department, user = DepartmentFactory(), UserFactory()
    membership = add_membership(actor=root, user=user, department=department, display_name=" 王科员 ",
                                role=Officer.Role.HEAD, is_mobile_staff=True)
    assert (membership.role, membership.is_mobile_staff, membership.is_active, membership.display_name) == (
        Officer.Role.HEAD, True, True, "王科员")
    assert membership.history.get().history_user == root
    with pytest.raises(DomainError):
        add_membership(actor=root, user=user, department=department, display_name="again")
    assert Officer.objects.filter(user=user).count() == 1


def test_a_superuser_changes_only_what_was_given_and_history_names_them(root):
    membership = OfficerFactory()
    changed = change_membership(actor=root, membership=membership, role=Officer.Role.HEAD, is_active=False)
    assert (changed.role, changed.is_active, changed.is_mobile_staff) == (Officer.Role.HEAD, False, False)
    assert changed.history.order_by("-history_id").first().history_user == root
    records = membership.history.count()
    change_membership(actor=root, membership=membership, role=Officer.Role.HEAD)  # nothing to change
    assert membership.history.count() == records
    with pytest.raises(DomainError):
        change_membership(actor=root, membership=membership, role="mayor")


@pytest.mark.parametrize("who", ["staff", "other_head", "officer", "inactive_head"])
def test_nobody_else_manages_memberships(who):
    department = DepartmentFactory()
    membership = OfficerFactory(department=department)
    actor = {"officer": lambda: membership.user, "other_head": lambda: HeadFactory().user,
             "inactive_head": lambda: HeadFactory(department=department, is_active=False).user,
             "staff": lambda: UserFactory(is_staff=True)}[who]()
    if who == "staff":
        actor.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    assert not may_manage_memberships(actor, department)
    with pytest.raises(DomainError):
        add_membership(actor=actor, user=UserFactory(), department=department, display_name="x")
    with pytest.raises(DomainError):
        change_membership(actor=actor, membership=membership, role=Officer.Role.HEAD)
    with pytest.raises(DomainError):
        change_membership(actor=actor, membership=membership, display_name="renamed")
    membership.refresh_from_db()
    assert membership.role == Officer.Role.OFFICER


def test_the_admin_adds_and_changes_memberships_through_the_services(root, client, monkeypatch):
    calls = []
    for name in ("add_membership", "change_membership"):
        real = getattr(services, name)
        monkeypatch.setattr(services, name, lambda _real=real, _name=name, **kw: (calls.append(_name), _real(**kw))[1])
    department, user = DepartmentFactory(), UserFactory()
    client.force_login(root)
    response = client.post("/admin/departments/officer/add/", {
        "user": user.pk, "department": department.pk, "display_name": "李科员", "role": "officer", "is_active": "on"})
    assert response.status_code == 302
    membership = Officer.objects.get(user=user, department=department)
    response = client.post(f"/admin/departments/officer/{membership.pk}/change/", {
        "display_name": "李科长", "role": "head", "is_active": "on", "is_mobile_staff": "on"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.display_name, membership.is_mobile_staff) == (Officer.Role.HEAD, "李科长", True)
    assert calls == ["add_membership", "change_membership"]
    assert {record.history_user for record in membership.history.all()} == {root}


def test_center_staff_see_memberships_read_only_in_the_admin(client):
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    membership = OfficerFactory()
    client.force_login(staff)
    url = f"/admin/departments/officer/{membership.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/departments/officer/add/").status_code == 403
    client.post(url, {"display_name": "x", "role": "head", "is_active": ""})
    membership.refresh_from_db()
    assert membership.role == Officer.Role.OFFICER and membership.is_active


def test_the_admin_answers_a_member_of_staff_at_the_user_field(root, client):
    """A superuser cannot make a member of the center's staff a department's head either: the form
    says why, beside the user, and nothing is saved."""
    department = DepartmentFactory()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    client.force_login(root)
    response = client.post("/admin/departments/officer/add/", {
        "user": staff.pk, "department": department.pk, "display_name": "staff-as-head", "role": "head",
        "is_active": "on"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Officer.objects.filter(user=staff).exists()
