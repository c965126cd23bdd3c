from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CenterConfig(AppConfig):
    name = "center"
    verbose_name = _("Service center")

    def ready(self):
        # Local: ready() runs once the app registry is loaded; roles reads it when the signal fires.
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from center import checks  # noqa: F401 - registers the deployment checks
        from core.append_only import register_sqlite_functions
        from core.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        # The SQLite delete triggers of the append-only tables ask this connection's center_flushing().
        connection_created.connect(register_sqlite_functions)
