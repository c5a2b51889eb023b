"""Helpers for the duty tests: a weekly rota in one call, the DSL team as the tests need it."""

from __future__ import annotations

from duty import services
from duty.models import Period


def weekly_rota(school, *, by, school_day: dict[int, object] = (), out_of_hours: dict[int, object] = ()) -> None:
    """``school_day={0: dsl, 1: deputy}`` puts the DSL on Mondays and the deputy on Tuesdays."""
    for day, person in dict(school_day).items():
        services.set_slot(school=school, by=by, weekday=day, period=Period.SCHOOL_DAY, person=person)
    for day, person in dict(out_of_hours).items():
        services.set_slot(school=school, by=by, weekday=day, period=Period.OUT_OF_HOURS, person=person)


def every_weekday(person) -> dict[int, object]:
    return dict.fromkeys(range(5), person)
