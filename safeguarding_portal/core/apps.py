from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguarding_portal.core"
    label = "core"
    verbose_name = "Core"
