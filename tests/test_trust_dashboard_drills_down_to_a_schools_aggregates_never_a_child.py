"""The trust lead's dashboard and a school's drill-down show figures only: no child, member of staff or case
reference of a school where the trust lead holds no role, even with small counts that could point to one;
another trust's school is not found; red/amber/green follow the thresholds the trust sets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.reports import school_figures
from safeguarding_portal.reports.models import TrustThresholds

from . import clock
from .factories import PupilFactory, SchoolFactory, TrustFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
NAMES = ("Zebedee", "Quillfeather", "Q12345678901A")


@pytest.fixture
def cases(school, staff, technician):
    pupil = PupilFactory(school=school, upn="Q12345678901A", legal_forename="Zebedee", surname="Quillfeather")
    case = make_case(school=school, reporter=staff, pupils=[pupil], immediate_risk=True)
    allegation = make_case(school=school, reporter=staff, category="staff_conduct", subject_staff=technician)
    return [case, allegation]


def test_dashboard_and_drill_down_name_no_child_staff_or_case(
    client, signed_in, trust_lead, school, cases, technician, staff
):
    signed_in(trust_lead)
    for url in (reverse("schools:trust_overview"), reverse("reports:trust_school", kwargs={"school_id": school.pk})):
        body = client.get(url).content.decode()
        assert school.name in body
        for text in (*NAMES, technician.email, staff.email, *(c.reference for c in cases)):
            assert text not in body, f"{text!r} at {url}"
        assert "fewer than 3" in body  # one urgent case: a small count of children's cases is not shown as 1
        assert "/incidents/" not in body and "/pupils/" not in body  # no link to a record


def test_another_trusts_school_is_not_found(client, signed_in, trust_lead):
    stranger = SchoolFactory(trust=TrustFactory(name="Faraway Trust"), name="Faraway School")
    signed_in(trust_lead)
    response = client.get(reverse("reports:trust_school", kwargs={"school_id": stranger.pk}))
    assert response.status_code == 404


def test_cells_follow_the_trusts_thresholds_and_the_school_needing_most_attention_comes_first(
    client, signed_in, trust_lead, trust, school, other_school, cases
):
    signed_in(trust_lead)
    school_figures.refresh(school_ids=[school.pk, other_school.pk])
    body = client.get(reverse("schools:trust_overview")).content.decode()
    rows = body.split('data-testid="dashboard-row"')[1:]
    assert school.name in rows[0]  # its urgent case is not acknowledged: red
    urgent = rows[0].split('data-key="urgent_unacknowledged"')[1].split("</li>")[0]
    assert "rag-red" in urgent and "Red: needs attention" in urgent  # the state in words too, not colour alone

    # The trust decides that one unacknowledged urgent case is amber, three red.
    response = client.post(
        reverse("reports:trust_thresholds"),
        {**_current_thresholds(client), "urgent_unacknowledged__amber": 1, "urgent_unacknowledged__red": 3},
    )
    assert response.status_code == 302
    assert TrustThresholds.objects.get(trust=trust).values["urgent_unacknowledged"] == {"amber": 1, "red": 3}
    body = client.get(reverse("schools:trust_overview")).content.decode()
    urgent = body.split('data-key="urgent_unacknowledged"')[1].split("</li>")[0]
    assert "rag-amber" in urgent

    # Thresholds the wrong way round are refused with a message.
    response = client.post(
        reverse("reports:trust_thresholds"), {**_current_thresholds(client), "training__amber": 80, "training__red": 95}
    )
    assert response.status_code == 200 and "Red must be at or below amber" in response.content.decode()

    by_name = client.get(reverse("schools:trust_overview"), {"sort": "name"}).content.decode()
    assert by_name.index(other_school.name) < by_name.index(school.name)  # Hillside before Oakfield


def _current_thresholds(client) -> dict:
    form = client.get(reverse("reports:trust_thresholds")).context["form"]
    return {name: form[name].value() for name in form.fields}
