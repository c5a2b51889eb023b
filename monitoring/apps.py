from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring alerts"

    def ready(self) -> None:
        # The pupil's chronology (incidents) shows monitoring alerts beside cases through its registry, so
        # incidents never imports this app.
        from incidents import chronology  # why: in ready(), once every app's models are loaded

        from . import selectors  # why: in ready(), once every app's models are loaded

        chronology.register_section(selectors.chronology_section)

        from incidents import bundles  # why: in ready(), once every app's models are loaded

        bundles.register_exporter(selectors.bundle_records)
