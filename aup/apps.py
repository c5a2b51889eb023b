from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"

    def ready(self) -> None:
        # A pupil's agreements and consents go into a CP file's transfer bundle through its registry.
        from incidents import bundles

        from . import selectors

        bundles.register_exporter(selectors.bundle_records)

        from safeguarding_portal.audit import projections

        from . import integrity

        projections.register(
            "aup", label="photo consents and signing requests", agrees_with="the signatures", run=integrity.mismatches
        )
