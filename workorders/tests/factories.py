import datetime

import factory
from django.conf import settings
from django.utils import timezone

from departments.tests.factories import DepartmentFactory
from projects.tests.factories import EnterpriseFactory, InvestmentProjectFactory, UserFactory
from workorders.models import (
    Approval,
    Assignment,
    Attachment,
    ClockPause,
    Commitment,
    DepartmentAsk,
    ModelCase,
    ProblemTag,
    RequestEvent,
    ServiceRequest,
    WorkOrder,
)


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    tracking_number = factory.Sequence(lambda n: f"T{n:012d}")
    project = factory.SubFactory(InvestmentProjectFactory)
    enterprise = factory.LazyAttribute(lambda o: o.project.enterprise if o.project else EnterpriseFactory())
    kind = ServiceRequest.Kind.BLOCKER
    title = factory.Sequence(lambda n: f"诉求{n}")
    description = "道路未开通，影响竣工验收。The road is not open, blocking the completion inspection."


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    request = factory.SubFactory(ServiceRequestFactory, status=ServiceRequest.Status.IN_PROGRESS)
    problem = factory.LazyAttribute(lambda o: o.request.description)
    lead_department = factory.SubFactory(DepartmentFactory)
    issued_at = factory.LazyFunction(timezone.now)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment issued on ``issued_on`` and due ``sla_working_days`` calendar-naive days later.

    Tests of the clock compute the due date with the calendar; this factory only needs a valid row,
    filled as ``open_assignment`` fills one: the original clock is the due date given, and the
    acknowledgement is due ``CENTER_ACK_WORKING_DAYS`` (calendar-naive) days after issue.
    """

    class Meta:
        model = Assignment

    work_order = factory.SubFactory(WorkOrderFactory)
    department = factory.SubFactory(DepartmentFactory)
    issued_at = factory.LazyFunction(timezone.now)
    issued_on = factory.LazyAttribute(lambda o: timezone.localdate(o.issued_at))
    sla_working_days = 10
    due_date = factory.LazyAttribute(lambda o: o.issued_on + datetime.timedelta(days=14))
    original_due_date = factory.LazyAttribute(lambda o: o.due_date)
    ack_due_on = factory.LazyAttribute(
        lambda o: o.issued_on + datetime.timedelta(days=settings.CENTER_ACK_WORKING_DAYS))


class ClockPauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClockPause

    assignment = factory.SubFactory(AssignmentFactory, status=Assignment.Status.PAUSED)
    reason = ClockPause.Reason.WAITING_FOR_MATERIAL
    started_at = factory.LazyFunction(timezone.now)
    started_on = factory.LazyAttribute(lambda o: timezone.localdate(o.started_at))


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    request = factory.SubFactory(ServiceRequestFactory)
    file = factory.django.FileField(filename="material.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "material.pdf"
    content_type = "application/pdf"
    size = 15
    sha256 = "0" * 64


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    assignment = factory.SubFactory(AssignmentFactory)
    department = factory.LazyAttribute(lambda o: o.assignment.department)
    decision = Approval.Decision.APPROVED
    officer = factory.SubFactory(UserFactory)
    officer_display_name = "经办人"
    stamped_at = factory.LazyFunction(timezone.now)
    serial = factory.Sequence(lambda n: f"T-2026-{n:06d}")


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    request = factory.SubFactory(ServiceRequestFactory)
    department = factory.SubFactory(DepartmentFactory)
    text = "临时出入口于竣工前建成。The temporary entrance is built before completion."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ProblemTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemTag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name_zh = factory.Sequence(lambda n: f"问题{n}")
    name_en = factory.Sequence(lambda n: f"Problem {n}")


class ModelCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelCase

    work_order = factory.SubFactory(WorkOrderFactory)
    title = factory.Sequence(lambda n: f"典型案例{n}")
    summary = "临时出入口加承诺验收。Temporary entrance with a commitment."


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(ServiceRequestFactory)
    kind = RequestEvent.Kind.SUBMITTED


class DepartmentAskFactory(factory.django.DjangoModelFactory):
    """A department's pending request to the center (an extension of 3 working days unless told)."""

    class Meta:
        model = DepartmentAsk

    assignment = factory.SubFactory(AssignmentFactory)
    kind = DepartmentAsk.Kind.EXTENSION
    text = "等待地铁公司评估。"
    working_days = 3
    asked_at = factory.LazyFunction(timezone.now)
    asked_on = factory.LazyAttribute(lambda o: timezone.localdate(o.asked_at))
