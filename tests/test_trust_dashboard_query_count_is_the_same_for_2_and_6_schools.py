"""The trust dashboard reads one stored row per school: its query count does not grow with the schools."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding_portal.reports import school_figures

from . import clock
from .factories import SchoolFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def _queries(client, trust) -> int:
    school_figures.refresh(school_ids=list(trust.schools.values_list("pk", flat=True)))
    client.get(reverse("schools:trust_overview"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("schools:trust_overview"))
    assert response.status_code == 200
    return len(captured)


def test_same_queries_for_two_and_for_six_schools(client, signed_in, trust_lead, trust, school, other_school, staff):
    make_case(school=school, reporter=staff)
    signed_in(trust_lead)

    two = _queries(client, trust)
    for i in range(4):
        SchoolFactory(trust=trust, name=f"Extra School {i}")
    six = _queries(client, trust)

    assert six == two
    body = client.get(reverse("schools:trust_overview")).content.decode()
    assert body.count('data-testid="dashboard-row"') == 6


def test_a_large_trust_reads_a_page_of_schools_at_a_time(client, signed_in, trust_lead, trust, school):
    from safeguarding_portal.reports import school_figures as sf

    for i in range(sf.PAGE_SIZE + 1):
        SchoolFactory(trust=trust, name=f"Extra School {i:02d}")
    signed_in(trust_lead)
    first = client.get(reverse("schools:trust_overview")).content.decode()
    second = client.get(reverse("schools:trust_overview"), {"page": "2", "sort": "name"}).content.decode()

    assert first.count('data-testid="dashboard-row"') == sf.PAGE_SIZE
    assert second.count('data-testid="dashboard-row"') == 2
    assert f"<strong>{sf.PAGE_SIZE + 2}</strong> schools" in first and "Page 1 of 2" in first
    assert "Next schools" in first and "Previous schools" in second
