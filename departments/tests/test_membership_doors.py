"""Issue 17, finding 2: center staff made themselves head of a department and signed its stamps.

The assessment's steps, as center staff, through every door that writes a membership: the admin's
add page, its change page, the department page's inline, the history's revert page. Each is
refused and leaves no membership; the desk and its stamp stay closed. A real head of the same
department stamps the same assignment (the attack's target is live).
"""
import pytest
from django.test import Client

from departments.models import Officer
from workorders.models import Approval

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staff_in_the_admin(world):
    """The center's staff sign in to the admin, as the demo's ``staff`` does."""
    world.staff.is_staff = True
    world.staff.save(update_fields=["is_staff"])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff_memberships(world):
    return Officer.objects.filter(user=world.staff).count()


def test_center_staff_cannot_make_themselves_head_and_stamp(world):
    staff = _client(world.staff)
    response = staff.post("/admin/departments/officer/add/", {
        "user": world.staff.pk, "department": world.dept_a.pk, "display_name": "staff-as-head", "role": "head",
        "is_active": "on"})
    assert response.status_code == 403
    assert _staff_memberships(world) == 0
    assert staff.get("/desk/").status_code == 403
    stamp = staff.post(f"/desk/assignments/{world.assignment_a.pk}/stamp/", {"stamp-decision": "approved"})
    assert stamp.status_code == 403
    assert not Approval.objects.exists()
    # The same stamp by the department's real head is given: the target was live.
    head = _client(world.head_a)
    assert head.post(f"/desk/assignments/{world.assignment_a.pk}/stamp/", {"stamp-decision": "approved"}).status_code == 302
    assert Approval.objects.get().serial.startswith("JT-")


def test_center_staff_cannot_promote_a_membership_on_its_change_page(world):
    membership = Officer.objects.get(user=world.officer_a)
    name = membership.display_name
    response = _client(world.staff).post(f"/admin/departments/officer/{membership.pk}/change/", {
        "display_name": "staff-made-head", "role": "head", "is_active": "on", "is_mobile_staff": "on"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.display_name, membership.is_mobile_staff) == (Officer.Role.OFFICER, name, False)
    assert membership.history.count() == 1


def test_center_staff_cannot_add_or_promote_through_the_department_page(world):
    """The department's page (which staff may change) shows its memberships inline, read-only."""
    department = world.dept_a
    memberships = list(Officer.objects.filter(department=department).order_by("pk"))
    data = {
        "name_zh": department.name_zh, "name_en": department.name_en, "short_code": department.short_code,
        "kind": department.kind, "seal_text": department.seal_text, "is_active": "on",
        "officers-TOTAL_FORMS": str(len(memberships) + 1), "officers-INITIAL_FORMS": str(len(memberships)),
        "officers-MIN_NUM_FORMS": "0", "officers-MAX_NUM_FORMS": "1000",
    }
    for index, membership in enumerate(memberships):
        data.update({f"officers-{index}-id": membership.pk, f"officers-{index}-department": department.pk,
                     f"officers-{index}-user": membership.user_id, f"officers-{index}-display_name": "forged",
                     f"officers-{index}-role": "head", f"officers-{index}-is_active": "on"})
    new = len(memberships)
    data.update({f"officers-{new}-department": department.pk, f"officers-{new}-user": world.staff.pk,
                 f"officers-{new}-display_name": "staff-as-head", f"officers-{new}-role": "head",
                 f"officers-{new}-is_active": "on"})
    before = list(Officer.objects.order_by("pk").values())
    response = _client(world.staff).post(f"/admin/departments/department/{department.pk}/change/", data)
    assert response.status_code == 302 and response.url == "/admin/departments/department/"  # the department saved
    assert list(Officer.objects.order_by("pk").values()) == before
    assert _staff_memberships(world) == 0


def test_center_staff_cannot_revert_a_membership_through_its_history(world, django_user_model):
    """simple_history's revert page saves a form on POST for anyone who may *view* the history."""
    from departments.services import change_membership

    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    membership = Officer.objects.get(user=world.officer_a)
    change_membership(actor=root, membership=membership, role=Officer.Role.HEAD)
    change_membership(actor=root, membership=membership, role=Officer.Role.OFFICER, is_active=False)
    as_head = membership.history.filter(role=Officer.Role.HEAD).get()
    url = f"/admin/departments/officer/{membership.pk}/history/{as_head.history_id}/"
    response = _client(world.staff).post(url, {
        "display_name": membership.display_name, "role": "head", "is_active": "on"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Officer.Role.OFFICER, False)
