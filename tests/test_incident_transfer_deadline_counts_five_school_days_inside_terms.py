import datetime

import pytest

from incidents.transfers import add_school_days
from safeguarding_portal.schools.models import Term

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_without_terms_every_weekday_counts():
    school = SchoolFactory()
    thursday = datetime.date(2026, 10, 22)
    assert add_school_days(school=school, start=thursday, days=5) == datetime.date(2026, 10, 29)


def test_sent_on_the_thursday_before_a_holiday_skips_the_holiday():
    # Terms are recorded one row per term, so a holiday between terms is what the portal can see.
    school = SchoolFactory()
    Term.objects.create(
        school=school,
        academic_year=2026,
        name="autumn",
        starts_on=datetime.date(2026, 9, 2),
        ends_on=datetime.date(2026, 12, 18),
    )
    Term.objects.create(
        school=school,
        academic_year=2026,
        name="spring",
        starts_on=datetime.date(2027, 1, 5),
        ends_on=datetime.date(2027, 3, 26),
    )
    thursday = datetime.date(2026, 12, 17)
    # Fri 18 Dec, then Tue 5, Wed 6, Thu 7, Fri 8 Jan.
    assert add_school_days(school=school, start=thursday, days=5) == datetime.date(2027, 1, 8)


def test_past_the_last_recorded_term_weekdays_count_so_a_deadline_always_exists():
    school = SchoolFactory()
    Term.objects.create(
        school=school,
        academic_year=2026,
        name="summer",
        starts_on=datetime.date(2027, 4, 12),
        ends_on=datetime.date(2027, 7, 21),
    )
    assert add_school_days(school=school, start=datetime.date(2027, 7, 20), days=5) == datetime.date(2027, 7, 27)
