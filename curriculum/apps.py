from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = "Curriculum and training"

    def ready(self) -> None:
        from django.db.models.signals import post_save  # why: in ready(), once every app's models are loaded

        from incidents.models import Incident, IncidentPupil  # why: in ready(), once every app's models are loaded

        from . import signals  # why: in ready(), once every app's models are loaded

        post_save.connect(signals.incident_saved, sender=Incident, dispatch_uid="curriculum.incident_saved")
        post_save.connect(signals.involvement_saved, sender=IncidentPupil, dispatch_uid="curriculum.involvement_saved")
