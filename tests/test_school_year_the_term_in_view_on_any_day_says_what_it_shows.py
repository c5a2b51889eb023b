"""On any day the portal knows which term it is showing and says so in plain words: in term, in each
holiday, in a new school year whose dates nobody has entered, and with no term dates at all."""

import datetime

import pytest

from safeguarding_portal.schools.calendar import typical_terms
from safeguarding_portal.schools.models import Term
from safeguarding_portal.schools.selectors import term_in_view

from .factories import SchoolFactory, enter_term_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def oak():
    """A school that has entered 2025/26 and 2026/27 (typical dates: autumn 2026 is 2 Sep to 18 Dec)."""
    school = SchoolFactory()
    enter_term_dates(school, 2025)
    enter_term_dates(school, 2026)
    return school


def test_typical_terms_fall_where_english_schools_keep_them():
    assert typical_terms(2026) == [
        ("autumn", datetime.date(2026, 9, 2), datetime.date(2026, 12, 18)),
        ("spring", datetime.date(2027, 1, 4), datetime.date(2027, 3, 26)),
        ("summer", datetime.date(2027, 4, 12), datetime.date(2027, 7, 22)),
    ]
    for year in range(2024, 2040):  # weekdays only, and no overlap between terms or years
        terms = typical_terms(year)
        assert all(start.weekday() < 5 and end.weekday() < 5 for _, start, end in terms)
        assert terms[0][2] < terms[1][1] < terms[1][2] < terms[2][1] < typical_terms(year + 1)[0][1]


def test_in_term_the_current_term_is_shown_by_name(oak):
    view = term_in_view(school=oak, today=datetime.date(2026, 11, 23))
    assert view.in_term and str(view.term) == "Autumn 2026/27" and view.note == "Autumn 2026/27"
    assert view.window() == (datetime.date(2026, 9, 2), datetime.date(2026, 12, 18))
    assert view.missing_year is None


@pytest.mark.parametrize(
    ("day", "holiday", "term"),
    [
        (datetime.date(2026, 12, 28), "Christmas holiday", "autumn term 2026/27"),
        (datetime.date(2027, 4, 6), "Easter holiday", "spring term 2026/27"),
        (datetime.date(2026, 8, 20), "Summer holiday", "summer term 2025/26"),
    ],
)
def test_in_a_holiday_the_term_just_ended_and_the_days_since_are_shown(oak, day, holiday, term):
    view = term_in_view(school=oak, today=day)
    assert not view.in_term
    assert view.note == f"{holiday}: showing the {term} and the days since"
    # A concern raised in the holiday still counts somewhere: the window runs to today.
    assert view.window() == (view.term.starts_on, day)
    assert view.missing_year is None


def test_from_july_the_coming_years_missing_dates_are_named(oak):
    in_july = term_in_view(school=oak, today=datetime.date(2027, 7, 1))
    assert in_july.in_term and in_july.missing_year == 2027 and in_july.missing_label == "2027/28"
    in_june = term_in_view(school=oak, today=datetime.date(2027, 6, 30))
    assert in_june.missing_year is None

    enter_term_dates(oak, 2027)
    assert term_in_view(school=oak, today=datetime.date(2027, 7, 1)).missing_year is None


def test_a_new_school_year_without_its_dates_shows_the_last_term_and_says_the_dates_are_missing(oak):
    view = term_in_view(school=oak, today=datetime.date(2027, 9, 20))
    assert not view.in_term and view.term.name == Term.Name.SUMMER and view.term.academic_year == 2026
    assert view.missing_year == 2027
    assert view.note == "Term dates for 2027/28 are missing: showing the summer term 2026/27 and the days since"


def test_with_no_term_dates_at_all_the_last_thirteen_weeks_are_shown():
    school = SchoolFactory()
    today = datetime.date(2027, 2, 10)
    view = term_in_view(school=school, today=today)
    assert view.term is None and not view.in_term and view.missing_year == 2026
    assert view.note == "No term dates entered: showing the last 13 weeks"
    assert view.window() == (today - datetime.timedelta(weeks=13), today)


def test_only_future_terms_entered_is_before_the_first_term():
    school = SchoolFactory()
    enter_term_dates(school, 2027)
    view = term_in_view(school=school, today=datetime.date(2027, 8, 20))
    assert view.term is None and view.missing_year is None
    assert view.note == "Before the first term: showing the last 13 weeks"
