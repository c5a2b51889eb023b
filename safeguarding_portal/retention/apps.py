from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safeguarding_portal.retention"
    label = "retention"
    verbose_name = "Retention schedule"
    # Each app declares the kinds of record it keeps, and their default periods, in ``<app>/retention_kinds.py``
    # (core.plugins, kind ``retention_kind``, discovered on first use).
