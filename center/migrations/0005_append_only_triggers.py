"""Database triggers that refuse UPDATE and DELETE on the center's history tables (simple_history's),
as workorders 0013 does for the apps below: see core/append_only.py."""
from django.db import migrations

from core import append_only


def _tables(apps):
    return sorted(model._meta.db_table for model in apps.get_app_config("center").get_models()
                  if model.__name__.startswith("Historical"))


def forwards(apps, schema_editor):
    append_only.install(schema_editor, _tables(apps))


def backwards(apps, schema_editor):
    append_only.uninstall(schema_editor, _tables(apps))


class Migration(migrations.Migration):

    dependencies = [
        ('center', '0004_system_user'),
        ('workorders', '0013_append_only_triggers'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
