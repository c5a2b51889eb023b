"""Each audience's agreement has versions; publishing freezes the text with its SHA-256."""

import hashlib

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from aup import selectors, services
from aup.models import Agreement, AgreementVersion, Audience
from safeguarding_portal.audit.chain import AppendOnlyError

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_the_office_edits_a_draft_then_publishes_it_frozen_with_its_hash(client, signed_in, school, dsl):
    signed_in(dsl)
    url = reverse("aup:agreement", args=[Audience.PARENT])
    page = client.get(url)
    assert page.status_code == 200 and b"Photos on the school website" in page.content
    text = "I will talk with my child about staying safe online.\nI will not post photos of other children."
    response = client.post(
        url,
        {
            "title": "Parents' agreement",
            "text": text,
            "consent_items": "Photos on the website\nClass blog\n",
            "summary": "Shorter",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    version = Agreement.objects.get(school=school, audience=Audience.PARENT).current_version
    assert version.text == text and version.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert [i["label"] for i in version.consent_items] == ["Photos on the website", "Class blog"]
    assert version.published_by == dsl

    version.text = "changed"
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aup_agreementversion SET text = 'forged' WHERE id = %s", [version.pk])


def test_the_parents_agreement_needs_consent_questions(client, signed_in, school, dsl):
    signed_in(dsl)
    response = client.post(
        reverse("aup:agreement", args=[Audience.PARENT]),
        {"title": "P", "text": "Some text", "consent_items": "  ", "action": "publish"},
    )
    assert response.status_code == 200 and b"at least one consent question" in response.content
    assert not AgreementVersion.objects.filter(published_at__isnull=False).exists()


def test_staff_cannot_manage_agreements(client, signed_in, staff):
    signed_in(staff)
    assert client.get(reverse("aup:manage")).status_code == 403


def test_a_new_version_counts_old_signatures_unless_it_requires_resigning(school, staff):
    v1 = f.published(school, Audience.STAFF)
    services.sign_own(school=school, user=staff, version=v1, evidence=f.EVIDENCE, issue_certificate=False)
    f.published(school, Audience.STAFF, text="Version two, a typo fixed.")
    assert selectors.current_signature(school=school, user=staff, audience=Audience.STAFF) is not None
    rows = {r["name"]: r for r in selectors.register(school=school, audience=Audience.STAFF)}
    assert rows[staff.full_name]["state"] == "current"

    f.published(school, Audience.STAFF, text="Version three: new rules on AI tools.", requires_resign=True)
    assert selectors.current_signature(school=school, user=staff, audience=Audience.STAFF) is None
    rows = {r["name"]: r for r in selectors.register(school=school, audience=Audience.STAFF)}
    assert rows[staff.full_name]["state"] == "old" and rows[staff.full_name]["version"] == 1
