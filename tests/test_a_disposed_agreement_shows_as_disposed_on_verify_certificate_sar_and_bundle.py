"""Everywhere a signed agreement is shown, one disposed of under the retention schedule is shown as disposed of,
never as "not found" nor a crash: the public verify page (by code, and by the certificate PDF someone kept) says
it was disposed of on that day, with no initials; the parent's and the signer's certificate links answer 410
with the same; the SAR pack's source says it was disposed of and under which rule, with nothing personal; a
transfer bundle carries it as a tombstone-marked record (no link to recompute, since its content is gone here
too) that verifies with the rest, and the bundle's page says it was disposed of."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from aup import sar_sources, selectors, services
from aup.models import Signature
from incidents import bundles
from safeguarding_portal.accounts.context import acting_as
from sar.sources import Subject

from . import clock
from .disposal_kinds_helpers import agreement_for_leaver, dispose

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


@pytest.fixture
def disposed(school, dsl, head):
    signature, certificate, child = agreement_for_leaver(school)
    with certificate.pdf.open("rb") as fh:
        pdf = fh.read()
    dispose(school, dsl, head)
    return Signature.objects.get(pk=signature.pk), pdf, child


def test_the_verify_page_says_disposed_of_on_the_day_by_code_and_by_the_kept_pdf(client, disposed):
    signature, pdf, _ = disposed
    by_code = client.get(reverse("aup:verify") + f"?code={services.format_code(signature.verification_code)}")
    assert by_code.status_code == 200
    page = by_code.content.decode()
    assert 'data-testid="verify-disposed"' in page
    assert "disposed of under the school's retention schedule on 1 December 2026" in page
    assert "no longer held" in page and "No match" not in page and "altered" not in page and "H. M." not in page
    by_pdf = client.post(reverse("aup:verify"), {"pdf": SimpleUploadedFile("c.pdf", pdf, "application/pdf")})
    assert 'data-testid="verify-disposed"' in by_pdf.content.decode()


def test_the_certificate_links_answer_gone_with_the_day(client, school, disposed):
    signature, _, _ = disposed
    invitation = signature.request.invitation
    url = reverse("aup:signed_certificate", args=[services.manage_token(invitation), signature.verification_code])
    response = client.get(url)
    assert response.status_code == 410
    page = response.content.decode()
    assert 'data-testid="agreement-disposed"' in page and "on 1 December 2026" in page


def test_the_sar_source_says_disposed_of_under_the_rule_with_nothing_personal(school, dsl, disposed):
    signature, _, child = disposed
    (record,) = [
        r
        for r in sar_sources.signatures(portal=acting_as(user=dsl, school=school), subject=Subject(pupil=child))
        if r.key == f"aup.signature:{signature.pk}"
    ]
    texts = " ".join(p.text for p in record.passages)
    assert "Disposed of under the retention schedule on 1 December 2026" in texts
    assert "Agreements and consents: leaving + 6 years" in texts
    assert "Hannah" not in texts


def test_a_bundle_carries_it_as_a_tombstone_that_verifies_and_the_page_says_disposed(school, disposed):
    signature, _, child = disposed
    records = selectors.bundle_records(school=school, pupil=child)
    (record,) = [r for r in records if r["type"] == "signature"]
    assert record["origin"] is None and record["data"]["rule"] == "Agreements and consents: leaving + 6 years"
    assert "signer" not in record["data"] and record["data"]["verification_code"] == signature.verification_code
    assert not [r for r in records if r["type"] == "signature_event"]  # its events went with it
    data = bundles.build(
        private_key=Ed25519PrivateKey.generate(),
        pdf=b"%PDF-1.4",
        records=records,
        bundle_id="b-1",
        created_at=clock.at("2026-12-01 09:00"),
        deployment="test",
        from_school={"name": school.name},
        sent_by={"name": "DSL"},
        pupil={"name": "child"},
    )
    assert bundles.verify(data).problems == []
    page = render_to_string(
        "incidents/_bundle_records.html", {"records": bundles.grouped(bundles.chain_records(records))}
    )
    assert "disposed of under the retention schedule 1 Dec 2026" in page and "signed by" not in page
