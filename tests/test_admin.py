"""The admin for center staff: every model of our apps is registered and its pages render."""
import datetime
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from center.office_hours.services import edit_item
from core import roles
from center.tests.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    MechanismFactory,
    OfficeHoursSessionFactory,
    WorkerHeartbeatFactory,
)
from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    InvestmentProjectFactory,
    TownFactory,
    UserFactory,
)
from workdays.models import CalendarOverride
from notifications.models import Preference
from workorders.models import AcknowledgementReminder, Approval, Assignment, SlaTransition, StampCounter
from workorders.sla import SLA_COLOURS, sla_badge
from workorders.tests.factories import (
    ApprovalFactory,
    AssignmentFactory,
    AttachmentFactory,
    ClockPauseFactory,
    CommitmentFactory,
    DepartmentAskFactory,
    ModelCaseFactory,
    ProblemTagFactory,
    ServiceRequestFactory,
    WorkOrderFactory,
    RequestEventFactory,
)
from notifications.tests.factories import NotificationFactory, OutboundEmailFactory

from center.models import DepartmentMonth, PeriodicRun  # noqa: E402

OUR_APPS = ("projects", "departments", "workorders", "center", "workdays", "notifications")

def _with_m2m(obj, **related):
    for name, values in related.items():
        getattr(obj, name).set(values)
    return obj


# One maker per model: makes the i-th row (distinct where a field is unique), with rows in the
# inlines of its change form.
MAKERS = {
    "projects.town": lambda i: TownFactory(),
    "projects.enterprise": lambda i: EnterpriseFactory(),
    "projects.investmentproject": lambda i: ServiceRequestFactory(
        project=InvestmentProjectFactory(is_key_project=i % 2 == 0)
    ).project,
    "departments.department": lambda i: OfficerFactory().department,
    "departments.officer": lambda i: OfficerFactory(),
    "workorders.servicerequest": lambda i: AttachmentFactory().request,
    "workorders.attachment": lambda i: AttachmentFactory(),
    "workorders.problemtag": lambda i: ProblemTagFactory(),
    "workorders.workorder": lambda i: AssignmentFactory().work_order,
    "workorders.assignment": lambda i: ClockPauseFactory().assignment,
    "workorders.clockpause": lambda i: ClockPauseFactory(),
    "workorders.approval": lambda i: ApprovalFactory(),
    "workorders.requestevent": lambda i: RequestEventFactory(),
    "workorders.departmentask": lambda i: DepartmentAskFactory(),
    "notifications.notification": lambda i: NotificationFactory(),
    "notifications.outboundemail": lambda i: OutboundEmailFactory(),
    "notifications.preference": lambda i: Preference.objects.create(user=UserFactory(), language="en"),
    "workorders.stampcounter": lambda i: StampCounter.objects.create(department=DepartmentFactory(), year=2026, last=i),
    "workorders.slatransition": lambda i: SlaTransition.objects.create(
        sweep=uuid.uuid4(), assignment=AssignmentFactory(), from_state="on_track", to_state="due_soon", at=timezone.now()
    ),
    "workorders.acknowledgementreminder": lambda i: AcknowledgementReminder.objects.create(
        assignment=AssignmentFactory(), sweep=uuid.uuid4(), sent_at=timezone.now()),
    "workorders.commitment": lambda i: CommitmentFactory(approval=ApprovalFactory()),
    "workorders.modelcase": lambda i: _with_m2m(ModelCaseFactory(), tags=[ProblemTagFactory()]),
    "center.officehourssession": lambda i: AgendaItemFactory().session,
    "center.agendaitem": lambda i: AgendaItemFactory(assignment=AssignmentFactory(), project=InvestmentProjectFactory()),
    "center.consultation": lambda i: _with_m2m(ConsultationFactory(), departments=[DepartmentFactory()]),
    "center.mechanism": lambda i: MechanismFactory(),
    "center.workerheartbeat": lambda i: WorkerHeartbeatFactory(name=f"worker-{i}"),
    "center.periodicrun": lambda i: PeriodicRun.objects.create(name=f"task-{i}", last_run_at=timezone.now()),
    "center.departmentmonth": lambda i: DepartmentMonth.objects.create(
        department=DepartmentFactory(), month=datetime.date(2026, 1 + i, 1), issued=3, refreshed_at=timezone.now()),
    "workdays.calendaroverride": lambda i: CalendarOverride.objects.create(
        date=datetime.date(2031, 1, 1) + datetime.timedelta(days=i), is_working_day=False, note="override"
    ),
}
# Rows that services create (or nobody edits): the admin has no add form for them (T18,
# tests/test_admin_service_fields.py).
NO_ADD_FORM = {
    "workorders.servicerequest",
    "workorders.workorder",
    "workorders.assignment",
    "workorders.clockpause",
    "workorders.attachment",
    "workorders.approval",
    "workorders.requestevent",
    "workorders.departmentask",
    "workorders.slatransition",
    "workorders.acknowledgementreminder",
    "workorders.stampcounter",
    "center.workerheartbeat",
    "center.periodicrun",
    "center.departmentmonth",
    "workorders.commitment",
    "workorders.modelcase",
    "center.agendaitem",
    "center.consultation",
    "notifications.notification",
    "notifications.outboundemail",
}


def _our_registered_models():
    return {model: model_admin for model, model_admin in admin.site._registry.items() if model._meta.app_label in OUR_APPS}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


REGISTERED = sorted(model._meta.label_lower for model in _our_registered_models())


def _model(label):
    return apps.get_model(label)


def test_registry_covers_every_model_of_our_apps():
    expected = {
        model._meta.label_lower
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical") and not model._meta.auto_created
    }
    assert set(REGISTERED) == expected
    assert set(MAKERS) == expected


@pytest.mark.parametrize("label", REGISTERED)
def test_models_with_history_have_history_pages(label):
    model = _model(label)
    has_history = hasattr(model._meta, "simple_history_manager_attribute")
    assert isinstance(admin.site._registry[model], SimpleHistoryAdmin) == has_history


@pytest.mark.django_db
@pytest.mark.parametrize("label", REGISTERED)
def test_admin_pages_render(admin_client, label):
    model = _model(label)
    changelist = _url(model, "changelist")

    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0

    rows = [MAKERS[label](i) for i in range(2)]
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count() >= 2

    obj = rows[0]
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "add")).status_code == (403 if label in NO_ADD_FORM else 200)
    if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("label", REGISTERED)
def test_autocomplete_targets_answer(admin_client, label):
    """Each autocomplete field's search works (the admin checks only that search_fields exist)."""
    model = _model(label)
    model_admin = admin.site._registry[model]
    for field_name in model_admin.autocomplete_fields:
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"term": "x", "app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name},
        )
        assert response.status_code == 200, field_name


@pytest.mark.django_db
def test_request_search_by_tracking_number_and_credit_code(admin_client):
    wanted = ServiceRequestFactory(tracking_number="BS2026000123")
    ServiceRequestFactory.create_batch(2)
    url = reverse("admin:workorders_servicerequest_changelist")

    response = admin_client.get(url, {"q": "BS2026000123"})
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [wanted]

    response = admin_client.get(url, {"q": wanted.enterprise.credit_code})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_assignment_search_by_department_short_code(admin_client):
    # Z and V never occur in a credit code, so the other rows cannot match by their enterprise's code.
    department = DepartmentFactory(short_code="ZV")
    wanted = AssignmentFactory(department=department)
    AssignmentFactory.create_batch(2)

    response = admin_client.get(reverse("admin:workorders_assignment_changelist"), {"q": "ZV"})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_filters_return_the_matching_rows(admin_client):
    AssignmentFactory.create_batch(2, sla_state=Assignment.SlaState.OVERDUE)
    AssignmentFactory.create_batch(3)
    response = admin_client.get(reverse("admin:workorders_assignment_changelist"), {"sla_state__exact": "overdue"})
    assert response.context["cl"].result_count == 2

    InvestmentProjectFactory.create_batch(2, is_key_project=True)
    InvestmentProjectFactory(is_key_project=False)
    response = admin_client.get(reverse("admin:projects_investmentproject_changelist"), {"is_key_project__exact": "1"})
    assert response.context["cl"].result_count == 2


def _make_assignments(n):
    for _ in range(n):
        AssignmentFactory(assigned_officer=OfficerFactory(), sla_state=Assignment.SlaState.DUE_SOON)


@pytest.mark.django_db
def test_assignment_changelist_query_count_does_not_grow_with_rows(admin_client):
    url = reverse("admin:workorders_assignment_changelist")
    _make_assignments(3)
    admin_client.get(url)  # warm caches (content types, session) outside the measurement
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    _make_assignments(27)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


@pytest.mark.django_db
def test_sla_badge_is_red_for_an_overdue_assignment(admin_client):
    assignment = AssignmentFactory(sla_state=Assignment.SlaState.OVERDUE)
    red = SLA_COLOURS[Assignment.SlaState.OVERDUE]

    changelist = admin_client.get(reverse("admin:workorders_assignment_changelist")).content.decode()
    change = admin_client.get(reverse("admin:workorders_assignment_change", args=[assignment.pk])).content.decode()
    assert f"background:{red}" in changelist
    assert f"background:{red}" in change
    assert "sla-overdue" in change


@pytest.mark.django_db
def test_commitment_shows_the_same_badge(admin_client):
    commitment = CommitmentFactory(sla_state=Assignment.SlaState.ESCALATED)
    colour = SLA_COLOURS[Assignment.SlaState.ESCALATED]
    changelist = admin_client.get(reverse("admin:workorders_commitment_changelist")).content.decode()
    change = admin_client.get(reverse("admin:workorders_commitment_change", args=[commitment.pk])).content.decode()
    assert f"background:{colour}" in changelist and f"background:{colour}" in change


def test_sla_badge_has_a_colour_per_state_and_escapes_the_label():
    assert set(SLA_COLOURS) == set(Assignment.SlaState)
    html = sla_badge(Assignment.SlaState.PAUSED, "<b>x</b>")
    assert SLA_COLOURS[Assignment.SlaState.PAUSED] in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.django_db
def test_approval_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    approval = ApprovalFactory()
    url = reverse("admin:workorders_approval_change", args=[approval.pk])

    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()

    response = admin_client.post(
        url, {"decision": Approval.Decision.DECLINED, "serial": "FORGED-1", "officer_display_name": "x"}
    )
    assert response.status_code == 403
    approval.refresh_from_db()
    assert approval.decision == Approval.Decision.APPROVED
    assert approval.serial != "FORGED-1"

    delete_url = reverse("admin:workorders_approval_delete", args=[approval.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Approval.objects.filter(pk=approval.pk).exists()


@pytest.mark.django_db
def test_center_staff_may_view_stamps_but_not_change_them(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    client.force_login(user)
    approval = ApprovalFactory()
    url = reverse("admin:workorders_approval_change", args=[approval.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": Approval.Decision.DECLINED}).status_code == 403
    assert client.get(reverse("admin:workorders_workorder_change", args=[WorkOrderFactory().pk])).status_code == 200


@pytest.mark.django_db
def test_office_hours_session_saves_with_its_agenda_inline(admin_client, admin_user):
    """The session saves with its agenda shown inline; the items are the agenda services' (the agenda
    page calls ``edit_item``), so the inline's posted values change nothing."""
    session = OfficeHoursSessionFactory()
    item = AgendaItemFactory(session=session, title="旧议题")
    url = reverse("admin:center_officehourssession_change", args=[session.pk])
    prefix = "items"
    data = {
        "date": session.date.isoformat(),
        "starts_at": "09:00",
        "venue": session.venue,
        "status": "planned",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": str(item.pk),
        f"{prefix}-0-session": str(session.pk),
        f"{prefix}-0-position": "1",
        f"{prefix}-0-slot_minutes": "20",
        f"{prefix}-0-kind": item.kind,
        f"{prefix}-0-title": "新议题",
        f"{prefix}-0-work_order": str(item.work_order_id),
    }
    response = admin_client.post(url, {**data, "venue": "区行政服务中心二楼"})
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    session.refresh_from_db()
    item.refresh_from_db()
    assert session.venue == "区行政服务中心二楼"
    assert item.title == "旧议题" and item.slot_minutes != 20 and not item.edited_by_staff

    edit_item(actor=admin_user, item=item, title="新议题", slot_minutes=20)
    item.refresh_from_db()
    assert item.title == "新议题" and item.slot_minutes == 20 and item.edited_by_staff


@pytest.mark.django_db
@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, label):
    model = _model(label)
    url = _url(model, "changelist")
    for i in range(2):
        MAKERS[label](i)
    admin_client.get(url)  # warm caches (content types, session) outside the measurement
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for i in range(2, 6):
        MAKERS[label](i)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


@pytest.mark.django_db
def test_project_page_lists_its_requests_read_only(admin_client):
    request = ServiceRequestFactory(tracking_number="BS2026000777")
    response = admin_client.get(reverse("admin:projects_investmentproject_change", args=[request.project.pk]))
    content = response.content.decode()
    assert "BS2026000777" in content
    assert 'name="requests-0-tracking_number"' not in content  # shown, not editable
    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is type(request))
    assert not formset.has_add_permission and not formset.has_change_permission
