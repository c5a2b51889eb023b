from django.apps import AppConfig


class SarConfig(AppConfig):
    name = "sar"
    verbose_name = "Subject access requests"
    # Each domain app says what it holds about a person in its own ``sar_sources.py``, found through
    # core.plugins (kind ``sar_source``), so this app imports none of them by name.
