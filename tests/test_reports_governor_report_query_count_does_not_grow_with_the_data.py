"""The report's figures take the same number of queries for 3 concerns or 40."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.categories import Category
from safeguarding_portal.reports import builder

from .reports_helpers import concern

START, END = datetime.date(2026, 9, 2), datetime.date(2026, 11, 20)
CATEGORIES = [Category.CYBERBULLYING, Category.PHISHING_SCAMS, Category.UNWANTED_CONTACT, Category.MISINFORMATION]


def _queries(school) -> int:
    with CaptureQueriesContext(connection) as queries:
        builder.context(school=school, start=START, end=END)
    return len(queries)


def _add(school, staff, dsl, n, offset):
    for i in range(n):
        concern(
            school=school,
            reporter=staff,
            day=START + datetime.timedelta(days=(offset + i) % 70),
            category=CATEGORIES[i % 4],
            dsl=dsl,
            ack_minutes=20 + i,
            refer_to="police" if i % 3 == 0 else None,
            close=i % 2 == 0,
        )
    # Earlier terms' history feeds the comparison.
    for i in range(n // 2):
        concern(school=school, reporter=staff, day=START - datetime.timedelta(days=30 + i), category=CATEGORIES[i % 4])


@pytest.mark.django_db
def test_query_count_is_the_same_at_two_scales(school, staff, dsl):
    _add(school, staff, dsl, 3, 0)
    _queries(school)  # the first report gives the school its default training requirements (one insert)
    small = _queries(school)
    _add(school, staff, dsl, 37, 5)
    large = _queries(school)
    assert small == large
    # Each section answers in a handful of queries, whatever the data (incidents, agreements, filtering, curriculum).
    assert large <= 60, large
