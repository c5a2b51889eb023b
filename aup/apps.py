from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"
    # Its projection check (photo consents, signing requests) registers in integrity.py (core.plugins).
