"""A surname thousands of cases share is not counted and ranked in full: the dashboard lists the newest
SEARCH_CAP cases (whole-name matches first), says the list is capped and asks for more of the name; a name
that matches fewer cases is listed in full with its count."""

import re

import pytest
from django.urls import reverse

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def smiths(school, staff):
    exact = PupilFactory(school=school, legal_forename="Ava", surname="Smith")
    longer = PupilFactory(school=school, legal_forename="Leo", surname="Smithson")
    made = [make_case(school=school, reporter=staff, pupils=[exact if i % 2 else longer]) for i in range(6)]
    return exact, longer, made


def _listed(client, q):
    html = client.get(reverse("incidents:dashboard"), {"q": q}).content.decode()
    return re.findall(r'data-label="Case"><a href="[^"]+">([A-Z]+-\d{4}-\d{4})</a>', html), html


def test_a_common_name_lists_the_newest_whole_name_matches_first_and_says_it_is_capped(
    client, signed_in, dsl, smiths, monkeypatch
):
    exact, longer, made = smiths
    monkeypatch.setattr("incidents.selectors.MAX_LISTED_MATCHES", 1)  # "common": the database ranks
    monkeypatch.setattr("incidents.selectors.SEARCH_CAP", 4)
    signed_in(dsl)
    found, html = _listed(client, "Smith")
    exact_cases = [c.reference for c in reversed(made) if c.pupil_links.filter(pupil=exact).exists()]
    longer_cases = [c.reference for c in reversed(made) if c.pupil_links.filter(pupil=longer).exists()]
    # The three Smiths, newest first, then the newest Smithson: four of six.
    assert found == exact_cases + longer_cases[:1]
    assert "The newest 4 of the cases that match: type more of the name" in html


def test_a_name_with_few_cases_lists_them_all_with_their_count(client, signed_in, dsl, smiths, monkeypatch):
    monkeypatch.setattr("incidents.selectors.MAX_LISTED_MATCHES", 1)
    monkeypatch.setattr("incidents.selectors.SEARCH_CAP", 4)
    signed_in(dsl)
    found, html = _listed(client, "Smithson")
    assert len(found) == 3
    assert 'data-testid="list-count">3 cases<' in html
