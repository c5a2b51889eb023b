"""Changing a school's retention schedule; every change is in the audit log (who, when, from and to)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.audit.services import Origin, audit_record

from .models import RetentionPeriod
from .registry import KINDS, MAX_YEARS, MIN_YEARS

PERIOD_CHANGED = "retention.period_changed"


@transaction.atomic
def period_set(*, school, user, kind: str, years: int, note: str = "",
               origin: Origin | None = None) -> RetentionPeriod | None:
    """Set how many years the school keeps ``kind``; the same period again changes (and records) nothing."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError("Not a kind of record the portal keeps.")
    if not isinstance(years, int) or not MIN_YEARS <= years <= MAX_YEARS:
        raise ValidationError(f"{spec.label}: between {MIN_YEARS} and {MAX_YEARS} years.")
    period = RetentionPeriod.objects.select_for_update().filter(school=school, kind=kind).first()
    before = period.years if period else spec.years
    if period is None:
        if years == spec.years:
            return None  # already the default: nothing to keep
        period = RetentionPeriod(school=school, kind=kind)
    elif period.years == years:
        return period
    period.years, period.note = years, note.strip()
    period.changed_at, period.changed_by = timezone.now(), user
    period.full_clean()
    period.save()
    audit_record(action=PERIOD_CHANGED, origin=origin, actor=user, school=school, obj=period,
                 summary=f"Retention of {spec.label.lower()} changed from {before} to {years} years "
                         f"after {spec.trigger_words.split(' (')[0]}",
                 detail={"kind": kind, "before": before, "after": years, "default": spec.years,
                         "note": period.note})
    return period


@transaction.atomic
def schedule_apply(*, school, user, periods: dict[str, int], note: str = "", origin: Origin | None = None) -> None:
    """Make the school's schedule ``periods``, with the portal's default for every kind not listed."""
    for kind, spec in KINDS.items():
        period_set(school=school, user=user, kind=kind, years=periods.get(kind, spec.years), note=note,
                   origin=origin)
