"""Who is on duty, and the school days the rota and Operation Encompass count in.

A school day is a weekday inside one of the school's terms (``schools.Term``). With no terms entered, or past
the last entered term (next year's dates not in yet), every weekday counts, as for the child-protection file
deadline (``incidents.transfers.add_school_days``): a deadline and a person on duty must always exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import School, Term

from .models import WEEKDAYS, DutySettings, Period, RotaSlot, RotaSwap

DSL_TEAM_ROLES = (Role.DSL, Role.DEPUTY_DSL)
# Days looked ahead for the next school day: longer than any summer holiday.
LOOK_AHEAD_DAYS = 60


def settings_for(school: School) -> DutySettings:
    """The school's duty settings, or the defaults (unsaved) when it has none yet."""
    found = DutySettings.objects.filter(school=school).first()
    return found if found is not None else DutySettings(school=school)


class SchoolDays:
    """The school's terms read once, to answer "is this a school day?" for many days."""

    def __init__(self, school: School, *, from_day: datetime.date):
        self.terms = list(Term.objects.filter(school=school, ends_on__gte=from_day).values_list("starts_on", "ends_on"))
        self.last_term_end = (
            Term.objects.filter(school=school).order_by("-ends_on").values_list("ends_on", flat=True).first()
        )

    def __contains__(self, day: datetime.date) -> bool:
        if day.weekday() >= 5:
            return False
        if self.last_term_end is None or day > self.last_term_end:
            return True
        return any(start <= day <= end for start, end in self.terms)


def is_school_day(school: School, day: datetime.date) -> bool:
    return day in SchoolDays(school, from_day=day)


def next_school_day_start(school: School, after: datetime.datetime) -> datetime.datetime:
    """The start of the first school day that begins after ``after`` (today's, when the day has not begun)."""
    cfg = settings_for(school)
    local = timezone.localtime(after)
    days = SchoolDays(school, from_day=local.date())
    day = local.date()
    if not (day in days and local.time() < cfg.day_starts):
        day += datetime.timedelta(days=1)
        for _ in range(LOOK_AHEAD_DAYS):
            if day in days:
                break
            day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, cfg.day_starts))


def period_at(
    school: School, at: datetime.datetime, *, cfg: DutySettings | None = None
) -> tuple[datetime.date, str | None]:
    """The day and the rota period that cover ``at``; no period when nobody is rostered then (out of hours
    at a school without out-of-hours cover)."""
    cfg = cfg or settings_for(school)
    local = timezone.localtime(at)
    day = local.date()
    if is_school_day(school, day) and cfg.day_starts <= local.time() < cfg.day_ends:
        return day, Period.SCHOOL_DAY
    return day, (Period.OUT_OF_HOURS if cfg.out_of_hours_cover else None)


def dsl_team(school: School, *, on: datetime.date | None = None) -> list[User]:
    members = (
        Membership.objects.current(on=on)
        .filter(school=school, role__in=DSL_TEAM_ROLES, user__is_active=True)
        .select_related("user")
    )
    return sorted({m.user for m in members}, key=lambda u: (u.full_name, u.email))


def headteachers(school: School, *, on: datetime.date | None = None) -> list[User]:
    members = (
        Membership.objects.current(on=on)
        .filter(school=school, role=Role.HEADTEACHER, user__is_active=True)
        .select_related("user")
    )
    return sorted({m.user for m in members}, key=lambda u: (u.full_name, u.email))


def rostered(school: School, day: datetime.date, period: str) -> tuple[User | None, RotaSwap | None]:
    """Whoever the rota names for the day and period (a swap wins over the weekly pattern), and the swap."""
    swap = RotaSwap.objects.filter(school=school, on=day, period=period).select_related("person").first()
    if swap is not None:
        return swap.person, swap
    slot = RotaSlot.objects.filter(school=school, weekday=day.weekday(), period=period).select_related("person").first()
    return (slot.person if slot else None), None


def on_duty(school: School, at: datetime.datetime | None = None) -> User | None:
    """The DSL or deputy on duty at ``at`` (now by default); None when nobody is rostered, or the person
    rostered no longer holds a DSL role at the school (then the whole team is told, never nobody)."""
    at = at or timezone.now()
    day, period = period_at(school, at)
    if period is None:
        return None
    person, _swap = rostered(school, day, period)
    if person is None or not person.is_active:
        return None
    if not Membership.objects.current(on=day).filter(school=school, user=person, role__in=DSL_TEAM_ROLES).exists():
        return None
    return person


@dataclass(frozen=True)
class WeekRow:
    day: datetime.date
    name: str
    school_day: bool
    school_day_person: User | None
    school_day_swap: RotaSwap | None
    out_of_hours_person: User | None
    out_of_hours_swap: RotaSwap | None


def week(school: School, *, starting: datetime.date) -> list[WeekRow]:
    """Seven days of the rota from ``starting`` as the page shows them, in four queries."""
    end = starting + datetime.timedelta(days=6)
    days = SchoolDays(school, from_day=starting)
    slots = {(s.weekday, s.period): s.person for s in RotaSlot.objects.filter(school=school).select_related("person")}
    swaps = {
        (s.on, s.period): s
        for s in RotaSwap.objects.filter(school=school, on__range=(starting, end)).select_related("person")
    }
    rows = []
    for i in range(7):
        day = starting + datetime.timedelta(days=i)
        sd, ooh = swaps.get((day, Period.SCHOOL_DAY)), swaps.get((day, Period.OUT_OF_HOURS))
        in_school = day in days
        rows.append(
            WeekRow(
                day=day,
                name=WEEKDAYS[day.weekday()],
                school_day=in_school,
                school_day_person=(
                    (sd.person if sd else slots.get((day.weekday(), Period.SCHOOL_DAY))) if in_school else None
                ),
                school_day_swap=sd if in_school else None,
                out_of_hours_person=ooh.person if ooh else slots.get((day.weekday(), Period.OUT_OF_HOURS)),
                out_of_hours_swap=ooh,
            )
        )
    return rows


def upcoming_swaps(school: School, *, today: datetime.date):
    return RotaSwap.objects.filter(school=school, on__gte=today).select_related("person", "recorded_by")
