"""A trust lead adds a school to the trust without a developer: its details, term dates, contacts and staff list
(through the MIS import); the school is on the dashboard at once, and the trust lead gains no role there."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.schools.models import ImportRun, School

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

STAFF_CSV = (
    "Name,Email,Role,Job Title\r\nSam Patel,s.patel@brook.example,Staff,Class teacher\r\n"
    "Alex Morgan,a.morgan@brook.example,DSL,Deputy headteacher\r\n"
)


def _post(**overrides) -> dict:
    data = {
        "name": "Brookside Primary",
        "urn": "654321",
        "local_authority": "Wiltshire",
        "reference_prefix": "BRK",
        "address": "1 Brook Lane",
        "phone": "01234 567890",
        "terms-TOTAL_FORMS": "3",
        "terms-INITIAL_FORMS": "0",
        "terms-0-academic_year": "2026",
        "terms-0-name": "autumn",
        "terms-0-starts_on": "2026-09-02",
        "terms-0-ends_on": "2026-12-18",
        "terms-1-academic_year": "2026",
        "terms-1-name": "spring",
        "terms-1-starts_on": "2027-01-05",
        "terms-1-ends_on": "2027-03-26",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-kind": "mash",
        "contacts-0-name": "Wiltshire MASH",
        "contacts-0-phone": "0300 456 0108",
    }
    data.update(overrides)
    return data


def test_the_trust_lead_adds_a_school_with_its_staff(client, signed_in, trust_lead, trust):
    signed_in(trust_lead)
    assert client.get(reverse("schools:trust_school_add")).status_code == 200

    response = client.post(
        reverse("schools:trust_school_add"),
        {**_post(), "staff_file": SimpleUploadedFile("staff.csv", STAFF_CSV.encode())},
    )

    school = School.objects.get(urn="654321")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:trust_school", kwargs={"school_id": school.pk})
    assert school.trust == trust and school.reference_prefix == "BRK"
    assert list(school.terms.values_list("name", flat=True)) == ["autumn", "spring"]
    assert school.contacts.get().name == "Wiltshire MASH"
    assert ImportRun.objects.get(school=school).applied
    assert set(Membership.objects.filter(school=school).values_list("user__email", flat=True)) == {
        "s.patel@brook.example",
        "a.morgan@brook.example",
    }
    assert not Membership.objects.filter(school=school, user=trust_lead).exists()
    assert AuditEvent.objects.filter(summary__contains="Brookside Primary (URN 654321) added").exists()
    assert "Brookside Primary" in client.get(reverse("schools:trust_overview")).content.decode()


def test_a_bad_urn_or_term_is_shown_and_nothing_is_created(client, signed_in, trust_lead):
    signed_in(trust_lead)
    response = client.post(reverse("schools:trust_school_add"), _post(urn="12", **{"terms-0-ends_on": "2026-08-01"}))
    assert response.status_code == 200
    assert not School.objects.filter(name="Brookside Primary").exists()


def test_a_rejected_staff_list_keeps_the_school_and_says_so(client, signed_in, trust_lead):
    signed_in(trust_lead)
    bad = SimpleUploadedFile("staff.csv", b"Name,Email,Role,Job Title\r\nNo Email,,Staff,Teacher\r\n")
    response = client.post(reverse("schools:trust_school_add"), {**_post(), "staff_file": bad}, follow=True)
    school = School.objects.get(urn="654321")
    assert not ImportRun.objects.get(school=school).applied
    assert "its staff list was not imported" in response.content.decode()


def test_only_the_trust_lead_may_add_a_school(client, signed_in, dsl):
    signed_in(dsl)
    assert client.get(reverse("schools:trust_school_add")).status_code == 403
