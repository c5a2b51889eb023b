from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "safeguarding_portal.standards"
    label = "standards"
    verbose_name = "Trust standards"
    # Each domain app declares the kinds of template the trust may set in ``<app>/trust_standards.py`` (core.plugins,
    # kind ``trust_standard``, discovered on first use).
