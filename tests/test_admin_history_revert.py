"""The history's revert page saves nothing (found beside issue 17, finding 2).

simple_history's page for a past version saves that version's every field on POST, past the
services and the change form's read-only fields, for anyone who may view the history: center staff
put a finished assignment back to issued. Every admin with history is a ``core.admin_mixins.HistoryAdmin``,
whose past versions are shown and never saved, for staff and superusers alike.
"""
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

from core import roles
from core.admin_mixins import HistoryAdmin
from projects.tests.factories import UserFactory
from tests.test_admin import MAKERS, REGISTERED, _model
from workorders.services import complete_assignment

pytestmark = pytest.mark.django_db

WITH_HISTORY = [label for label in REGISTERED if isinstance(admin.site._registry[_model(label)], SimpleHistoryAdmin)]


def _staff() -> Client:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    client = Client()
    client.force_login(user)
    return client


def test_every_admin_with_history_refuses_the_revert():
    assert WITH_HISTORY
    assert [label for label in WITH_HISTORY if not isinstance(admin.site._registry[_model(label)], HistoryAdmin)] == []


def test_center_staff_cannot_put_a_finished_assignment_back_through_its_history(world):
    assignment = world.assignment_a
    first = assignment.history.order_by("history_id").first()
    complete_assignment(actor=world.officer_a, assignment=assignment, text="done")
    assignment.refresh_from_db()
    done, records = assignment.status, assignment.history.count()
    staff = Client()
    world.staff.is_staff = True
    world.staff.save(update_fields=["is_staff"])
    staff.force_login(world.staff)
    url = f"/admin/workorders/assignment/{assignment.pk}/history/{first.history_id}/"
    assert staff.get(url).status_code == 200  # a past version is still shown
    assert staff.post(url, {}).status_code == 403
    assignment.refresh_from_db()
    assert (assignment.status, assignment.history.count()) == (done, records)


@pytest.mark.parametrize("who", ["staff", "superuser"])
@pytest.mark.parametrize("label", WITH_HISTORY)
def test_no_past_version_is_saved(admin_client, who, label):
    model = _model(label)
    obj = MAKERS[label](0)
    record = obj.history.order_by("history_id").first()
    client = admin_client if who == "superuser" else _staff()
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/history/{record.history_id}/"
    before = list(model.objects.filter(pk=obj.pk).values())
    records = obj.history.count()
    assert client.post(url, {}).status_code == 403
    assert list(model.objects.filter(pk=obj.pk).values()) == before
    assert obj.history.count() == records
