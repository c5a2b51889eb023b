from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from safeguarding_portal.audit import projections

        from . import handlers, integrity

        handlers.connect()

        projections.register(
            "incidents", label="case status and sharing", agrees_with="the timelines", run=integrity.mismatches
        )
