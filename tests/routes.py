"""The site's routes, walked from the URL configuration (so a new route is covered the day it is
added), filled with the ids of a world's objects: shared by the tests that try every door."""
from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), sorted(pattern.pattern.regex.groupindex)


def site_routes(*, admin: bool = False):
    """(name, route, argument names) for every route (the admin's only with ``admin``), without DRF's
    format suffixes."""
    for name, route, arguments in walk(get_resolver().url_patterns):
        if (route.startswith("admin/") and not admin) or "format" in arguments:
            continue
        yield name, route, arguments


def fill(route: str, values: dict) -> str:
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\.", ".")


def values(world, name: str) -> list[dict]:
    """The argument sets to try for a route: each of the world's objects it could aim at."""
    api_objects = {
        "town": world.project_a.town_id, "department": world.dept_a.pk, "enterprise": world.ent_a.pk,
        "project": world.project_a.pk, "request": world.request_a.pk, "workorder": world.assignment_a.work_order_id,
        "assignment": world.assignment_a.pk, "approval": world.approval.pk, "commitment": world.commitment.pk,
        "session": world.session.pk, "agendaitem": world.item.pk, "modelcase": world.case.pk, "ask": world.ask.pk,
    }
    if name and name.split("-")[0] in api_objects and "-" in name:
        return [{"pk": api_objects[name.split("-")[0]]}]
    pk = {"portal:attachment": world.attachment_a.pk}.get(name)
    if name and name.startswith("center:agenda_item"):
        pk = world.item.pk
    if name and name.startswith("members:"):
        pk = world.officer_a.officer_memberships.get().pk
    base = {"serial": world.approval.serial, "token": world.approval.verification_token,
            "assignment_id": world.assignment_a.pk, "department_id": world.dept_a.pk,
            "commitment_id": world.commitment.pk, "ask_id": world.ask.pk, "date": world.session.date.isoformat(),
            "slug": "escalated",
            "fmt": "csv", "pk": pk or world.assignment_a.pk}
    return [base | {"tracking_number": number} for number in (world.request_a.tracking_number,
                                                              world.waiting_a.tracking_number)]


