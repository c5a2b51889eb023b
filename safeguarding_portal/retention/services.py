"""Changing a school's retention schedule, placing and lifting legal holds: every change is in the audit log
(who, when, what). The disposal itself (sweep, approvals) is ``disposal.py``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.audit.services import Origin, audit_record

from .models import HoldReason, HoldScope, LegalHold, RetentionPeriod
from .registry import KINDS, MAX_YEARS, MIN_YEARS

PERIOD_CHANGED = "retention.period_changed"


@transaction.atomic
def period_set(
    *, school, user, kind: str, years: int, note: str = "", origin: Origin | None = None
) -> RetentionPeriod | None:
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
    audit_record(
        action=PERIOD_CHANGED,
        origin=origin,
        actor=user,
        school=school,
        obj=period,
        summary=f"Retention of {spec.label.lower()} changed from {before} to {years} years "
        f"after {spec.trigger_words.split(' (')[0]}",
        detail={"kind": kind, "before": before, "after": years, "default": spec.years, "note": period.note},
    )
    return period


@transaction.atomic
def schedule_apply(*, school, user, periods: dict[str, int], note: str = "", origin: Origin | None = None) -> None:
    """Make the school's schedule ``periods``, with the portal's default for every kind not listed."""
    for kind, spec in KINDS.items():
        period_set(school=school, user=user, kind=kind, years=periods.get(kind, spec.years), note=note, origin=origin)


# --- legal holds (disposal.py has the design) ----------------------------------------------------------------

HOLD_PLACED = "retention.hold_placed"
HOLD_LIFTED = "retention.hold_lifted"


@transaction.atomic
def hold_place(
    *,
    school,
    user,
    scope: str,
    reason: str,
    detail: str,
    kind: str = "",
    pupil=None,
    record_label: str = "",
    ends_on=None,
    origin: Origin | None = None,
) -> LegalHold:
    """Place a legal hold on a pupil (every record about them), one record (a case), or a kind at the school."""
    detail = (detail or "").strip()
    errors: dict[str, str] = {}
    if scope not in HoldScope.values:
        errors["scope"] = "Choose what the hold covers."
    if reason not in HoldReason.values:
        errors["reason"] = "Choose the reason for the hold."
    if not detail:
        errors["detail"] = "Name the inquiry, claim or police request (a reference if there is one)."
    if ends_on is not None and ends_on < timezone.localdate():
        errors["ends_on"] = "The end date has passed."
    record_id = None
    if scope == HoldScope.PUPIL:
        kind = ""
        if pupil is None or pupil.school_id != school.pk:
            errors["pupil"] = "Choose a pupil of this school."
    else:
        pupil = None
        spec = KINDS.get(kind)
        if spec is None:
            errors["kind"] = "Choose a kind of record."
        elif scope == HoldScope.RECORD:
            if spec.disposal is None:
                errors["kind"] = "The portal does not dispose of this kind of record: nothing to hold."
            else:
                record_id = spec.disposal.find(school=school, label=record_label or "")
                if record_id is None:
                    errors["record_label"] = "No record with that reference at this school."
    if errors:
        raise ValidationError(errors)
    hold = LegalHold(
        school=school,
        scope=scope,
        kind=kind,
        pupil=pupil,
        record_id=record_id,
        record_label=(record_label or "").strip().upper()[:100] if record_id else "",
        reason=reason,
        detail=detail[:500],
        placed_at=timezone.now(),
        placed_by=user,
        ends_on=ends_on,
    )
    hold.full_clean()
    hold.save()
    audit_record(
        action=HOLD_PLACED,
        origin=origin,
        actor=user,
        school=school,
        obj=hold,
        summary=f"Legal hold placed ({hold.get_reason_display().split(' (')[0].lower()}): {hold.subject}"[:300],
        detail={
            "scope": scope,
            "kind": kind,
            "pupil": pupil.pk if pupil else None,
            "record": record_id,
            "reason": reason,
            "detail": hold.detail,
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return hold


@transaction.atomic
def hold_lift(*, school, user, hold: LegalHold, reason: str, origin: Origin | None = None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk, school=school)
    reason = (reason or "").strip()
    if hold.lifted_at is not None:
        raise ValidationError("This hold has already been lifted.")
    if not reason:
        raise ValidationError({"reason": "Say why the hold is lifted (the inquiry closed, the claim settled...)."})
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), user, reason[:500]
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        action=HOLD_LIFTED,
        origin=origin,
        actor=user,
        school=school,
        obj=hold,
        summary=f"Legal hold lifted: {hold.subject}"[:300],
        detail={"reason": hold.lift_reason},
    )
    return hold
