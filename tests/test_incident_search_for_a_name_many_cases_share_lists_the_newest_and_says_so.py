"""A surname thousands of cases share is not counted and ranked in full: the dashboard lists the newest
SEARCH_CAP matching cases, ranked among themselves (whole-name matches first), says the list is capped and asks
for more of the name, whether the newest cases are found by reading the school's newest cases a page at a time
or, for matches too sparse for that, by asking the database; a name that matches fewer cases is listed in full
with its count."""

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


@pytest.mark.parametrize("pages", [1, 0], ids=["read newest first", "asked of the database"])
def test_a_common_name_lists_the_newest_matches_whole_names_first_and_says_it_is_capped(
    client, signed_in, dsl, smiths, monkeypatch, pages
):
    exact, longer, made = smiths
    monkeypatch.setattr("incidents.selectors.MAX_LISTED_MATCHES", 1)  # "common": the capped path
    monkeypatch.setattr("incidents.selectors.SEARCH_CAP", 4)
    monkeypatch.setattr("incidents.selectors.SEARCH_PAGES", pages)
    signed_in(dsl)
    found, html = _listed(client, "Smith")
    newest = list(reversed(made))[:4]
    of = {c.reference: c.pupil_links.get().pupil_id for c in newest}
    # The newest four of six: the Smiths among them newest first, then the Smithsons.
    assert found == (
        [c.reference for c in newest if of[c.reference] == exact.pk]
        + [c.reference for c in newest if of[c.reference] == longer.pk]
    )
    assert "The newest 4 of the cases that match: type more of the name" in html


def test_a_name_with_few_cases_lists_them_all_with_their_count(client, signed_in, dsl, smiths, monkeypatch):
    monkeypatch.setattr("incidents.selectors.MAX_LISTED_MATCHES", 1)
    monkeypatch.setattr("incidents.selectors.SEARCH_CAP", 4)
    signed_in(dsl)
    found, html = _listed(client, "Smithson")
    assert len(found) == 3
    assert 'data-testid="list-count">3 cases<' in html
