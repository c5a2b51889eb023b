from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safeguarding_portal.retention"
    label = "retention"
    verbose_name = "Retention schedule"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares the kinds of record it keeps, and their default periods, in ``<app>/retention_kinds.py``.
        autodiscover_modules("retention_kinds")
