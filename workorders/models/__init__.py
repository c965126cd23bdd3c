"""The models of requests, work orders, assignments and stamps, by responsibility:

- ``requests``: what an enterprise asked (requests and their lifecycle, attachments, problem tags, the timeline);
- ``work``: what the center issued (work orders, assignments and their lifecycles, pauses, SLA transitions);
- ``stamps``: the departments' decisions (approvals, commitments, serial counters);
- ``cases``: model cases.
"""
from workorders.models.cases import ModelCase
from workorders.models.requests import (
    ATTACHMENTS_FOLDER,
    REQUEST_LIFECYCLE,
    Attachment,
    ProblemTag,
    RequestEvent,
    ServiceRequest,
    attachment_upload_to,
)
from workorders.models.stamps import (
    REVOCATION_FIELDS,
    Approval,
    ApprovalQuerySet,
    Commitment,
    ImmutableError,
    StampCounter,
)
from workorders.models.work import (
    ASSIGNMENT_LIFECYCLE,
    DEPARTMENT_ASK_LIFECYCLE,
    AcknowledgementReminder,
    OPEN_ASSIGNMENT_STATUSES,
    RUNNING_ASSIGNMENT_STATUSES,
    WORK_ORDER_LIFECYCLE,
    Assignment,
    ClockPause,
    DepartmentAsk,
    SlaTransition,
    WorkOrder,
)

__all__ = [
    "ASSIGNMENT_LIFECYCLE", "ATTACHMENTS_FOLDER", "AcknowledgementReminder", "DEPARTMENT_ASK_LIFECYCLE", "DepartmentAsk", "OPEN_ASSIGNMENT_STATUSES", "REQUEST_LIFECYCLE", "REVOCATION_FIELDS",
    "RUNNING_ASSIGNMENT_STATUSES", "WORK_ORDER_LIFECYCLE", "Approval", "ApprovalQuerySet", "Assignment",
    "Attachment", "ClockPause", "Commitment", "ImmutableError", "ModelCase", "ProblemTag", "RequestEvent",
    "ServiceRequest", "SlaTransition", "StampCounter", "WorkOrder", "attachment_upload_to",
]
