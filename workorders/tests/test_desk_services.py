"""Triage and desk services: who may, what changes, who is told."""
import pytest

from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification
from projects.tests.factories import StaffFactory, UserFactory
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, ClockPause, RequestEvent, ServiceRequest, WorkOrder
from workorders.services import (
    complete_assignment,
    flag_for_consultation,
    merge_request,
    reassign_assignment,
    reject_request,
    reply_to_assignment,
    request_material,
    triage_and_issue,
)
from workorders.tests.factories import ServiceRequestFactory


@pytest.fixture
def staff():
    return StaffFactory(username="center-staff")


@pytest.fixture
def setup(staff):
    jt, jw = DepartmentFactory(short_code="JT"), DepartmentFactory(short_code="JW")
    officers = {"jt": OfficerFactory(department=jt), "jw": OfficerFactory(department=jw), "head_jt": HeadFactory(department=jt)}
    contact = UserFactory(username="contact")
    request = ServiceRequestFactory()
    request.enterprise.users.add(contact)
    work_order = triage_and_issue(actor=staff, request=request, lead_department=jt, co_departments=[jw], problem="道路未开通")
    assignments = {a.department.short_code: a for a in work_order.assignments.select_related("department")}
    return dict(request=request, work_order=work_order, assignments=assignments, officers=officers, contact=contact)


@pytest.mark.django_db
def test_issue_tells_the_enterprise_and_each_department(setup):
    request = setup["request"]
    assert request.status == ServiceRequest.Status.IN_PROGRESS
    assert list(request.events.values_list("kind", flat=True)) == [RequestEvent.Kind.ISSUED]
    assert Notification.objects.filter(recipient=setup["contact"]).count() == 1
    for key in ("jt", "jw", "head_jt"):
        assert Notification.objects.filter(recipient=setup["officers"][key].user).count() == 1


@pytest.mark.django_db
def test_only_center_staff_triage():
    officer = OfficerFactory()
    with pytest.raises(WorkOrderError) as raised:
        triage_and_issue(actor=officer.user, request=ServiceRequestFactory(), lead_department=officer.department)
    assert raised.value.code == "forbidden"
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_reply_material_done_resolves_when_all_are_done(setup):
    jt, jw = setup["assignments"]["JT"], setup["assignments"]["JW"]
    officer_jt, officer_jw = setup["officers"]["jt"].user, setup["officers"]["jw"].user
    reply_to_assignment(actor=officer_jt, assignment=jt, text="金绍路年内通车，可设临时出入口。")
    assert jt.status == Assignment.Status.IN_PROGRESS and jt.replied_by == officer_jt
    request_material(actor=officer_jw, assignment=jw, text="请补充临时出入口方案")
    assert jw.status == Assignment.Status.PAUSED
    assert jw.pauses.get().reason == ClockPause.Reason.WAITING_FOR_MATERIAL
    with pytest.raises(WorkOrderError):
        complete_assignment(actor=officer_jw, assignment=jw, text="同意")  # paused: answer first
    complete_assignment(actor=officer_jt, assignment=jt)
    setup["work_order"].refresh_from_db()
    assert setup["work_order"].status == WorkOrder.Status.OPEN
    from workorders.services import resume_assignment

    resume_assignment(actor=setup["contact"], assignment=jw)
    complete_assignment(actor=officer_jw, assignment=jw, text="同意按临时出入口方案容缺验收。")
    setup["work_order"].refresh_from_db()
    setup["request"].refresh_from_db()
    assert setup["work_order"].status == WorkOrder.Status.RESOLVED
    assert setup["request"].status == ServiceRequest.Status.RESOLVED
    assert setup["request"].events.filter(kind=RequestEvent.Kind.RESOLVED).count() == 1


@pytest.mark.django_db
def test_done_needs_a_reply(setup):
    with pytest.raises(WorkOrderError) as raised:
        complete_assignment(actor=setup["officers"]["jt"].user, assignment=setup["assignments"]["JT"])
    assert raised.value.field == "text"


@pytest.mark.django_db
def test_an_officer_of_another_department_can_do_nothing(setup):
    jt = setup["assignments"]["JT"]
    stranger = setup["officers"]["jw"].user
    for action in (
        lambda: reply_to_assignment(actor=stranger, assignment=jt, text="x"),
        lambda: request_material(actor=stranger, assignment=jt, text="x"),
        lambda: complete_assignment(actor=stranger, assignment=jt, text="x"),
    ):
        with pytest.raises(WorkOrderError) as raised:
            action()
        assert raised.value.code == "forbidden"
    jt.refresh_from_db()
    assert jt.reply == "" and jt.status == Assignment.Status.ISSUED


@pytest.mark.django_db
def test_a_deactivated_officer_loses_the_desk(setup):
    membership = setup["officers"]["jt"]
    membership.is_active = False
    membership.save()
    with pytest.raises(WorkOrderError):
        reply_to_assignment(actor=membership.user, assignment=setup["assignments"]["JT"], text="x")


@pytest.mark.django_db
def test_only_a_head_reassigns_within_the_department(setup):
    jt = setup["assignments"]["JT"]
    officer = setup["officers"]["jt"]
    with pytest.raises(WorkOrderError):
        reassign_assignment(actor=officer.user, assignment=jt, officer=officer)
    with pytest.raises(WorkOrderError) as raised:
        reassign_assignment(actor=setup["officers"]["head_jt"].user, assignment=jt, officer=setup["officers"]["jw"])
    assert raised.value.field == "officer"
    reassign_assignment(actor=setup["officers"]["head_jt"].user, assignment=jt, officer=officer)
    assert jt.assigned_officer == officer
    event = jt.events.get(kind=RequestEvent.Kind.REASSIGNED)
    assert event.public is False


@pytest.mark.django_db
def test_reject_and_merge_with_reasons(staff):
    first, duplicate, other = ServiceRequestFactory(), ServiceRequestFactory(), ServiceRequestFactory()
    duplicate.enterprise = first.enterprise
    duplicate.save()
    with pytest.raises(WorkOrderError):
        reject_request(actor=staff, request=other, reason=" ")
    reject_request(actor=staff, request=other, reason="不属于本中心受理范围")
    assert other.status == ServiceRequest.Status.REJECTED and other.decision_reason == "不属于本中心受理范围"
    with pytest.raises(WorkOrderError):
        merge_request(actor=staff, request=duplicate, into=other, reason="重复")  # another enterprise's
    merge_request(actor=staff, request=duplicate, into=first, reason="与前一诉求重复")
    assert duplicate.status == ServiceRequest.Status.MERGED and duplicate.duplicate_of == first
    with pytest.raises(WorkOrderError) as raised:
        reject_request(actor=staff, request=duplicate, reason="again")
    assert raised.value.code == "not_submitted"


@pytest.mark.django_db
def test_flag_for_consultation_is_idempotent(setup, staff):
    work_order = setup["work_order"]
    flag_for_consultation(actor=staff, work_order=work_order)
    flag_for_consultation(actor=staff, work_order=work_order)
    assert work_order.needs_consultation
    assert setup["request"].events.filter(kind=RequestEvent.Kind.CONSULTATION).count() == 1
