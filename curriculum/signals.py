"""The hook from incidents to teaching, kept on this side: incidents/ knows nothing of curriculum gaps.

A new incident (or a pupil added to one) enqueues a gap check for its school through the outbox, which
sends it only after the transaction commits, so the check sees the incident's pupils. The daily sweep in
``reminders.py`` is the safety net for anything that bypassed signals (bulk loads).
"""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.outbox.services import enqueue


def _enqueue_check(school_id: int, incident_id: int) -> None:
    # The incident narrows the check to the strands its category and year groups map to (services.gaps_check).
    enqueue("curriculum.check_gaps", school_id=school_id, on=timezone.localdate().isoformat(), incident_id=incident_id)


def incident_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _enqueue_check(instance.school_id, instance.pk)


def involvement_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _enqueue_check(instance.incident.school_id, instance.incident_id)
