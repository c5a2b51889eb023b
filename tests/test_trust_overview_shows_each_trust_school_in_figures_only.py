"""The trust lead's page: each of the trust's schools with figures, no names, and nothing of other trusts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from .factories import PupilFactory, SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolls(school, other_school):
    for _ in range(3):
        PupilFactory(school=school)
    PupilFactory(school=school, left_on=datetime.date(2025, 7, 18), surname="Leaverton")
    PupilFactory(school=other_school)
    stranger = SchoolFactory(trust=TrustFactory(name="Faraway Trust"), name="Faraway School")
    PupilFactory(school=stranger)


def _rows(body: str) -> list[str]:
    table = body.split('data-testid="trust-dashboard"')[1].split("</table>")[0]
    return [row.split("</tr>")[0] for row in table.split('data-testid="dashboard-row"')[1:]]


def test_the_trust_lead_lands_on_the_overview(client, signed_in, trust_lead, rolls):
    signed_in(trust_lead)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:trust_overview")


def test_each_school_of_the_trust_with_pupils_on_roll(client, signed_in, trust_lead, school, other_school, rolls):
    signed_in(trust_lead)

    body = client.get(reverse("schools:trust_overview")).content.decode()

    rows = sorted(_rows(body), key=lambda r: "Oakfield" in r)
    assert len(rows) == 2
    assert "Hillside Academy" in rows[0] and 'data-testid="on-roll">1<' in rows[0]
    assert "Oakfield Primary School" in rows[1] and 'data-testid="on-roll">3<' in rows[1]  # the leaver is not counted
    assert 'data-testid="trust-on-roll">4<' in body
    assert "Riverside Learning Trust" in body


def test_other_trusts_schools_and_pupils_never_appear(client, signed_in, trust_lead, rolls):
    signed_in(trust_lead)

    body = client.get(reverse("schools:trust_overview")).content.decode()

    assert "Faraway" not in body
    assert "Leaverton" not in body


def test_the_trust_lead_has_no_school_pages(client, signed_in, trust_lead, rolls):
    signed_in(trust_lead)

    for name in ("schools:pupil_list", "schools:staff_list", "emergency_contacts", "audit:log", "schools:import"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_navigation_offers_the_overview_only_to_the_trust_lead(client, signed_in, trust_lead, dsl):
    signed_in(trust_lead)
    assert reverse("schools:trust_overview").encode() in client.get(reverse("schools:trust_overview")).content
    signed_in(dsl)
    assert reverse("schools:trust_overview").encode() not in client.get(reverse("home")).content
