"""Tasks act as the system account (core.system): history always names someone, and nobody can sign
in as it."""
import datetime

import pytest
from django.test import Client

from center.models import OfficeHoursSession
from center.office_hours.services import build_agenda, ensure_sessions
from core.system import SYSTEM_USERNAME, is_system_user, system_user
from workorders.exceptions import WorkOrderError


@pytest.mark.django_db
def test_the_migration_made_the_system_account_inactive_and_without_a_password():
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.get(username=SYSTEM_USERNAME)
    assert account == system_user()
    assert not account.is_active and not account.has_usable_password()
    assert is_system_user(account)
    page = Client().post("/accounts/login/", {"username": SYSTEM_USERNAME, "password": ""})
    assert page.status_code == 200 and "_auth_user_id" not in Client().session


@pytest.mark.django_db
def test_the_sessions_beat_makes_are_in_history_by_the_system():
    created = ensure_sessions(today=datetime.date(2026, 11, 25), weeks=1)
    assert created
    for session in created:
        assert session.history.get().history_user == system_user()


@pytest.mark.django_db
def test_only_staff_and_the_system_change_the_office_hours(world):
    session = OfficeHoursSession.objects.create(date=datetime.date(2026, 12, 7), venue="x")
    build_agenda(actor=system_user(), session=session, today=datetime.date(2026, 12, 1))
    for stranger in (None, world.officer_a, world.leader, world.user_a):
        with pytest.raises(WorkOrderError):
            build_agenda(actor=stranger, session=session, today=datetime.date(2026, 12, 1))
