"""Every state change of work orders, one function per verb."""
from workorders.services.acknowledgement import acknowledge_assignment
from workorders.services.clock import (
    compute_due_date,
    move_due_date,
    pause_assignment,
    resume_assignment,
    sla_state_for,
    sla_working_days_for,
)
from workorders.services.asks import ask_extension, ask_pause_going_on, ask_reroute, decide_ask, extend_by_center
from workorders.services.desk import complete_assignment, reassign_assignment, reply_to_assignment, request_material
from workorders.services.model_cases import mark_model_case
from workorders.services.notes import add_internal_note
from workorders.services.requests import provide_material, rate_request, submit_request, validate_request_fields
from workorders.services.triage import flag_for_consultation, link_project, merge_request, reject_request, triage_and_issue
from workorders.services.stamps import accept_commitment, fulfil_commitment, revoke_approval, stamp_assignment
from workorders.services.work_orders import issue_work_order

__all__ = [
    "acknowledge_assignment",
    "accept_commitment",
    "add_internal_note",
    "ask_extension",
    "ask_pause_going_on",
    "ask_reroute",
    "complete_assignment",
    "compute_due_date",
    "decide_ask",
    "extend_by_center",
    "flag_for_consultation",
    "fulfil_commitment",
    "issue_work_order",
    "mark_model_case",
    "move_due_date",
    "link_project",
    "merge_request",
    "pause_assignment",
    "provide_material",
    "rate_request",
    "reassign_assignment",
    "reject_request",
    "reply_to_assignment",
    "request_material",
    "resume_assignment",
    "revoke_approval",
    "sla_state_for",
    "sla_working_days_for",
    "stamp_assignment",
    "submit_request",
    "triage_and_issue",
    "validate_request_fields",
]
