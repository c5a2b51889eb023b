"""The governor report counts police notifications and how many were seen before the next school day, in
counts only ("fewer than 3" when small); the trust report takes the same figure from duty.figures."""

import datetime

import pytest

from duty import encompass, figures
from duty.report import governor_section
from safeguarding_portal.reports.figures import columns_for

from . import clock
from .factories import PupilFactory
from .factories_duty import every_weekday, notification, weekly_rota

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
START, END = datetime.date(2026, 9, 1), datetime.date(2026, 12, 18)


def test_the_section_counts_notifications_and_those_seen_in_time(school, dsl, deputy):
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl))
    pupils = [PupilFactory(school=school) for _ in range(4)]
    made = [notification(school, by=dsl, pupils=[p]) for p in pupils]
    for n in made[:3]:
        encompass.acknowledge(notification=n, by=deputy)
    section = governor_section(school=school, start=START, end=END)
    assert section["encompass"] == {"notifications": 4, "seen": 3}
    values = {row["label"]: row["value"] for row in section["summary"]}
    assert values["Seen before the next school day"] == "3 of 4"
    assert values["School days with a DSL named on the duty rota"] == "5 of 5"
    assert any("not seen before the start" in a for a in section["actions"])
    assert figures.encompass_figures(school_ids=[school.pk], start=START, end=END)[school.pk].percent == 75


def test_small_numbers_are_shown_as_fewer_than_three_and_the_trust_sees_the_same(school, dsl):
    n = notification(school, by=dsl, pupils=[PupilFactory(school=school)])
    encompass.acknowledge(notification=n, by=dsl)
    section = governor_section(school=school, start=START, end=END)
    assert section["encompass"] == {"notifications": "fewer than 3", "seen": "fewer than 3"}
    column = next(
        c for c in columns_for(school_ids=[school.pk], start=START, end=END, today=END) if c.key == "encompass"
    )
    assert column.values[school.pk] == "all of fewer than 3"
