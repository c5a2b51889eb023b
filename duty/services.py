"""Rota changes and the escalation chain every urgent item follows (urgent reports, Operation Encompass)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from . import selectors
from .models import WEEKDAYS, DutySettings, Period, RotaSlot, RotaSwap


@dataclass(frozen=True)
class Stage:
    """Who is told, how long after the item arrived: ``on_duty`` first, then ``team``, then ``head``."""

    key: str
    after: datetime.timedelta
    people: tuple[User, ...]


def escalation_chain(school: School, at: datetime.datetime | None = None) -> list[Stage]:
    """[the person on duty], then the rest of the DSL team after the school's set minutes, then the head.

    With nobody on duty (no rota, or out of hours without cover) the whole team is told at once and the head
    after the team's minutes: what the portal did before it had a rota.
    """
    at = at or timezone.now()
    cfg = selectors.settings_for(school)
    day = timezone.localtime(at).date()
    team = selectors.dsl_team(school, on=day)
    heads = tuple(selectors.headteachers(school, on=day))
    person = selectors.on_duty(school, at)
    if person is None:
        return [
            Stage("team", datetime.timedelta(0), tuple(team)),
            Stage("head", datetime.timedelta(minutes=cfg.team_after_minutes), heads),
        ]
    return [
        Stage("on_duty", datetime.timedelta(0), (person,)),
        Stage("team", datetime.timedelta(minutes=cfg.team_after_minutes), tuple(u for u in team if u.pk != person.pk)),
        Stage("head", datetime.timedelta(minutes=cfg.head_after_minutes), heads),
    ]


def _check_person(school: School, person: User, day: datetime.date | None = None) -> None:
    if (
        not Membership.objects.current(on=day)
        .filter(school=school, user=person, role__in=selectors.DSL_TEAM_ROLES)
        .exists()
    ):
        raise ValidationError({"person": "Only the DSL or a deputy DSL can be on duty."})


def _check_period(weekday: int, period: str) -> None:
    if period not in Period.values or not 0 <= weekday <= 6:
        raise ValidationError("Choose a day of the week and a period.")
    if period == Period.SCHOOL_DAY and weekday > 4:
        raise ValidationError("School days are weekdays: weekends are out of hours.")


@transaction.atomic
def set_slot(*, school: School, by: User, weekday: int, period: str, person: User | None) -> RotaSlot | None:
    """Put someone on the weekly pattern for a weekday and period (None clears it)."""
    _check_period(weekday, period)
    label = f"{WEEKDAYS[weekday]} ({Period(period).label.lower()})"
    if person is None:
        deleted, _ = RotaSlot.objects.filter(school=school, weekday=weekday, period=period).delete()
        if deleted:
            audit_record(
                action=AuditAction.SCHOOL_UPDATED,
                actor=by,
                school=school,
                summary=f"Duty rota: nobody on {label}",
                detail={"weekday": weekday, "period": period},
            )
        return None
    _check_person(school, person)
    slot, _ = RotaSlot.objects.update_or_create(
        school=school,
        weekday=weekday,
        period=period,
        defaults={"person": person, "updated_by": by, "updated_at": timezone.now()},
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=school,
        obj=slot,
        summary=f"Duty rota: {person.full_name} on {label}",
        detail={"weekday": weekday, "period": period, "person": person.pk},
    )
    return slot


@transaction.atomic
def swap_day(*, school: School, by: User, on: datetime.date, period: str, person: User, reason: str) -> RotaSwap:
    """Cover one day with someone else (holiday, absence): replaces any swap already on that day."""
    if period not in Period.values:
        raise ValidationError({"period": "Choose a period."})
    if period == Period.SCHOOL_DAY and not selectors.is_school_day(school, on):
        raise ValidationError({"on": f"{on:%-d %B %Y} is not a school day (see the term dates)."})
    if on < timezone.localdate():
        raise ValidationError({"on": "A swap is for today or a day to come."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why (holiday, absence, course...)."})
    _check_person(school, person, on)
    swap, _ = RotaSwap.objects.update_or_create(
        school=school,
        on=on,
        period=period,
        defaults={"person": person, "reason": reason.strip()[:200], "recorded_by": by, "recorded_at": timezone.now()},
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=school,
        obj=swap,
        summary=f"Duty swap: {person.full_name} covers {on:%-d %b %Y} ({Period(period).label.lower()})",
        detail={"on": on.isoformat(), "period": period, "person": person.pk, "reason": swap.reason},
    )
    return swap


@transaction.atomic
def cancel_swap(*, swap: RotaSwap, by: User) -> None:
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=swap.school,
        obj=swap,
        summary=f"Duty swap cancelled for {swap.on:%-d %b %Y} ({swap.get_period_display().lower()})",
        detail={"on": swap.on.isoformat(), "period": swap.period, "person": swap.person_id},
    )
    swap.delete()


@transaction.atomic
def save_settings(
    *,
    school: School,
    by: User,
    day_starts: datetime.time,
    day_ends: datetime.time,
    out_of_hours_cover: bool,
    team_after_minutes: int,
    head_after_minutes: int,
    sms_enabled: bool = False,
) -> DutySettings:
    if day_ends <= day_starts:
        raise ValidationError({"day_ends": "The school day's cover must end after it starts."})
    if team_after_minutes < 1 or head_after_minutes <= team_after_minutes:
        raise ValidationError({"head_after_minutes": "The head is told after the rest of the team."})
    cfg, _ = DutySettings.objects.update_or_create(
        school=school,
        defaults={
            "day_starts": day_starts,
            "day_ends": day_ends,
            "out_of_hours_cover": out_of_hours_cover,
            "team_after_minutes": team_after_minutes,
            "head_after_minutes": head_after_minutes,
            "sms_enabled": sms_enabled,
            "updated_by": by,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=school,
        obj=cfg,
        summary="Duty settings changed",
        detail={
            "day_starts": day_starts.isoformat(),
            "day_ends": day_ends.isoformat(),
            "out_of_hours_cover": out_of_hours_cover,
            "team_after_minutes": team_after_minutes,
            "head_after_minutes": head_after_minutes,
            "sms_enabled": sms_enabled,
        },
    )
    return cfg
