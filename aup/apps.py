from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"

    def ready(self) -> None:
        from safeguarding_portal.audit import projections

        from . import integrity

        projections.register(
            "aup", label="photo consents and signing requests", agrees_with="the signatures", run=integrity.mismatches
        )
