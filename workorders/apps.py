from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'workorders'

    def ready(self):
        # Local: the check reads the models, which exist only once the registry is ready.
        from workorders import checks  # noqa: F401 - registers the stamps' deployment check
