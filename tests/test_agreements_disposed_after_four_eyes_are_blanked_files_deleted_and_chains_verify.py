"""Once the DSL and the headteacher have both approved, a leaver's agreement is disposed of: the signer's name,
the address and browser they signed from, the drawn signature, the consents and every event's actor and details
are blanked; the certificate PDF is deleted from storage (after commit); the child's consents projection goes.
What signed which version when, the verification code and the links stay, with a tombstone per blanked row, and
both the signatures' and the events' chains still verify, as does verify_chains with its consent projection
check. Writing into a disposed row afterwards is a break; its links cannot be rewritten at all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from aup.models import Certificate, Consent, Signature, SignatureEvent
from safeguarding_portal.audit import chain
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, ItemOutcome, Tombstone

from . import clock
from .disposal_kinds_helpers import LEFT_LATELY, agreement_for_leaver, dispose
from .retention_helpers import swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def test_one_approval_disposes_of_nothing(school, dsl):
    signature, certificate, _ = agreement_for_leaver(school)
    swept()
    disposal.batch_approve(school=school, user=dsl, batch=DisposalBatch.objects.get(school=school))
    assert Signature.objects.get(pk=signature.pk).signer_name == "Hannah Morgan"
    assert default_storage.exists(certificate.pdf.name)
    assert not Tombstone.objects.exists()


def test_a_disposed_agreement_is_blanked_its_certificate_deleted_and_the_chains_verify(
    school, dsl, head, django_capture_on_commit_callbacks
):
    signature, certificate, child = agreement_for_leaver(school, email="a@home.example")
    kept, kept_certificate, _ = agreement_for_leaver(school, left_on=LEFT_LATELY, email="b@home.example")
    pdf = certificate.pdf.name
    assert default_storage.exists(pdf) and Consent.objects.filter(signature=signature).exists()

    with django_capture_on_commit_callbacks(execute=True):
        batch = dispose(school, dsl, head)
    assert batch.status == "disposed"
    assert batch.items.get().outcome == ItemOutcome.DISPOSED

    gone = Signature.objects.get(pk=signature.pk)
    assert (gone.signer_name, gone.ip_address, gone.user_agent, gone.drawn_signature, gone.consents) == (
        "",
        None,
        "",
        "",
        {},
    )
    assert (gone.verification_code, gone.pupil_id, gone.version_id, gone.hash) == (
        signature.verification_code,
        child.pk,
        signature.version_id,
        signature.hash,
    )
    events = SignatureEvent.objects.filter(signature=signature)
    assert events.count() >= 2  # signed, consent withdrawn
    assert set(events.values_list("actor", flat=True)) == {""} and all(e.data == {} for e in events)
    assert not default_storage.exists(pdf)
    assert Certificate.objects.get(pk=certificate.pk).pdf.name == ""
    assert Certificate.objects.get(pk=certificate.pk).sha256 == certificate.sha256  # the verify page finds it
    assert not Consent.objects.filter(signature=signature).exists()
    tombstones = Tombstone.objects.filter(kind="aup.agreements")
    assert set(tombstones.values_list("record_model", flat=True)) == {
        "aup.Signature",
        "aup.SignatureEvent",
        "aup.Certificate",
    }
    assert tombstones.get(record_model="aup.Signature").record_label == signature.verification_code

    # The one still kept is untouched.
    assert Signature.objects.get(pk=kept.pk).signer_name == "Hannah Morgan"
    assert default_storage.exists(kept_certificate.pdf.name)

    assert not chain.verify(Signature) and not chain.verify(SignatureEvent) and not chain.verify(Tombstone)
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=out)
    report = out.getvalue()
    assert "aup.Signature: intact" in report and "aup.SignatureEvent: intact" in report, report


def test_writing_into_a_disposed_agreement_is_a_break_and_its_links_cannot_change(school, dsl, head):
    signature, _, _ = agreement_for_leaver(school, email="a@home.example")
    kept, _, _ = agreement_for_leaver(school, left_on=LEFT_LATELY, email="b@home.example")
    dispose(school, dsl, head)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE aup_signature SET signer_name = %s WHERE id = %s", ["Someone Else", signature.pk])
        assert [b.reason for b in chain.verify(Signature)] == ["what is left of a disposed record was changed"]
        transaction.set_rollback(True)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aup_signature SET verification_code = %s WHERE id = %s", ["X" * 24, signature.pk])
    # A signature not disposed of stays frozen: neither the database nor ``blank`` lets anything through.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aup_signature SET signer_name = '' WHERE id = %s", [kept.pk])
    with pytest.raises(chain.AppendOnlyError):
        disposal.blank(kept, {"signer_name": ""})
