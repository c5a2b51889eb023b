"""Who may see which training record in the audit log (the ``record_access`` plugin, read by the access policy's
``audit_visibility``): whoever manages training at the school sees every entry, anyone else only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins

from .models import TrainingRecord


def _visible_training_records(portal) -> QuerySet | None:
    if portal.can(Cap.MANAGE_TRAINING):
        return None
    return TrainingRecord.objects.filter(user=portal.user)


plugins.register("record_access", "curriculum.trainingrecord", _visible_training_records)
