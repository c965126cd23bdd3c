"""The system account that tasks act as (core.system), made before anyone can sign up under its name."""
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations

SYSTEM_USERNAME = "system"


def create_system_user(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    User.objects.get_or_create(username=SYSTEM_USERNAME, defaults={
        "is_active": False, "first_name": "系统 System", "password": make_password(None)})


class Migration(migrations.Migration):
    dependencies = [
        ("center", "0003_departmentmonth"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_system_user, migrations.RunPython.noop)]
