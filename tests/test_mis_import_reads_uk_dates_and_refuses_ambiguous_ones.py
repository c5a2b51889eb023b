"""Dates are day/month/year as UK MIS exports write them; the importer never guesses at anything else."""

import datetime

import pytest

from safeguarding_portal.schools.importer import check_date_of_birth, parse_uk_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("17/05/2016", datetime.date(2016, 5, 17)),
        ("7/5/2016", datetime.date(2016, 5, 7)),
        ("05/06/2016", datetime.date(2016, 6, 5)),  # 5 June: UK order, even though the US would read 6 May
        ("2016-05-17", datetime.date(2016, 5, 17)),
        ("17-05-2016", datetime.date(2016, 5, 17)),
        ("17.05.2016", datetime.date(2016, 5, 17)),
        ("17/05/2016 00:00", datetime.date(2016, 5, 17)),
        ("2016-05-17T00:00:00", datetime.date(2016, 5, 17)),
        ("17 May 2016", datetime.date(2016, 5, 17)),
        ("17-May-2016", datetime.date(2016, 5, 17)),
        ("29/02/2016", datetime.date(2016, 2, 29)),
    ],
)
def test_accepted_date_forms(value, expected):
    assert parse_uk_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("05/17/2016", "US month/day/year"),
        ("12/31/2016", "US month/day/year"),
        ("31/02/2016", "does not exist"),
        ("29/02/2017", "does not exist"),
        ("2016-13-01", "does not exist"),
        ("17/05/16", "four-digit year"),
        ("17 May 16", "four-digit year"),
        ("next Tuesday", "not a date"),
        ("17052016", "not a date"),
        ("42", "not a date"),
    ],
)
def test_refused_dates_say_why(value, message):
    with pytest.raises(ValueError, match=message):
        parse_uk_date(value)


def test_a_date_of_birth_must_make_a_school_age_child():
    today = datetime.date(2026, 11, 22)
    check_date_of_birth(datetime.date(2016, 5, 17), today=today)
    with pytest.raises(ValueError, match="in the future"):
        check_date_of_birth(datetime.date(2027, 1, 1), today=today)
    with pytest.raises(ValueError, match="younger than two"):
        check_date_of_birth(datetime.date(2026, 1, 1), today=today)
    with pytest.raises(ValueError, match="makes the pupil 60"):
        check_date_of_birth(datetime.date(1966, 5, 17), today=today)
