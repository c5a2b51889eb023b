from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguarding_portal.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Celery finds tasks lazily, in workers. The web process runs tasks in-process when eager and
        # looks them up by name, so register every app's tasks module now.
        from . import plugins  # why: in ready(), once every app's models are loaded

        plugins.discover("tasks")
