"""The one permission module: "acts for this enterprise", "is an officer / the head of this
department", and the selectors of the center's own pages, which give nothing to anyone else."""
import pytest
from django.contrib.auth.models import AnonymousUser

from departments.models import Officer
from workdays.calendar import local_date
from workorders import permissions, selectors
from workorders.models import ServiceRequest

pytestmark = pytest.mark.django_db

OTHERS = ["enterprise_a", "enterprise_b", "officer_a", "officer_b", "head_a", "leader"]


def test_acts_for_enterprise_takes_the_enterprise_or_a_row_of_it(world):
    for row in (world.ent_a, world.project_a, world.request_a):
        assert permissions.acts_for_enterprise(world.user_a, row)
        assert not permissions.acts_for_enterprise(world.user_b, row)
        for key in ("officer_a", "head_a", "staff", "leader"):
            assert not permissions.acts_for_enterprise(world.users[key], row), key


def test_acts_for_enterprise_denies_by_default(world):
    assert not permissions.acts_for_enterprise(None, world.ent_a)
    assert not permissions.acts_for_enterprise(AnonymousUser(), world.request_a)
    assert not permissions.acts_for_enterprise(world.user_a, object())  # a row of no enterprise
    world.user_a.is_active = False
    assert not permissions.acts_for_enterprise(world.user_a, world.request_a)


def test_is_officer_of_and_is_head_of_answer_for_one_department(world):
    a, b = world.dept_a.pk, world.dept_b.pk
    assert permissions.is_officer_of(world.officer_a, a) and not permissions.is_head_of(world.officer_a, a)
    assert permissions.is_officer_of(world.head_a, a) and permissions.is_head_of(world.head_a, a)
    assert not permissions.is_officer_of(world.officer_a, b) and not permissions.is_head_of(world.head_a, b)
    for key in ("enterprise_a", "staff", "leader"):
        assert not permissions.is_officer_of(world.users[key], a) and not permissions.is_head_of(world.users[key], a)
    assert not permissions.is_officer_of(world.officer_a, None) and not permissions.is_head_of(world.head_a, None)
    assert not permissions.is_officer_of(AnonymousUser(), a)
    assert permissions.heads_a_department(world.head_a) and not permissions.heads_a_department(world.officer_a)


def test_a_left_membership_or_a_closed_department_gives_nothing(world):
    Officer.objects.filter(user=world.head_a).update(is_active=False)
    assert not permissions.is_officer_of(world.head_a, world.dept_a.pk)
    assert not permissions.is_head_of(world.head_a, world.dept_a.pk)
    world.dept_a.is_active = False
    world.dept_a.save()
    assert not permissions.is_officer_of(world.officer_a, world.dept_a.pk)


@pytest.mark.parametrize("key", OTHERS)
def test_the_center_selectors_give_nothing_to_anyone_but_center_staff(world, key):
    user = world.users[key]
    assert not selectors.triage_queue(user).exists()
    assert not selectors.recent_requests(user).exists()
    assert selectors.department_workload(user, local_date()) == []
    with pytest.raises(ServiceRequest.DoesNotExist):
        selectors.request_for_staff(user, world.request_a.tracking_number)


def test_the_center_selectors_serve_center_staff(world):
    assert list(selectors.triage_queue(world.staff)) == [world.waiting_a]
    assert set(selectors.recent_requests(world.staff)) == {world.request_a, world.request_b}
    assert {d.pk for d in selectors.department_workload(world.staff, local_date())} == {world.dept_a.pk,
                                                                                      world.dept_b.pk}
    assert selectors.request_for_staff(world.staff, world.request_a.tracking_number) == world.request_a
