"""The roles of DESIGN.md section 2 as groups, with their model permissions.

``sync_roles`` is idempotent and runs after every ``migrate`` (and from ``manage.py sync_roles``),
so permissions are never set up by hand. Object-level rules (which department, which enterprise)
live in each app's ``permissions.py``; these groups only open the doors of the admin.
"""
from django.apps import apps as global_apps
from django.db import transaction

ENTERPRISE = "enterprise_contact"
CENTER_STAFF = "center_staff"
OFFICER = "department_officer"
HEAD = "department_head"
LEADER = "district_leader"

ALL_ROLES = (ENTERPRISE, CENTER_STAFF, OFFICER, HEAD, LEADER)

DOMAIN_APPS = ("projects", "departments", "workorders", "center", "workdays")

# Models whose rows center staff may delete in the admin; everything else is kept for the record.
STAFF_MAY_DELETE = {
    "workdays.calendaroverride",
    "workorders.problemtag",
    "center.agendaitem",
    "center.officehourssession",
    "center.mechanism",
}
# Rows that nobody edits through the admin: stamps are immutable, heartbeats belong to the worker.
READ_ONLY_MODELS = {"workorders.approval", "center.workerheartbeat", "center.departmentmonth"}
# Rows center staff only view: memberships decide who signs a department's stamps, and the center's
# staff and the departments' signing are kept apart (superusers, and a department's head for its
# officers, change them: ``departments.permissions.may_manage_memberships``).
STAFF_VIEW_ONLY = {"departments.officer"}
# Permissions outside our own apps, by role: center staff may look up and remove someone's lost
# authenticator app (django-otp's TOTP devices), never add or change one (that would let them
# choose the codes someone else signs in with).
EXTRA_PERMISSIONS = {
    CENTER_STAFF: {("otp_totp", "view_totpdevice"), ("otp_totp", "delete_totpdevice")},
}


def _codenames_for(role: str, apps) -> set[tuple[str, str]]:
    wanted = set()
    for app_label in DOMAIN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            name = model._meta.model_name
            if name.startswith("historical"):
                continue
            label = f"{app_label}.{name}"
            if role == LEADER:
                wanted.add((app_label, f"view_{name}"))
            elif role == CENTER_STAFF:
                wanted.add((app_label, f"view_{name}"))
                if label not in READ_ONLY_MODELS | STAFF_VIEW_ONLY:
                    wanted.add((app_label, f"add_{name}"))
                    wanted.add((app_label, f"change_{name}"))
                if label in STAFF_MAY_DELETE:
                    wanted.add((app_label, f"delete_{name}"))
    return wanted | EXTRA_PERMISSIONS.get(role, set())


def sync_roles(apps=global_apps) -> dict[str, int]:
    """Create the role groups and set exactly their permissions. Returns permissions per role."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    counts = {}
    app_labels = set(DOMAIN_APPS) | {app_label for extra in EXTRA_PERMISSIONS.values() for app_label, _codename in extra}
    with transaction.atomic():
        for role in ALL_ROLES:
            group, _ = Group.objects.get_or_create(name=role)
            wanted = _codenames_for(role, apps)
            perms = [
                perm
                for perm in Permission.objects.filter(content_type__app_label__in=app_labels).select_related(
                    "content_type"
                )
                if (perm.content_type.app_label, perm.codename) in wanted
            ]
            group.permissions.set(perms)
            counts[role] = len(perms)
    return counts


def sync_roles_after_migrate(sender, **kwargs):
    sync_roles()
