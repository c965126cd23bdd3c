from django import template
from django.utils.translation import get_language

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
