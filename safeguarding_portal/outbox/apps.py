from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "safeguarding_portal.outbox"
    label = "outbox"
    verbose_name = "Task outbox"
