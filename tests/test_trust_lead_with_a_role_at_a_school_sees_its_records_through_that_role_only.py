"""A trust safeguarding lead who also holds a role at one school (many do) sees that school's records through
that role only: as a member of staff, no case or pupil record; as its DSL, its cases, but only while working
in that school, never from the trust overview; and nothing of a school of the trust where they hold no role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.accounts.policy import Role

from . import clock
from .factories import MembershipFactory, PupilFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
REFUSED = (403, 404)


@pytest.fixture
def records(school, other_school, staff, outsider):
    here = PupilFactory(school=school, legal_forename="Zebedee", surname="Quillfeather")
    there = PupilFactory(school=other_school, legal_forename="Ottoline", surname="Farrow")
    return {
        "here": here,
        "there": there,
        "case_here": make_case(school=school, reporter=staff, pupils=[here]),
        "case_there": make_case(school=other_school, reporter=outsider, pupils=[there]),
    }


def _work_in(client, context: str) -> None:
    assert client.post(reverse("switch_context"), {"context": context}).status_code == 302


def _case(client, case):
    return client.get(reverse("incidents:case", kwargs={"reference": case.reference}))


def _pupil(client, pupil):
    return client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk}))


def test_as_staff_at_the_school_no_case_or_pupil_record(client, signed_in, trust_lead, trust, school, records):
    MembershipFactory(user=trust_lead, school=school, role=Role.STAFF)
    signed_in(trust_lead)
    _work_in(client, f"school:{school.pk}")
    assert _case(client, records["case_here"]).status_code in REFUSED
    assert _pupil(client, records["here"]).status_code in REFUSED
    # Working in the school, the trust's pages are not theirs either: one role at a time.
    assert client.get(reverse("schools:trust_overview")).status_code in REFUSED

    _work_in(client, f"trust:{trust.pk}")
    body = client.get(reverse("reports:trust_school", kwargs={"school_id": school.pk})).content.decode()
    assert "Zebedee" not in body and records["case_here"].reference not in body
    assert _case(client, records["case_here"]).status_code in REFUSED


def test_as_the_schools_dsl_its_cases_in_that_school_only(
    client, signed_in, trust_lead, trust, school, other_school, records
):
    MembershipFactory(user=trust_lead, school=school, role=Role.DSL)
    signed_in(trust_lead)
    _work_in(client, f"school:{school.pk}")
    response = _case(client, records["case_here"])
    assert response.status_code == 200 and "Zebedee" in response.content.decode()
    # The other school of the trust: no role there, so nothing of it, in either context.
    assert _case(client, records["case_there"]).status_code in REFUSED
    assert _pupil(client, records["there"]).status_code in REFUSED

    _work_in(client, f"trust:{trust.pk}")
    assert _case(client, records["case_here"]).status_code in REFUSED
    assert _pupil(client, records["here"]).status_code in REFUSED

    # Asking to work in the other school changes nothing: they hold no role there.
    client.post(reverse("switch_context"), {"context": f"school:{other_school.pk}"})
    assert _case(client, records["case_there"]).status_code in REFUSED
    assert "Ottoline" not in client.get(reverse("home")).content.decode()
