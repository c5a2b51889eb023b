from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = "DSL on duty, Operation Encompass and AI tools"

    def ready(self) -> None:
        # The pupil's chronology (incidents) lists the police notifications that named the pupil through its
        # registry, so incidents never imports this app.
        from incidents import chronology  # why: in ready(), once every app's models are loaded

        from .encompass import chronology_section  # why: in ready(), once every app's models are loaded

        chronology.register_section(chronology_section)

        from incidents import bundles

        from .encompass import bundle_records

        bundles.register_exporter(bundle_records)
