from django.apps import AppConfig


class SarConfig(AppConfig):
    name = "sar"
    verbose_name = "Subject access requests"

    def ready(self) -> None:
        # Each domain app says what it holds about a person in its own ``sar_sources.py`` (the way reminders and
        # retention kinds are found), so this app imports none of them by name.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("sar_sources")
