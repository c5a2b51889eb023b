import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.categories import Category

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(school, staff, head):
    often = PupilFactory(school=school, legal_forename="Alex", surname="Often", year_group="7")
    once = PupilFactory(school=school, legal_forename="Bea", surname="Once", year_group="9")
    for _ in range(3):
        make_case(school=school, reporter=staff, pupils=[often])
    make_case(school=school, reporter=staff, pupils=[once], category=Category.PHISHING_SCAMS)
    make_case(school=school, reporter=staff, pupils=[once], category=Category.STAFF_CONDUCT, subject_staff=head)
    return often, once


def _cell(html, table, key):
    start = html.index(f'data-testid="trend-{table}"')
    cell = html.index(f'data-key="{key}">', start)
    return int(html[cell : html.index("<", cell)].split(">")[1])


def test_dsl_sees_counts_and_the_names_of_pupils_in_three_or_more_concerns(client, signed_in, dsl, cases):
    signed_in(dsl)
    response = client.get(reverse("incidents:trends"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _cell(html, "category", "cyberbullying") == 3
    assert _cell(html, "category", "phishing_scams") == 1
    assert _cell(html, "category", "staff_conduct") == 0  # allegations are never counted
    assert _cell(html, "four_c", "conduct") == 3 and _cell(html, "four_c", "commerce") == 1
    assert _cell(html, "year_group", "7") == 3 and _cell(html, "year_group", "9") == 1
    assert sum(int(v) for v in [_cell(html, "four_c", k) for k in ("content", "contact", "conduct", "commerce")]) == 4
    assert "Alex Often" in html and "Bea Once" not in html
    assert "style=" not in html


def test_online_safety_lead_sees_the_count_of_flagged_pupils_but_no_names(client, signed_in, osl, cases):
    signed_in(osl)
    response = client.get(reverse("incidents:trends"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1</strong> pupil flagged" in html
    assert "Alex" not in html and "Often" not in html


@pytest.mark.parametrize("persona", ["staff", "governor", "technician"])
def test_trends_are_refused_to_others(client, signed_in, request, persona):
    signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("incidents:trends")).status_code == 403


def test_trends_queries_do_not_grow_with_cases(client, signed_in, school, staff, dsl):
    pupils = PupilFactory.create_batch(3, school=school)
    make_case(school=school, reporter=staff, pupils=pupils)
    signed_in(dsl)
    url = reverse("incidents:trends")
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for category in (Category.CYBERBULLYING, Category.ONLINE_HATE, Category.GAMBLING_SPENDING) * 4:
        make_case(school=school, reporter=staff, pupils=pupils, category=category)
    assert count() == few
