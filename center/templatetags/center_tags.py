from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workdays.calendar import entered_years, last_package_year, local_date
from workdays.selectors import is_official, missing_schedules
from workorders.sla import sla_badge as _badge

register = template.Library()


@register.simple_tag
def sla_badge(state, label):
    """The coloured SLA pill (same colours as the admin)."""
    return _badge(state, label)


@register.filter
def local_name(obj):
    """A department's or town's name in the active language: Chinese first, English when chosen."""
    if obj is None:
        return ""
    english = (get_language() or "").startswith("en")
    return (getattr(obj, "name_en", "") if english else "") or getattr(obj, "name_zh", "") or str(obj)


@register.filter
def absolute(value):
    return abs(value) if value is not None else value


def _entered_years(context) -> frozenset[int]:
    """The years whose official schedule staff entered, read once per request (one small query)."""
    request = context.get("request")
    if request is None:
        return entered_years()
    if not hasattr(request, "_entered_calendar_years"):
        request._entered_calendar_years = entered_years()
    return request._entered_calendar_years


@register.simple_tag(takes_context=True)
def due_date(context, day, since=None):
    """A stored due date as YYYY-MM-DD, marked provisional when it was counted over a year whose
    official holiday schedule is not yet known (``since``: the day counting started, the issue day).
    No query unless the dates reach past the package's last official year."""
    if not day:
        return "—"
    text = day.strftime("%Y-%m-%d")
    first = min(day, since) if since else day
    years = range(first.year, day.year + 1)
    if all(year <= last_package_year() for year in years):
        return text
    entered = _entered_years(context)
    if all(is_official(year, entered) for year in years):
        return text
    return format_html('{} <span class="provisional" title="{}">{}</span>', text,
                       _("Counted on a provisional calendar: the State Council's holiday schedule for this year "
                         "is not yet entered, so this date may still move."), _("provisional"))


@register.simple_tag
def missing_calendar_years():
    """The years staff should enter the official schedule for now (``workdays.selectors``)."""
    return missing_schedules(local_date())
