"""The coverage heatmap: year groups x the eight strands for the academic year, gaps plain to see."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum import selectors

from . import factories_curriculum as f
from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_cells_count_lessons_of_this_academic_year_only(school, staff):
    for yg in ("3", "4"):
        PupilFactory(school=school, year_group=yg)
    f.lesson(school, staff, year_group="3", strands=("privacy", "bullying"), taught_on=datetime.date(2026, 9, 10))
    f.lesson(school, staff, year_group="3", strands=("privacy",), taught_on=datetime.date(2026, 10, 1))
    f.lesson(school, staff, year_group="3", strands=("privacy",), taught_on=datetime.date(2026, 6, 1))  # last year
    heat = selectors.heatmap(school=school, academic_year=2026)
    assert heat.year_groups == ["3", "4"]
    assert heat.cells[("3", "privacy")].lessons == 2
    assert heat.cells[("3", "bullying")].lessons == 1
    assert heat.cells[("4", "privacy")].lessons == 0
    assert heat.untaught == 16 - 2
    assert selectors.heatmap(school=school, academic_year=2025).cells[("3", "privacy")].lessons == 1


def test_the_page_shows_untaught_cells_and_gaps(client, signed_in, school, osl, staff):
    PupilFactory(school=school, year_group="5")
    gap = f.gap(school, year_group="5", strand="bullying")
    signed_in(osl)
    body = client.get(reverse("curriculum:heatmap")).content.decode()
    assert body.count("not taught") >= 8
    assert reverse("curriculum:gap", args=[gap.pk]) in body and "1 open gap raised by incidents" in body


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_heatmap_query_count_does_not_grow_with_pupils_lessons_or_gaps(client, signed_in, school, osl, staff):
    signed_in(osl)
    url = reverse("curriculum:heatmap")
    PupilFactory(school=school, year_group="1")
    f.lesson(school, staff, year_group="1", strands=("privacy",))
    small = _queries(client, url)
    for yg in ("2", "3", "4", "5", "6"):
        for _ in range(4):
            PupilFactory(school=school, year_group=yg)
        f.lesson(school, staff, year_group=yg, strands=("privacy", "health", "copyright"))
        f.gap(school, year_group=yg, strand="bullying")
    assert _queries(client, url) == small
