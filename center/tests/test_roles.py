import pytest
from django.contrib.auth.models import Group, Permission

from core import roles


@pytest.mark.django_db
def test_every_role_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.django_db
def test_sync_is_idempotent():
    first = roles.sync_roles()
    before = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    second = roles.sync_roles()
    after = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert first == second
    assert before == after
    assert Group.objects.filter(name__in=roles.ALL_ROLES).count() == len(roles.ALL_ROLES)


@pytest.mark.django_db
def test_leader_may_only_view():
    codenames = set(Group.objects.get(name=roles.LEADER).permissions.values_list("codename", flat=True))
    assert "view_assignment" in codenames and "view_investmentproject" in codenames
    assert all(codename.startswith("view_") for codename in codenames)


@pytest.mark.django_db
def test_center_staff_cannot_change_or_delete_stamps():
    codenames = set(Group.objects.get(name=roles.CENTER_STAFF).permissions.values_list("codename", flat=True))
    assert {"view_approval", "change_workorder", "add_workorder", "change_assignment"} <= codenames
    assert not {"change_approval", "delete_approval", "add_approval"} & codenames
    assert "delete_servicerequest" not in codenames  # requests are kept for the record


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.ENTERPRISE, roles.OFFICER, roles.HEAD])
def test_portal_and_desk_roles_get_no_admin_permissions(role):
    # Enterprises and departments work on their own pages, where object rules decide.
    assert Group.objects.get(name=role).permissions.count() == 0


@pytest.mark.django_db
def test_a_permission_added_by_hand_is_removed_by_the_next_sync():
    leader = Group.objects.get(name=roles.LEADER)
    leader.permissions.add(Permission.objects.get(codename="change_assignment"))
    roles.sync_roles()
    assert not leader.permissions.filter(codename="change_assignment").exists()


@pytest.mark.django_db
def test_center_staff_only_view_memberships():
    """Issue 17, finding 2: center staff made themselves a department's head in the admin."""
    staff = Group.objects.get(name=roles.CENTER_STAFF)
    staff.permissions.add(*Permission.objects.filter(content_type__app_label="departments",
                                                     codename__in=["add_officer", "change_officer"]))
    roles.sync_roles()  # as after the next migrate of an existing installation
    codenames = set(staff.permissions.values_list("codename", flat=True))
    assert "view_officer" in codenames and "change_department" in codenames
    assert not {"add_officer", "change_officer", "delete_officer"} & codenames
