from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring alerts"

    def ready(self) -> None:
        # The pupil's chronology (incidents) shows monitoring alerts beside cases through its registry, so
        # incidents never imports this app.
        from incidents import chronology

        from . import selectors

        chronology.register_section(selectors.chronology_section)

        from incidents import bundles

        bundles.register_exporter(selectors.bundle_records)

        from safeguarding_portal.audit import projections

        from . import integrity

        projections.register("monitoring.alerts", label="monitoring alerts' state, outcome, pupil and count",
                             agrees_with="their events", run=integrity.check)
