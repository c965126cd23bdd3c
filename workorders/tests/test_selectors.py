"""Each selector of workorders.selectors reads in a fixed number of queries, however many rows it
returns: made with 2 rows, counted; 5 more made, counted again, the same figure (issue 16, part 7).

Each reading touches what its page shows (related rows included), so a missing ``select_related``
or ``prefetch_related`` shows up as a count that grows.
"""
import datetime

import pytest

from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    InvestmentProjectFactory,
    StaffFactory,
)
from tests.queries import assert_constant
from workdays.calendar import local_date
from workorders import selectors
from workorders.models import Assignment, ServiceRequest, WorkOrder
from workorders.services import stamp_assignment
from workorders.similarity import rebuild_index
from workorders.tests.factories import (
    ApprovalFactory,
    AssignmentFactory,
    AttachmentFactory,
    ClockPauseFactory,
    CommitmentFactory,
    ModelCaseFactory,
    ProblemTagFactory,
    RequestEventFactory,
    ServiceRequestFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise_user():
    enterprise = EnterpriseFactory()
    user = EnterpriseUserFactory(enterprise=enterprise)
    user.project = InvestmentProjectFactory(enterprise=enterprise)
    user.first_request = ServiceRequestFactory(project=user.project)
    return user


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def officer():
    return OfficerFactory()


@pytest.fixture
def issued():
    """A request with its work order and one assignment."""
    return AssignmentFactory(work_order__request__status=ServiceRequest.Status.IN_PROGRESS)


def _requests_of(user):
    return lambda n: ServiceRequestFactory.create_batch(n, project=user.project)


def test_requests_for_enterprise(django_assert_num_queries, enterprise_user):
    def read():
        for request in selectors.requests_for_enterprise(enterprise_user):
            assert request.project.name and request.enterprise.name

    # the user's enterprises, the page of requests
    assert_constant(django_assert_num_queries, 2, _requests_of(enterprise_user), read)


def test_request_for_enterprise(django_assert_num_queries, enterprise_user):
    def read():
        request = selectors.request_for_enterprise(enterprise_user, enterprise_user.first_request.tracking_number)
        assert request.project.name and request.enterprise.name and not hasattr(request, "work_order")

    assert_constant(django_assert_num_queries, 2, _requests_of(enterprise_user), read)


def test_timeline(django_assert_num_queries, issued):
    request = issued.work_order.request

    def make(n):
        for _ in range(n):
            event = RequestEventFactory(request=request, department=issued.department)
            AttachmentFactory(request=request, event=event)

    def read():
        for event in selectors.timeline(request, include_internal=True):
            assert event.department.name_zh and len(event.attachments.all()) == 1

    assert_constant(django_assert_num_queries, 2, make, read)  # the events, their attachments


def test_request_assignments(django_assert_num_queries, issued):
    def make(n):
        for _ in range(n):
            ClockPauseFactory(assignment=AssignmentFactory(work_order=issued.work_order, status=Assignment.Status.PAUSED))

    def read():
        for assignment in selectors.request_assignments(issued.work_order.request):
            assert assignment.department.name_zh and isinstance(assignment.all_pauses, list)

    assert_constant(django_assert_num_queries, 2, make, read)  # the assignments, their pauses


def _desk_rows(officer):
    return lambda n: AssignmentFactory.create_batch(n, department=officer.department,
                                                    assigned_officer=officer)


def test_assignments_for_desk(django_assert_num_queries, officer):
    def read():
        for assignment in selectors.assignments_for_desk(officer.user):
            request = assignment.work_order.request
            assert assignment.department.name_zh and request.enterprise.name and request.project.name
            assert assignment.assigned_officer.display_name

    # the user's departments, the assignments with all they show
    assert_constant(django_assert_num_queries, 2, _desk_rows(officer), read)


def test_assignment_for_desk(django_assert_num_queries, officer):
    first = AssignmentFactory(department=officer.department)

    def read():
        assignment = selectors.assignment_for_desk(officer.user, first.pk)
        assert assignment.work_order.request.enterprise.name

    assert_constant(django_assert_num_queries, 2, _desk_rows(officer), read)


def test_attachment_for(django_assert_num_queries, enterprise_user):
    first = AttachmentFactory(request=enterprise_user.first_request)

    def read():
        assert selectors.attachment_for(enterprise_user, first.pk).request.tracking_number

    # is the user center staff, the user's departments, the attachment
    assert_constant(django_assert_num_queries, 3,
                    lambda n: AttachmentFactory.create_batch(n, request=enterprise_user.first_request), read)


def test_triage_queue(django_assert_num_queries, staff):
    def read():
        for request in selectors.triage_queue(staff):
            assert request.enterprise.name and request.project.name

    # is the user center staff, the waiting requests
    assert_constant(django_assert_num_queries, 2,
                    lambda n: ServiceRequestFactory.create_batch(n, status=ServiceRequest.Status.SUBMITTED), read)


def test_conditions_to_accept(django_assert_num_queries, issued):
    request = issued.work_order.request

    def make(n):
        for _ in range(n):
            CommitmentFactory(request=request, department=issued.department,
                              approval=ApprovalFactory(assignment=AssignmentFactory(work_order=issued.work_order)))

    def read():
        for commitment in selectors.conditions_to_accept(request):
            assert commitment.department.name_zh and commitment.approval.serial

    assert_constant(django_assert_num_queries, 1, make, read)


def test_request_commitments(django_assert_num_queries, issued):
    request = issued.work_order.request

    def read():
        for commitment in selectors.request_commitments(request):
            assert commitment.department.name_zh

    assert_constant(django_assert_num_queries, 1,
                    lambda n: CommitmentFactory.create_batch(n, request=request, department=issued.department), read)


def test_request_approvals(django_assert_num_queries, issued):
    request = issued.work_order.request

    def read():
        for approval in selectors.request_approvals(request):
            assert approval.department.name_zh and approval.serial

    assert_constant(django_assert_num_queries, 1,
                    lambda n: [ApprovalFactory(assignment=AssignmentFactory(work_order=issued.work_order))
                               for _ in range(n)], read)


def test_department_workload(django_assert_num_queries, staff):
    today = local_date()

    def make(n):
        for _ in range(n):
            AssignmentFactory(department=DepartmentFactory(), status=Assignment.Status.IN_PROGRESS,
                              issued_on=today - datetime.timedelta(days=20), due_date=today - datetime.timedelta(days=3))

    def read():
        for department in selectors.department_workload(staff, today):
            assert department.open_count == department.overdue_count == 1

    # is the user center staff, the counts, the departments
    assert_constant(django_assert_num_queries, 3, make, read)


def test_request_for_staff(django_assert_num_queries, staff, issued):
    number = issued.work_order.request.tracking_number

    def read():
        request = selectors.request_for_staff(staff, number)
        assert request.enterprise.name and request.project.town.name_zh and request.work_order.pk

    assert_constant(django_assert_num_queries, 2, lambda n: ServiceRequestFactory.create_batch(n), read)


def test_recent_requests(django_assert_num_queries, staff):
    def read():
        for request in selectors.recent_requests(staff):
            assert request.enterprise.name and request.project.name

    assert_constant(django_assert_num_queries, 2,
                    lambda n: ServiceRequestFactory.create_batch(n, status=ServiceRequest.Status.IN_PROGRESS), read)


def test_verify_serial(django_assert_num_queries, issued):
    officer = OfficerFactory(department=issued.department)
    approval = stamp_assignment(actor=officer.user, assignment=issued, decision="approved")
    assert selectors.verify_serial(approval.serial)["status"] == "genuine"  # keys loaded once

    def read():
        assert selectors.verify_serial(approval.serial)["status"] == "genuine"

    assert_constant(django_assert_num_queries, 1, lambda n: ApprovalFactory.create_batch(n), read)


def test_approval_for(django_assert_num_queries, enterprise_user):
    assignment = AssignmentFactory(work_order=WorkOrderFactory(request=enterprise_user.first_request))
    approval = ApprovalFactory(assignment=assignment)

    def read():
        found = selectors.approval_for(enterprise_user, approval.serial)
        assert found.department.name_zh and found.assignment.work_order.request.enterprise.name

    # is the user center staff, the user's departments, the stamp
    assert_constant(django_assert_num_queries, 3,
                    lambda n: [ApprovalFactory(assignment=AssignmentFactory(work_order=assignment.work_order))
                               for _ in range(n)], read)


def test_similar_cases(django_assert_num_queries):
    tag = ProblemTagFactory()
    waiting = ServiceRequestFactory(status=ServiceRequest.Status.SUBMITTED)

    def make(n):
        for _ in range(n):
            work_order = WorkOrderFactory(status=WorkOrder.Status.RESOLVED)
            AssignmentFactory(work_order=work_order, department=work_order.lead_department, role=Assignment.Role.LEAD)
            AssignmentFactory(work_order=work_order, role=Assignment.Role.CO_HANDLING)
            ModelCaseFactory(work_order=work_order).tags.add(tag)
        rebuild_index()

    def read():
        cases = selectors.similar_cases(waiting)
        assert cases
        for case in cases:
            assert len(case.departments) == 2 and [t.slug for t in case.tags.all()] == [tag.slug]
            assert case.work_order.request.project.name and case.work_order.lead_department.name_zh

    # the cases, their tags, their assignments with departments
    assert_constant(django_assert_num_queries, 3, make, read)
