"""The bulk actions of the service-request admin: thin, every row through the triage services.

Center staff reject with a reason and issue work orders through an intermediate page, and flag or
unflag requests for consultation; refusals are reported row by row, successes counted once. Nobody
else gets the actions.
"""
import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse
from django.utils import translation

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import OfficerUserFactory, StaffFactory
from workdays.calendar import get_calendar
from workorders.models import Assignment, RequestEvent, ServiceRequest, WorkOrder
from workorders.services import triage_and_issue
from workorders.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workorders_servicerequest_changelist")
TRIAGE_ACTIONS = {"reject_with_reason", "issue_work_orders", "flag_requests", "unflag_requests"}
SELECTED = helpers.ACTION_CHECKBOX_NAME  # "_selected_action"


@pytest.fixture
def staff():
    return StaffFactory(username="center-staff", is_staff=True)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def _issued(staff, **request_fields):
    """A request already triaged: its work order issued to a fresh department."""
    request = ServiceRequestFactory(**request_fields)
    triage_and_issue(actor=staff, request=request, lead_department=DepartmentFactory())
    request.refresh_from_db()
    return request


def _messages(response):
    return [(message.level, str(message)) for message in response.context["messages"]]


def _translated(response, msgid):
    """The service's message in the language the page was answered in."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(msgid)


def _choices(response):
    action_form = response.context["action_form"]
    return {value for value, _label in action_form.fields["action"].choices} if action_form else set()


# --- Reject with a reason ---------------------------------------------------------------------


def test_the_reject_action_shows_an_intermediate_page_that_posts_back(staff_client):
    first, second = ServiceRequestFactory.create_batch(2)

    page = staff_client.post(CHANGELIST, {"action": "reject_with_reason", SELECTED: [first.pk, second.pk]})

    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "admin/workorders/bulk_action.html"
    html = page.content.decode()
    assert '<textarea name="reason"' in html
    assert 'name="action" value="reject_with_reason"' in html
    assert 'name="apply"' in html
    for request in (first, second):
        assert f'name="{SELECTED}" value="{request.pk}"' in html
        assert request.tracking_number in html
    assert not ServiceRequest.objects.exclude(status=ServiceRequest.Status.SUBMITTED).exists()


def test_staff_reject_two_waiting_requests_with_one_reason(staff_client, staff):
    first, second = ServiceRequestFactory.create_batch(2)

    response = staff_client.post(
        CHANGELIST,
        {"action": "reject_with_reason", SELECTED: [first.pk, second.pk], "apply": "1", "reason": "  不属于受理范围  "},
        follow=True,
    )

    assert response.status_code == 200
    for request in (first, second):
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.REJECTED
        assert request.decision_reason == "不属于受理范围"
        event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.REJECTED)
        assert event.text == "不属于受理范围"
    assert [level for level, _text in _messages(response)] == [message_levels.SUCCESS]
    assert "2" in _messages(response)[0][1]


def test_an_already_triaged_request_in_the_selection_is_reported_and_left_alone(staff_client, staff):
    waiting = ServiceRequestFactory()
    issued = _issued(staff)

    response = staff_client.post(
        CHANGELIST,
        {"action": "reject_with_reason", SELECTED: [waiting.pk, issued.pk], "apply": "1", "reason": "重复提交"},
        follow=True,
    )

    waiting.refresh_from_db()
    issued.refresh_from_db()
    assert waiting.status == ServiceRequest.Status.REJECTED
    assert issued.status == ServiceRequest.Status.IN_PROGRESS and issued.decision_reason == ""
    assert not RequestEvent.objects.filter(request=issued, kind=RequestEvent.Kind.REJECTED).exists()
    warnings = [text for level, text in _messages(response) if level == message_levels.WARNING]
    assert len(warnings) == 1
    assert warnings[0] == f"{issued.tracking_number}: {_translated(response, 'This request has already been triaged.')}"
    successes = [text for level, text in _messages(response) if level == message_levels.SUCCESS]
    assert len(successes) == 1 and "1" in successes[0]


def test_rejecting_without_a_reason_shows_the_page_again_and_changes_nothing(staff_client):
    request = ServiceRequestFactory()

    response = staff_client.post(
        CHANGELIST, {"action": "reject_with_reason", SELECTED: [request.pk], "apply": "1", "reason": "   "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.SUBMITTED
    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.REJECTED).exists()


# --- Issue work orders ------------------------------------------------------------------------


def test_issue_work_orders_through_the_intermediate_page(staff_client):
    lead, co = DepartmentFactory(), DepartmentFactory()
    first, second = ServiceRequestFactory.create_batch(2)
    ids = [first.pk, second.pk]

    page = staff_client.post(CHANGELIST, {"action": "issue_work_orders", SELECTED: ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="lead_department"' in html and 'name="co_departments"' in html
    assert 'name="action" value="issue_work_orders"' in html
    assert not WorkOrder.objects.exists()

    response = staff_client.post(
        CHANGELIST,
        {"action": "issue_work_orders", SELECTED: ids, "apply": "1", "lead_department": lead.pk,
         "co_departments": [co.pk]},
        follow=True,
    )

    calendar = get_calendar()
    for request in (first, second):
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.IN_PROGRESS
        work_order = WorkOrder.objects.get(request=request)
        assert work_order.lead_department == lead
        roles_by_department = dict(work_order.assignments.values_list("department_id", "role"))
        assert roles_by_department == {lead.pk: Assignment.Role.LEAD, co.pk: Assignment.Role.CO_HANDLING}
        for assignment in work_order.assignments.all():
            assert assignment.due_date == calendar.add_working_days(assignment.issued_on, assignment.sla_working_days)
            assert assignment.due_date > assignment.issued_on
        assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ISSUED).exists()
    assert [level for level, _text in _messages(response)] == [message_levels.SUCCESS]


def test_issuing_refuses_requests_without_a_project_or_already_issued(staff_client, staff):
    lead = DepartmentFactory()
    waiting = ServiceRequestFactory()
    no_project = ServiceRequestFactory(project=None)
    issued = _issued(staff)

    response = staff_client.post(
        CHANGELIST,
        {"action": "issue_work_orders", SELECTED: [waiting.pk, no_project.pk, issued.pk], "apply": "1",
         "lead_department": lead.pk},
        follow=True,
    )

    assert WorkOrder.objects.filter(request=waiting, lead_department=lead).exists()
    assert not WorkOrder.objects.filter(request=no_project).exists()
    no_project.refresh_from_db()
    assert no_project.status == ServiceRequest.Status.SUBMITTED
    assert issued.work_order.lead_department != lead
    warnings = [text for level, text in _messages(response) if level == message_levels.WARNING]
    assert len(warnings) == 2
    refusal = _translated(response, "Link the request to its project before issuing a work order.")
    assert f"{no_project.tracking_number}: {refusal}" in warnings
    assert any(issued.tracking_number in text for text in warnings)


# --- Flag for consultation --------------------------------------------------------------------


def test_flag_and_unflag_requests_for_consultation(staff_client, staff):
    first, second = _issued(staff), _issued(staff)
    ids = [first.pk, second.pk]

    response = staff_client.post(CHANGELIST, {"action": "flag_requests", SELECTED: ids}, follow=True)

    assert response.status_code == 200
    for request in (first, second):
        assert WorkOrder.objects.get(request=request).needs_consultation
        assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.CONSULTATION).count() == 1
    assert [level for level, _text in _messages(response)] == [message_levels.SUCCESS]

    staff_client.post(CHANGELIST, {"action": "unflag_requests", SELECTED: [first.pk]})

    assert not WorkOrder.objects.get(request=first).needs_consultation
    assert WorkOrder.objects.get(request=second).needs_consultation


def test_flagging_a_request_without_a_work_order_is_reported(staff_client, staff):
    waiting = ServiceRequestFactory()
    issued = _issued(staff)

    response = staff_client.post(CHANGELIST, {"action": "flag_requests", SELECTED: [waiting.pk, issued.pk]},
                                 follow=True)

    assert WorkOrder.objects.get(request=issued).needs_consultation
    assert not WorkOrder.objects.filter(request=waiting).exists()
    warnings = [text for level, text in _messages(response) if level == message_levels.WARNING]
    assert len(warnings) == 1 and waiting.tracking_number in warnings[0]


# --- Who gets the actions ---------------------------------------------------------------------


def test_staff_see_the_triage_actions(staff_client):
    ServiceRequestFactory()
    assert TRIAGE_ACTIONS <= _choices(staff_client.get(CHANGELIST))


@pytest.fixture
def officer_client():
    """A department officer with admin access (is_staff) who may even look at requests there."""
    user = OfficerFactory(user=OfficerUserFactory(username="officer", is_staff=True)).user
    user.user_permissions.add(Permission.objects.get(codename="view_servicerequest"))
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_does_not_see_the_triage_actions(officer_client):
    ServiceRequestFactory()
    response = officer_client.get(CHANGELIST)
    assert response.status_code == 200
    assert not TRIAGE_ACTIONS & _choices(response)


@pytest.mark.parametrize(
    "action, extra",
    [
        ("reject_with_reason", {"apply": "1", "reason": "越权"}),
        ("issue_work_orders", {"apply": "1"}),
        ("flag_requests", {}),
    ],
)
def test_an_officer_posting_a_triage_action_changes_nothing(officer_client, staff, action, extra):
    waiting = ServiceRequestFactory()
    issued = _issued(staff)
    if action == "issue_work_orders":
        extra = {**extra, "lead_department": DepartmentFactory().pk}

    response = officer_client.post(CHANGELIST, {"action": action, SELECTED: [waiting.pk, issued.pk], **extra})

    assert response.status_code in (200, 302, 403)
    waiting.refresh_from_db()
    assert waiting.status == ServiceRequest.Status.SUBMITTED
    assert not WorkOrder.objects.filter(request=waiting).exists()
    assert not WorkOrder.objects.get(request=issued).needs_consultation


def test_an_officer_without_admin_permissions_is_refused(staff):
    user = OfficerFactory(user=OfficerUserFactory(username="plain-officer", is_staff=True)).user
    client = Client()
    client.force_login(user)
    waiting = ServiceRequestFactory()

    assert client.get(CHANGELIST).status_code == 403
    response = client.post(CHANGELIST, {"action": "reject_with_reason", SELECTED: [waiting.pk], "apply": "1",
                                        "reason": "越权"})
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == ServiceRequest.Status.SUBMITTED
