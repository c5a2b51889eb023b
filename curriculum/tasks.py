"""Celery tasks of the curriculum app, enqueued through the outbox (sent on commit)."""

from __future__ import annotations

import datetime

from celery import shared_task

from safeguarding_portal.schools.models import School

from .services import gaps_check


@shared_task(name="curriculum.check_gaps")
def check_gaps_task(*, school_id: int, on: str | None = None, incident_id: int | None = None) -> int:
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return 0
    day = datetime.date.fromisoformat(on) if on else None
    # Messages queued before incident_id was passed check the whole term, as they did then.
    return len(gaps_check(school=school, on=day, incident_id=incident_id))
