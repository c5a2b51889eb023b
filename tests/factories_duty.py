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


def notification(school, *, by, pupils, notified_at=None, **extra):
    """A police notification recorded by ``by`` now (or at ``notified_at``)."""
    import datetime

    from django.utils import timezone

    from duty import encompass

    notified_at = notified_at or timezone.now()
    fields = {
        "incident_on": timezone.localtime(notified_at).date() - datetime.timedelta(days=1),
        "police_reference": "WPC/2026/1234",
        "officer_name": "PC Amara Okafor",
        "officer_contact": "07700 900999",
        "support": "Key adult to check in at the start of the day.",
    }
    fields.update(extra)
    return encompass.record(school=school, by=by, notified_at=notified_at, pupil_ids=[p.pk for p in pupils], **fields)
