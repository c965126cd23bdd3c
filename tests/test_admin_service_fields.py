"""T18: the admin writes no field that a service owns (issue 16).

Every registered admin model is walked as center staff and as a superuser: each add and change form
is fetched, no service-owned field may be an editable input, and each form is posted back as a
browser would (the controls parsed from the page) with every value changed and every service-owned
field forged. Afterwards no service-owned column, and no row of a model whose rows only services
create, may differ. A second test catches the next model or field: every field of our apps' admins
is read-only there or on an explicit list of fields staff may edit.
"""
from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from center.tests.factories import ConsultationFactory, MechanismFactory
from departments import services as membership_services
from notifications.models import Preference
from workdays.models import CalendarOverride
from workorders.tests.factories import ProblemTagFactory

pytestmark = pytest.mark.django_db

ALL = "__all__"
# The apps whose admins this test holds to the rule (the product's); the others (auth, axes,
# django-otp) are walked for their forms but own no service of ours.
PRODUCT_APPS = ("projects", "departments", "workorders", "center", "workdays", "notifications", "api")

# Fields only services write. ALL: every field, and rows are created and deleted by services only.
SERVICE_OWNED = {
    "workorders.servicerequest": {"tracking_number", "enterprise", "project", "kind", "requested_completion_date",
                                  "status", "submitted_by", "submitted_at", "submission_token", "decision_reason",
                                  "duplicate_of", "resolved_at", "rating", "rating_comment", "rated_at"},
    "workorders.workorder": {"request", "lead_department", "needs_consultation", "status", "issued_by", "issued_at",
                             "resolved_at", "departments"},
    "workorders.attachment": ALL,
    "workorders.assignment": ALL,
    "workorders.clockpause": ALL,
    "workorders.approval": ALL,
    "workorders.commitment": ALL,
    "workorders.modelcase": ALL,
    "workorders.requestevent": ALL,
    "workorders.departmentask": ALL,
    "workorders.slatransition": ALL,
    "workorders.stampcounter": ALL,
    "center.officehourssession": {"agenda_built_at"},
    "center.agendaitem": ALL,
    "center.consultation": ALL,
    "center.workerheartbeat": ALL,
    "center.periodicrun": ALL,
    "center.departmentmonth": ALL,
    "departments.officer": ALL,
    "projects.enterprise": {"created_at"},
    "projects.investmentproject": {"created_at"},
    "api.apiclient": {"token_prefix", "token_hash", "created_at", "revoked_at", "last_used_at"},
    "notifications.notification": ALL,
    "notifications.outboundemail": ALL,
}
# Rows that services create, with fields staff may correct, but that nobody deletes in the admin.
KEPT_FOR_THE_RECORD = {"workorders.servicerequest", "workorders.workorder"}
# Fields staff may edit in the admin: no service writes them after the row exists.
ALLOWED = {
    "projects.town": {"name_zh", "name_en", "kind", "chief_agent"},
    "projects.enterprise": {"name", "credit_code", "contact_name", "contact_mobile", "contact_email", "users"},
    "projects.investmentproject": {"town", "name", "address", "industry", "total_investment", "stage",
                                   "planned_completion_date", "current_completion_date", "is_key_project",
                                   "difficulty", "lead_unit", "agents"},
    "departments.department": {"name_zh", "name_en", "short_code", "kind", "is_permanent_member", "seal_text",
                               "allows_api_stamping", "is_active"},
    "workorders.servicerequest": {"title", "description"},
    "workorders.workorder": {"problem", "proposed_approach", "resolution_summary"},
    "workorders.problemtag": {"slug", "name_zh", "name_en"},
    "center.officehourssession": {"date", "starts_at", "venue", "status", "departments", "staff"},
    "center.mechanism": {"title_zh", "title_en", "status", "text", "tags", "towns"},
    "workdays.calendaroverride": {"date", "is_working_day", "note"},
    "api.apiclient": {"name", "scope"},
    "notifications.preference": {"language"},
}
# Fields an add form may also offer (they are fixed once the row exists).
ALLOWED_ON_ADD = {
    "projects.investmentproject": {"enterprise"},
    "api.apiclient": {"user"},  # the admin saves a new client through api.services.issue_client_token
    "notifications.preference": {"user"},
}
# Memberships change through departments.services, which the admin calls for superusers; center
# staff only look. Such a field may change only in a call of the service, which also adds the
# notices and e-mails that tell the department's heads (NOTICES).
THROUGH_SERVICE = {
    "departments.officer": {
        "add": ({"user", "department", "role", "is_mobile_staff", "is_active", "display_name"}, "add_membership"),
        "change": ({"role", "is_mobile_staff", "is_active", "display_name"}, "change_membership"),
    },
}
NOTICES = ("notifications.notification", "notifications.outboundemail")


def _label(model) -> str:
    return model._meta.label_lower


def _fields(model) -> list:
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


def _owned(model) -> set[str]:
    owned = SERVICE_OWNED.get(_label(model), set())
    return {f.name for f in _fields(model)} if owned == ALL else set(owned)


def _owned_snapshot() -> dict:
    """For each model with service-owned fields: its rows' owned columns and many-to-many sets (and
    so every row, when services alone create the rows)."""
    snapshot = {}
    for model in admin.site._registry:
        owned = _owned(model)
        if not owned:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.name in owned]
        rows = {values["pk"]: values for values in model.objects.order_by("pk").values("pk", *columns)}
        for field in model._meta.many_to_many:
            if field.name in owned:
                for pk, related in model.objects.values_list("pk", field.name):
                    rows[pk].setdefault(field.name, set()).add(related)
        snapshot[_label(model)] = rows
    return snapshot


def _differences(before: dict, after: dict, *, through_service: dict) -> list[str]:
    """What changed in service-owned data. ``through_service``: per model, the fields (and, with
    ``"add"``, new rows) that the services the admin called may have changed."""
    found = []
    for label in before:
        old, new = before[label], after[label]
        services_may = through_service.get(label, set())
        created = set(new) - set(old)
        whole_rows = SERVICE_OWNED.get(label) == ALL or label in KEPT_FOR_THE_RECORD
        if set(old) - set(new) or (created and whole_rows and "add" not in services_may):
            found.append(f"{label}: rows {sorted(set(old) ^ set(new))} added or deleted")
        for pk in set(old) & set(new):
            changed = {name: f"{old[pk][name]!r} -> {new[pk][name]!r}" for name in old[pk]
                       if old[pk][name] != new[pk][name] and name not in services_may}
            if changed:
                found.append(f"{label} #{pk}: {changed}")
    return found


# --- The page as a browser submits it ----------------------------------------------------------


class _FormControls(HTMLParser):
    """The named controls of the admin's object form (``<form id="<model>_form">``), as a browser
    would see them; the empty rows that inline JavaScript copies (``__prefix__``) are left out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.controls = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        if tag == "input" and attrs.get("name"):
            self.controls.append({"tag": "input", "type": (attrs.get("type") or "text").lower(), "name": attrs["name"],
                                  "value": attrs.get("value") or "", "checked": "checked" in attrs,
                                  "class": attrs.get("class") or "",
                                  "readonly": "readonly" in attrs or "disabled" in attrs})
        elif tag == "select" and attrs.get("name"):
            self._select = {"tag": "select", "name": attrs["name"], "multiple": "multiple" in attrs, "options": [],
                            "readonly": "disabled" in attrs}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = {"tag": "textarea", "name": attrs["name"], "value": "", "readonly": "readonly" in attrs}
            self.controls.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def _controls(response, model) -> list[dict]:
    parser = _FormControls(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    return parser.controls


def _field_name(control_name: str) -> str:
    """``items-0-title`` -> ``title``; ``held_at_0`` (a split date and time) -> ``held_at``."""
    return re.sub(r"_[01]$", "", control_name.rsplit("-", 1)[-1])


def _changed_text(value: str, kind: str = "text") -> str:
    """Another value of the same shape: a date a day later, a time minutes later, a number plus one."""
    date = re.fullmatch(r"(\d{4})([-/])(\d{2})[-/](\d{2})", value)
    if date:
        year, separator, month, day = date.groups()
        later = datetime.date(int(year), int(month), int(day)) + datetime.timedelta(days=1)
        return later.strftime(f"%Y{separator}%m{separator}%d")
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value):
        hour, minute = value.split(":")[:2]
        return f"{hour}:{(int(minute) + 7) % 60:02d}"
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return str(int(float(value)) + 1)
    if "@" in value or kind == "email":
        return "changed-" + (value or "someone@example.com")
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return value + "x"  # a slug or a code stays one
    return (value + " 改") if value else "改动"


def _post_data(controls: list[dict], *, change: bool) -> dict:
    """The form as rendered (``change=False``) or with every control changed to another value."""
    data: dict[str, list[str]] = {}
    for control in controls:
        name, kind = control["name"], control.get("type")
        if control["tag"] == "select":
            chosen = [value for value, selected in control["options"] if selected]
            if change:
                others = [value for value, selected in control["options"] if value and not selected]
                if control["multiple"]:
                    chosen = chosen[1:] if chosen else others[:1]
                elif others:
                    chosen = others[:1]
            data.setdefault(name, []).extend(chosen)
        elif control["tag"] == "textarea":
            data.setdefault(name, []).append(_changed_text(control["value"]) if change else control["value"])
        elif kind in ("checkbox", "radio"):
            checked = control["checked"] != (change and kind == "checkbox" and not name.endswith("DELETE"))
            if checked:
                data.setdefault(name, []).append(control["value"] or "on")
        elif kind in ("submit", "button", "image", "reset"):
            if name == "_save":
                data[name] = [control["value"]]
        elif kind in ("file", "password"):
            continue
        elif kind == "hidden" or not change or control["readonly"]:
            data.setdefault(name, []).append(control["value"])
        elif not control["value"] and "vDateField" in control["class"]:
            data.setdefault(name, []).append("2031/02/03")
        elif not control["value"] and "vTimeField" in control["class"]:
            data.setdefault(name, []).append("10:00")
        elif not control["value"] and "vForeignKeyRawIdAdminField" in control["class"]:
            data.setdefault(name, []).append("1")
        else:
            data.setdefault(name, []).append(_changed_text(control["value"], kind))
    return data


FORGED = {"status": "resolved", "needs_consultation": "on", "sla_state": "done", "due_date": "2030-01-01",
          "resolved_at_0": "2030-01-01", "resolved_at_1": "10:00", "revoked_at_0": "2030-01-01",
          "revoked_at_1": "10:00", "escalation_level": "3", "reply": "forged", "new_due_date": "2030-01-01",
          "concluded": "on", "outcome": "forged", "text": "forged", "title": "forged", "summary": "forged",
          "token_hash": "0" * 64, "token_prefix": "forged", "role": "head", "is_active": "", "rating": "1"}


def _forge(data: dict, model) -> dict:
    """Add a forged value for each service-owned field the page did not offer."""
    for name in _owned(model):
        for key in (name, f"{name}_0", f"{name}_1"):
            if key in FORGED and key not in data:
                data[key] = [FORGED[key]]
    return data


# --- The walk ----------------------------------------------------------------------------------


def _one_of_each(world) -> None:
    """rich_world has no row of a few models; give each registered model one to open."""
    ConsultationFactory(work_order=world.assignment_a.work_order).departments.set([world.dept_a])
    MechanismFactory().tags.set([ProblemTagFactory()])
    CalendarOverride.objects.create(date=datetime.date(2031, 1, 1), is_working_day=False, note="override")
    Preference.objects.create(user=world.user_a, language="en")


def _staff_user(world):
    world.staff.is_staff = True
    world.staff.save()
    return world.staff


def _superuser():
    return get_user_model().objects.create_superuser("root-t18", "root@example.com", "pass-for-tests-1")


def _offered(response, model, *, adding: bool) -> set[str]:
    """The service-owned fields (of the model and its inlines) that the page offers as inputs."""
    offered = set()
    owned = _owned(model)
    through = THROUGH_SERVICE.get(_label(model), {}).get("add" if adding else "change", (set(),))[0]
    form = response.context["adminform"].form
    offered |= {f"{_label(model)}.{name}" for name in set(form.fields) & owned - through}
    for inline in response.context["inline_admin_formsets"]:
        inline_model = inline.formset.model
        inline_owned = _owned(inline_model) - THROUGH_SERVICE.get(_label(inline_model), {}).get("change", (set(),))[0]
        # An inline row's own id and its link to the page's object are hidden fields of any formset.
        inline_owned -= {inline_model._meta.pk.name, inline.formset.fk.name}
        for inline_form in inline.formset.forms:
            offered |= {f"{_label(inline_model)}.{name}" for name in set(inline_form.fields) & inline_owned}
    return offered


def _walk(client) -> tuple[int, int, int, list[str]]:
    """GET and POST every add and change form; returns (models walked, forms posted, forms the admin
    saved, problems)."""
    walked = posted = saved = 0
    problems: list[str] = []
    # Spies on the membership services, which the admin calls for superusers (THROUGH_SERVICE).
    spies = [mock.patch.object(membership_services, name, wraps=getattr(membership_services, name))
             for name in ("add_membership", "change_membership")]
    calls = [spy.start() for spy in spies]
    try:
        for model, model_admin in list(admin.site._registry.items()):
            walked += 1
            info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            obj = model._default_manager.order_by("pk").first()
            targets = [(info + "add/", True)] + ([(f"{info}{obj.pk}/change/", False)] if obj is not None else [])
            for url, adding in targets:
                page = client.get(url)
                if page.status_code != 200 or "adminform" not in (page.context or {}):
                    continue  # not offered to this user (403), or a page of its own (a password form)
                problems += [f"GET {url} offers {name}" for name in sorted(_offered(page, model, adding=adding))]
                if model._meta.app_label not in PRODUCT_APPS:
                    continue  # auth's and the sign-in libraries' forms: seen, not posted (they own no service of ours)
                for change in (False, True):
                    before = _owned_snapshot()
                    for call in calls:
                        call.reset_mock()
                    data = _forge(_post_data(_controls(page, model), change=change), model)
                    response = client.post(url, data)
                    posted += 1
                    saved += response.status_code == 302
                    assert response.status_code in (200, 302, 403), f"POST {url}: {response.status_code}"
                    add_called, change_called = (call.called for call in calls)
                    officer = THROUGH_SERVICE["departments.officer"]
                    through_service = {"departments.officer": (officer["add"][0] | {"add"} if add_called else set())
                                       | (officer["change"][0] if change_called else set())}
                    if add_called or change_called:  # the service tells the department's heads
                        through_service |= {label: {"add"} for label in NOTICES}
                    found = _differences(before, _owned_snapshot(), through_service=through_service)
                    problems += [f"POST {url} ({'changed' if change else 'as shown'}): {diff}" for diff in found]
    finally:
        for spy in spies:
            spy.stop()
    return walked, posted, saved, problems


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_no_admin_form_writes_a_service_owned_field(rich_world, who):
    _one_of_each(rich_world)
    user = _staff_user(rich_world) if who == "staff" else _superuser()
    client = Client()
    client.force_login(user)
    walked, posted, saved, problems = _walk(client)
    print(f"T18 as {who}: {walked} models walked, {posted} forms posted, {saved} saved")
    assert walked == len(admin.site._registry)
    assert posted >= (20 if who == "staff" else 40) and saved >= posted // 3
    assert not problems, "\n".join(problems)


# --- The next model or field -------------------------------------------------------------------


def _product_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PRODUCT_APPS]


def _editable_fields(model, model_admin, request, page_obj, *, parent=None) -> set[str]:
    """The model's fields that the admin (or inline) would offer as inputs on ``page_obj``'s page."""
    readonly = set(model_admin.get_readonly_fields(request, page_obj))
    names = set()
    for field in _fields(model):
        if field.primary_key or not field.editable or field.name in readonly:
            continue
        if parent is not None and getattr(field, "related_model", None) is parent and not field.many_to_many:
            continue  # the inline's link to the page's object
        names.add(field.name)
    return names


def _check(model, model_admin, request, problems, *, adding: bool, page_obj=None, parent=None):
    """``page_obj``: the object of the page (for an inline, the parent's), None on an add page."""
    label = _label(model)
    if adding:
        may = model_admin.has_add_permission(request, page_obj) if parent else model_admin.has_add_permission(request)
    else:
        may = model_admin.has_change_permission(request, page_obj)
    if not may:
        return
    through = THROUGH_SERVICE.get(label, {}).get("add" if adding else "change", (set(),))[0]
    allowed = ALLOWED.get(label, set()) | through | (ALLOWED_ON_ADD.get(label, set()) if adding else set())
    for name in sorted(_editable_fields(model, model_admin, request, page_obj, parent=parent) - allowed):
        problems.append(f"{label}.{name} is editable in {'new' if adding else 'existing'} rows"
                        + (f" of the inline on {_label(parent)}" if parent else "")
                        + ": make it read-only, or add it to ALLOWED if staff may edit it")


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_every_admin_field_is_read_only_or_allowed(rich_world, who):
    """Catches a new model or field: it is read-only in every admin page, or allowed here on purpose."""
    _one_of_each(rich_world)
    user = _staff_user(rich_world) if who == "staff" else _superuser()
    request = RequestFactory().get("/admin/")
    request.user = user
    problems: list[str] = []
    assert not set(ALLOWED) - {_label(m) for m, _a in _product_admins()}
    for label, allowed in ALLOWED.items():
        owned = SERVICE_OWNED.get(label, set())
        assert owned != ALL and not allowed & owned, label
    for model, model_admin in _product_admins():
        obj = model._default_manager.order_by("pk").first()
        _check(model, model_admin, request, problems, adding=True)
        if obj is not None:
            _check(model, model_admin, request, problems, adding=False, page_obj=obj)
        for page_obj in [None, obj] if obj is not None else [None]:
            for inline in model_admin.get_inline_instances(request, page_obj):
                for adding in (True, False):
                    _check(inline.model, inline, request, problems, adding=adding, page_obj=page_obj, parent=model)
        if SERVICE_OWNED.get(_label(model)) == ALL or _label(model) in KEPT_FOR_THE_RECORD:
            if model_admin.has_delete_permission(request, obj):
                problems.append(f"{_label(model)} rows are deleted in the admin, yet only services create them")
    assert not problems, "\n".join(problems)


def test_a_problem_tag_that_a_model_case_carries_is_not_deleted(rich_world):
    """Deleting it would change the case's tags, which only mark_model_case writes."""
    used, unused = ProblemTagFactory(), ProblemTagFactory()
    rich_world.case.tags.add(used)
    client = Client()
    client.force_login(_staff_user(rich_world))
    for pk in (used.pk, unused.pk):
        client.post(f"/admin/workorders/problemtag/{pk}/delete/", {"post": "yes"})
    client.post("/admin/workorders/problemtag/", {"action": "delete_selected", "_selected_action": [used.pk],
                                                  "post": "yes"})
    assert used in rich_world.case.tags.all()
    assert not type(unused).objects.filter(pk=unused.pk).exists()

