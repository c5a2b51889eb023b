from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate  # why: in ready(), once every app's models are loaded

        from . import handlers  # why: in ready(), once every app's models are loaded

        handlers.connect()

        # A change of the category list (incidents.revisions) is recorded at every school on the deploy that
        # brings it, once.
        post_migrate.connect(_record_category_revisions, sender=self)

        from . import chronology, searches, transfer_bundles  # why: in ready(), once every app's models are loaded

        chronology.register_section(searches.chronology_section)
        # Records received from the pupil's earlier schools, after the school's own.
        chronology.register_section(transfer_bundles.chronology_section)


def _record_category_revisions(**kwargs) -> None:
    from .revisions import revisions_record_everywhere  # why: at post_migrate, not when the app loads

    revisions_record_everywhere(**kwargs)
