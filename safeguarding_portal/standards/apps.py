from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "safeguarding_portal.standards"
    label = "standards"
    verbose_name = "Trust standards"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each domain app declares the kinds of template the trust may set in ``<app>/trust_standards.py``.
        autodiscover_modules("trust_standards")
