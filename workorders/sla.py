"""How an SLA state looks: one colour per state and the pill that shows it.

The admin and the department desk both draw the badge from here, so a state has the same colour
everywhere. Every background is dark enough for white text (WCAG AA contrast at small sizes).
"""
from django.utils.html import format_html
from django.utils.safestring import SafeString

from workorders.models import Assignment

SLA_COLOURS = {
    Assignment.SlaState.ON_TRACK: "#15803d",  # green
    Assignment.SlaState.DUE_SOON: "#b45309",  # amber
    Assignment.SlaState.OVERDUE: "#dc2626",  # red
    Assignment.SlaState.ESCALATED: "#7f1d1d",  # dark red
    Assignment.SlaState.PAUSED: "#6b7280",  # grey
    Assignment.SlaState.DONE: "#475569",  # slate
}
UNKNOWN_COLOUR = "#6b7280"


def sla_badge(state, label) -> SafeString:
    """A small coloured pill for ``state`` showing ``label`` (escaped); unknown states are grey."""
    colour = SLA_COLOURS.get(state, UNKNOWN_COLOUR)
    return format_html(
        '<span class="sla-badge sla-{}" style="display:inline-block;padding:0 0.6em;border-radius:1em;'
        'background:{};color:#fff;font-size:0.85em;line-height:1.7;white-space:nowrap">{}</span>',
        state,
        colour,
        label if label is not None else state,
    )
