from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "safeguarding_portal.reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate  # why: in ready(), once every app's models are loaded

        # Each app's sweeps register themselves (core.plugins, kind ``reminder_sweep``) when the schedule or a
        # task first asks for them.
        post_migrate.connect(_sync_schedule, sender=self)

        from safeguarding_portal.outbox.email import delivery_attempted  # why: in ready()

        from .tasks import digest_follows_its_delivery  # why: in ready(), once every app's models are loaded

        delivery_attempted.connect(digest_follows_its_delivery, dispatch_uid="reminders.digest_follows_delivery")


def _sync_schedule(**kwargs) -> None:
    from .schedule import sync_schedule  # why: at post_migrate, not when the app loads

    sync_schedule()
