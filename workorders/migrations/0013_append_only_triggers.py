"""Database triggers that refuse UPDATE and DELETE on stamps (except their revocation), on the
timeline and on every history table (simple_history's) of workorders and of the apps below it
(departments, projects, workdays): see core/append_only.py. After 0012, whose backfill writes stamps."""
from django.db import migrations

from core import append_only

# The columns a revocation writes (workorders.models.stamps.REVOCATION_FIELDS); everything else of a
# stamp is fixed when it is made.
STAMP_TABLES = {"workorders_approval": ("revoked_at", "revoked_by_id", "revocation_reason", "revocation_signature")}
TIMELINE_TABLES = ["workorders_requestevent"]
HISTORY_APPS = ["workdays", "projects", "departments", "workorders"]


def _tables(apps):
    history = [model._meta.db_table for label in HISTORY_APPS for model in apps.get_app_config(label).get_models()
               if model.__name__.startswith("Historical")]
    return sorted(history) + TIMELINE_TABLES


def forwards(apps, schema_editor):
    append_only.install(schema_editor, _tables(apps), stamp_tables=STAMP_TABLES)


def backwards(apps, schema_editor):
    append_only.uninstall(schema_editor, _tables(apps) + list(STAMP_TABLES))


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0002_api_stamping'),
        ('projects', '0001_initial'),
        ('workdays', '0002_official_schedule'),
        ('workorders', '0012_approval_membership_verification_token'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
