"""'1 of fewer than 3' can only mean 1 of 2: when the total is hidden, the part is said in words."""

import datetime

import pytest

from incidents.report import governor_section
from safeguarding_portal.reports.privacy import small_share

from .reports_helpers import concern


@pytest.mark.parametrize(
    ("part", "total", "shown"),
    [
        (0, 0, "0 of 0"),
        (0, 1, "none of fewer than 3"),
        (1, 1, "all of fewer than 3"),
        (1, 2, "some of fewer than 3"),
        (2, 2, "all of fewer than 3"),
        (0, 2, "none of fewer than 3"),
        (1, 3, "fewer than 3 of 3"),
        (0, 3, "0 of 3"),
        (5, 7, "5 of 7"),
    ],
)
def test_a_share_hides_a_small_part_and_never_pairs_a_number_with_a_hidden_total(part, total, shown):
    assert small_share(part, total) == shown


@pytest.mark.django_db
def test_the_governor_report_says_none_of_fewer_than_3_when_two_urgent_concerns_both_waited(school, staff, dsl):
    day = datetime.date(2026, 10, 1)
    for i in range(2):
        concern(
            school=school, reporter=staff, day=day + datetime.timedelta(days=i), dsl=dsl, ack_minutes=600, urgent=True
        )

    section = governor_section(school=school, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 11, 20))

    row = next(r for r in section["summary"] if r["label"].startswith("Urgent concerns acknowledged"))
    assert row["value"] == "none of fewer than 3"
    assert row["rag"] == "red"
    assert section["timing"]["urgent_in_time_share"] == "none of fewer than 3"
