"""Every state change of the center's own: the heartbeat, office hours and their agenda, consultations."""
from center.services.heartbeat import HEARTBEAT_NAME, record_heartbeat

__all__ = ["HEARTBEAT_NAME", "record_heartbeat"]
from center.services.office_hours import (  # noqa: E402
    add_item,
    build_agenda,
    convene_consultation,
    edit_item,
    ensure_sessions,
    next_session,
    prepare_office_hours,
    record_minutes,
    session_date_for_week,
)

__all__ += [
    "add_item", "build_agenda", "convene_consultation", "edit_item", "ensure_sessions", "next_session",
    "prepare_office_hours", "record_minutes", "session_date_for_week",
]
