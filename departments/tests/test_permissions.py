"""Who may change memberships (issue 17, finding 2): superusers any; a department's active head the
officers of their own department; center staff never, unless superusers. Services, the admin and
the members page all ask ``may_manage_memberships``; ``departments_managed_by`` agrees with it."""
import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import DomainError
from departments.models import Department, Officer
from departments.permissions import may_manage_memberships
from departments.selectors import departments_managed_by, heads_departments
from departments.services import add_membership, change_membership
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from projects.tests.factories import EnterpriseFactory, EnterpriseUserFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFICER, HEAD = Officer.Role.OFFICER, Officer.Role.HEAD


@pytest.fixture
def jt():
    department = DepartmentFactory(short_code="JT")
    head = HeadFactory(department=department)
    officer = OfficerFactory(department=department)
    return department, head, officer


def test_a_head_adds_and_changes_the_officers_of_their_department(jt):
    department, head, officer = jt
    actor = head.user
    assert may_manage_memberships(actor, department)
    assert may_manage_memberships(actor, department, role=OFFICER)
    assert may_manage_memberships(actor, membership=officer)
    added = add_membership(actor=actor, user=UserFactory(), department=department, display_name="新科员")
    assert added.role == OFFICER and added.history.get().history_user == actor
    changed = change_membership(actor=actor, membership=officer, display_name="改名", is_mobile_staff=True,
                                is_active=False)
    assert (changed.display_name, changed.is_mobile_staff, changed.is_active) == ("改名", True, False)
    assert changed.history.order_by("-history_id").first().history_user == actor
    # Unchanged role given back (as a full form would) is not a promotion.
    change_membership(actor=actor, membership=changed, role=OFFICER, is_active=True)


def test_a_head_appoints_no_head_and_changes_no_heads_membership(jt):
    department, head, officer = jt
    actor = head.user
    other_head = HeadFactory(department=department)
    assert not may_manage_memberships(actor, department, role=HEAD)
    assert not may_manage_memberships(actor, membership=other_head)
    assert not may_manage_memberships(actor, membership=head)  # their own
    assert not may_manage_memberships(actor, department, role=HEAD, membership=officer)
    with pytest.raises(DomainError) as refused:
        add_membership(actor=actor, user=UserFactory(), department=department, display_name="x", role=HEAD)
    assert refused.value.code == "forbidden"
    for membership, change in [(officer, {"role": HEAD}), (other_head, {"is_active": False}),
                               (other_head, {"role": OFFICER}), (head, {"display_name": "自己"}),
                               (head, {"is_active": False})]:
        before = Officer.objects.filter(pk=membership.pk).values().get()
        with pytest.raises(DomainError):
            change_membership(actor=actor, membership=membership, **change)
        assert Officer.objects.filter(pk=membership.pk).values().get() == before
    assert not Officer.objects.filter(department=department, role=HEAD).exclude(pk__in=[head.pk, other_head.pk]).exists()


def test_a_head_touches_no_other_department(jt):
    department, head, _officer = jt
    other = DepartmentFactory(short_code="JW")
    foreign = OfficerFactory(department=other)
    assert not may_manage_memberships(head.user, other)
    assert not may_manage_memberships(head.user, membership=foreign)
    # A membership of another department asked about under the head's own department is refused too.
    assert not may_manage_memberships(head.user, department, membership=foreign)
    with pytest.raises(DomainError):
        add_membership(actor=head.user, user=UserFactory(), department=other, display_name="x")
    with pytest.raises(DomainError):
        change_membership(actor=head.user, membership=foreign, is_active=False)
    assert Officer.objects.get(pk=foreign.pk).is_active


def test_a_head_of_an_inactive_department_or_an_inactive_head_manages_nothing(jt):
    department, head, officer = jt
    Department.objects.filter(pk=department.pk).update(is_active=False)
    assert not may_manage_memberships(head.user, membership=officer)
    Department.objects.filter(pk=department.pk).update(is_active=True)
    Officer.objects.filter(pk=head.pk).update(is_active=False)
    assert not may_manage_memberships(head.user, membership=officer)


@pytest.mark.parametrize("how", ["is_staff", "group"])
def test_center_staff_never_manage_memberships_even_as_a_head(jt, how):
    department, _head, officer = jt
    staff = UserFactory(is_staff=True) if how == "is_staff" else StaffFactory()
    HeadFactory(department=department, user=staff)  # a head's membership made before this rule
    assert not may_manage_memberships(staff, department)
    assert not may_manage_memberships(staff, membership=officer)
    with pytest.raises(DomainError):
        add_membership(actor=staff, user=UserFactory(), department=department, display_name="x")
    with pytest.raises(DomainError):
        change_membership(actor=staff, membership=officer, is_active=False)
    assert list(departments_managed_by(staff)) == [] and list(heads_departments(staff)) == []


def test_superusers_manage_every_membership_and_role(jt):
    department, head, officer = jt
    root = UserFactory(is_superuser=True, is_staff=True)
    assert may_manage_memberships(root)  # any department (the admin's add page)
    assert may_manage_memberships(root, department, role=HEAD)
    assert may_manage_memberships(root, membership=head)
    change_membership(actor=root, membership=officer, role=HEAD)
    assert Officer.objects.get(pk=officer.pk).role == HEAD


@pytest.mark.parametrize("who", ["anonymous", "inactive_superuser", "enterprise", "officer"])
def test_everyone_else_manages_nothing(jt, who):
    department, _head, officer = jt
    actor = {"anonymous": AnonymousUser, "inactive_superuser": lambda: UserFactory(is_superuser=True, is_active=False),
             "enterprise": lambda: EnterpriseUserFactory(enterprise=EnterpriseFactory()),
             "officer": lambda: officer.user}[who]()
    assert not may_manage_memberships(actor)
    assert not may_manage_memberships(actor, department)
    assert not may_manage_memberships(actor, membership=officer)
    assert list(departments_managed_by(actor)) == []


def test_the_selector_agrees_with_the_rule(jt):
    department, head, officer = jt
    other = DepartmentFactory()
    HeadFactory(department=other, user=head.user, is_active=False)
    people = [head.user, officer.user, StaffFactory(), UserFactory(is_superuser=True, is_staff=True), UserFactory()]
    for user in people:
        managed = set(departments_managed_by(user).values_list("pk", flat=True))
        for each in Department.objects.all():
            assert (each.pk in managed) == may_manage_memberships(user, each), (user, each)
            for membership in each.officers.all():
                assert may_manage_memberships(user, membership=membership) == may_manage_memberships(
                    user, each, membership=membership, managed=managed), (user, membership)


@pytest.mark.parametrize("who", ["staff_flag", "staff_group", "superuser", "enterprise_account", "enterprise_role",
                                 "inactive"])
def test_some_accounts_cannot_be_members(jt, who):
    """The center's staff may not sign for a department, nor an enterprise's account see its work:
    refused for superusers too, and for a membership made active again."""
    department, _head, officer = jt
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    user = {"staff_flag": lambda: UserFactory(is_staff=True), "staff_group": StaffFactory,
            "superuser": lambda: UserFactory(is_superuser=True),
            "enterprise_account": lambda: EnterpriseUserFactory(enterprise=EnterpriseFactory()),
            "enterprise_role": EnterpriseUserFactory, "inactive": lambda: UserFactory(is_active=False)}[who]()
    with pytest.raises(DomainError) as refused:
        add_membership(actor=root, user=user, department=department, display_name="x", role=HEAD)
    assert refused.value.field == "user"
    assert not Officer.objects.filter(user=user).exists()
    # A membership made before the rule can be deactivated, not made active again.
    kept = OfficerFactory(department=DepartmentFactory(), user=user, is_active=True)
    change_membership(actor=root, membership=kept, is_active=False)
    with pytest.raises(DomainError):
        change_membership(actor=root, membership=kept, is_active=True)
    assert not Officer.objects.get(pk=kept.pk).is_active
