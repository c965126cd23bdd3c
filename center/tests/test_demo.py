import io

import pytest
from django.apps import apps
from django.core.management import call_command

from center.demo import DEMO_PASSWORD, USERS
from departments.models import Department
from projects.models import Enterprise
from projects.validators import validate_credit_code
from workdays.calendar import get_calendar, local_date
from workorders.models import Approval, Assignment, ModelCase, ServiceRequest
from workorders.services import sla_state_for

OUR_APPS = {"projects", "departments", "workorders", "center", "workdays", "auth"}


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in OUR_APPS
    }


@pytest.fixture
def demo_output():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo_output):
    first = row_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert row_counts() == first
    assert first["workorders.HistoricalAssignment"] > 0 and first["projects.Enterprise"] == 4


@pytest.mark.django_db
def test_the_command_prints_every_demo_login(demo_output):
    assert DEMO_PASSWORD in demo_output
    for username, *_ in USERS:
        assert f"\n{username} " in demo_output


@pytest.mark.django_db
def test_demo_logins_work(demo_output):
    """Each demo account signs in through the login form (the path django-axes guards)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    for username, *_ in USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/", username
        assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username=username).pk)


@pytest.mark.django_db
def test_every_department_of_the_seeds(demo_output):
    names = set(Department.objects.values_list("name_en", flat=True))
    for name in ["Transportation Commission", "Commission of Housing and Urban-Rural Development",
                 "Commission of Economy", "Investment Promotion Office", "Major Projects Office",
                 "Science and Technology Innovation Commission", "Construction Affairs Acceptance Center",
                 "Planning and Natural Resources Bureau", "Gaojing Town Government", "Shentong Metro Group"]:
        assert any(name in full for full in names), name
    assert Department.objects.filter(is_permanent_member=True).count() == 9
    assert Department.objects.get(short_code="ST").kind == Department.Kind.OUTSIDE


@pytest.mark.django_db
def test_credit_codes_are_valid(demo_output):
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)


@pytest.mark.django_db
def test_the_lets_case(demo_output):
    request = ServiceRequest.objects.get(tracking_number="BS2025010600001")
    assert request.status == ServiceRequest.Status.RESOLVED
    assert request.kind == ServiceRequest.Kind.EXTENSION
    assert set(request.work_order.assignments.values_list("department__short_code", flat=True)) == {"JT", "JW", "JJ", "TC"}
    assert request.work_order.lead_department.short_code == "JT"
    stamps = Approval.objects.filter(assignment__work_order=request.work_order)
    assert set(stamps.values_list("department__short_code", flat=True)) == {"JJ", "TC"}
    assert stamps.get(department__short_code="TC").commitments.count() == 1
    case = ModelCase.objects.get(work_order=request.work_order)
    assert set(case.tags.values_list("slug", flat=True)) >= {"unopened-road", "completion-inspection"}


@pytest.mark.django_db
def test_minhong_waits_for_triage(demo_output):
    request = ServiceRequest.objects.get(project__name="敏弘智慧方舟科技园")
    assert request.status == ServiceRequest.Status.SUBMITTED
    assert "天春路" in request.description


@pytest.mark.django_db
def test_gaojing_tiancheng_shows_each_sla_state(demo_output):
    calendar = get_calendar()
    today = local_date()
    assignments = {
        a.department.short_code: a
        for a in Assignment.objects.select_related("department").filter(work_order__request__project__name="高境天成商务办公项目")
    }
    assert assignments["JT"].work_order.needs_consultation
    assert assignments["JT"].sla_state == Assignment.SlaState.ESCALATED
    assert assignments["ZD"].sla_state == Assignment.SlaState.OVERDUE
    assert assignments["GH"].sla_state == Assignment.SlaState.DUE_SOON
    assert assignments["YS"].sla_state == Assignment.SlaState.ON_TRACK
    assert assignments["GJ"].sla_state == Assignment.SlaState.PAUSED
    for assignment in assignments.values():
        assert assignment.due_date == calendar.add_working_days(assignment.issued_on, 10)
        if assignment.status != Assignment.Status.PAUSED:
            assert assignment.sla_state == sla_state_for(assignment.due_date, today, calendar=calendar)
    assert "申通" in assignments["JT"].work_order.consultations.get().outside_parties


@pytest.mark.django_db
def test_every_demo_assignment_has_its_original_clock_and_acknowledgement_day(demo_output):
    """So that the figures are right on the demo: the history's extensions raise on time against
    the extended due dates only."""
    from django.db.models import Sum

    from center.models import DepartmentMonth

    assert not Assignment.objects.filter(original_due_date__isnull=True).exists()
    assert not Assignment.objects.filter(ack_due_on__isnull=True).exists()
    extended = Assignment.objects.filter(extension_working_days__gt=0)
    assert extended.exists() and all(a.due_date > a.original_due_date for a in extended)
    district = DepartmentMonth.objects.filter(department__isnull=True).aggregate(
        on_time=Sum("resolved_on_time"), extended=Sum("resolved_on_time_extended"), acknowledged=Sum("acknowledged"),
        granted=Sum("extensions_granted"), refused=Sum("reroutes_refused"), paused=Sum("third_party_pause_days"))
    assert district["extended"] > district["on_time"]
    assert district["acknowledged"] and district["granted"] and district["refused"] and district["paused"]
