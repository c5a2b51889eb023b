from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"

    def ready(self) -> None:
        # A pupil's agreements and consents go into a CP file's transfer bundle through incidents' registry (as
        # monitoring's alerts do). Its projection check registers in integrity.py (core.plugins).
        from incidents import bundles  # why: in ready(), once every app's models are loaded

        from . import selectors  # why: in ready(), once every app's models are loaded

        bundles.register_exporter(selectors.bundle_records)
