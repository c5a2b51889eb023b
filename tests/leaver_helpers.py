"""Marking pupils as left as the MIS import does (``schools.importer``: ``left_on`` set to the import's day for
every pupil the file no longer lists)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from safeguarding_portal.schools.models import Pupil


def mark_left(*pupils, on: datetime.date | None = None) -> datetime.date:
    day = on or timezone.localdate()
    Pupil.objects.filter(pk__in=[p.pk for p in pupils]).update(left_on=day, updated_at=timezone.now())
    for p in pupils:
        p.refresh_from_db()
    return day
