from typing import Any

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "safeguarding_portal.reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import registry

        # Each app's sweeps register themselves when its ``reminders`` module is imported.
        registry.autodiscover()
        post_migrate.connect(_sync_schedule, sender=self)

        from safeguarding_portal.outbox.email import delivery_attempted

        from .tasks import digest_follows_its_delivery

        delivery_attempted.connect(digest_follows_its_delivery, dispatch_uid="reminders.digest_follows_delivery")


def _sync_schedule(**kwargs: Any) -> None:
    from .schedule import sync_schedule

    sync_schedule()
