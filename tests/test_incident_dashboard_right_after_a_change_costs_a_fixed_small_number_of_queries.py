"""The DSL's dashboard right after a change to a case (its cached figures out of date) costs a fixed, small
number of queries, however many cases the school has.

A change moves the figures' version on, so the next dashboard recomputes its counts and trend: from the kept
counts (incidents.counts), with what they cannot know (allegations shared with the team, today's overdue, the
leavers' open cases) read in the same statement, and the version itself one read. What is left is the page's
own: session, user, second factor, membership, the agreements gate, the list and its pupils' names, the
reporters, the undelivered urgent alerts and the kept filters.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.categories import Category

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

# session, user, second factor, membership, agreements gate (5); the figures' version (1); the counts: kept
# states, shared allegations, overdue and leavers in one UNION ALL (1); the kept weeks and the shared
# allegations' weeks (2); the list and its pupils' names (2); reporters, undelivered urgent alerts, kept
# filters (3). It was 18 (with the test client's second factor) before the version's two reads became one and
# the counts' four one.
QUERIES = 14


def _dashboard_right_after_a_change(client) -> list[str]:
    cache.clear()  # what a change does to the cached figures (their key carries the school's version)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("incidents:dashboard"))
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_dashboard_right_after_a_change_costs_a_fixed_small_number_of_queries(
    client, signed_in, school, staff, dsl, head
):
    pupils = PupilFactory.create_batch(3, school=school)
    for _ in range(3):
        make_case(school=school, reporter=staff, pupils=pupils)
    # An allegation about the head: not a route the DSL team sees whole, so its own part of the counts' read.
    make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=head)
    signed_in(dsl)
    client.get(reverse("incidents:dashboard"))  # the first request makes the session's and chain's rows

    few = _dashboard_right_after_a_change(client)
    assert len(few) <= QUERIES, "\n".join(few)

    for _ in range(20):
        make_case(school=school, reporter=staff, pupils=pupils)
    many = _dashboard_right_after_a_change(client)
    assert len(many) == len(few), "\n".join(many)
