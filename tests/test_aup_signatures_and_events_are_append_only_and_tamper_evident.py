"""Signatures and their events are hash-chained per school; the ORM and the database refuse changes."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from aup.models import Signature, SignatureEvent
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import AppendOnlyError

from . import factories_aup as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(school):
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    return f.sign_invitation(f.invitation_of(camp, fam.guardian))


def test_the_chains_verify_and_link_each_record_to_the_one_before(signed):
    assert chain.verify(Signature) == [] and chain.verify(SignatureEvent) == []
    first, second = sorted(signed, key=lambda s: s.seq)
    assert second.prev_hash == first.hash


def test_the_orm_refuses_to_change_or_delete(signed):
    signature = signed[0]
    signature.signer_name = "Someone Else"
    with pytest.raises(AppendOnlyError):
        signature.save()
    with pytest.raises(AppendOnlyError):
        signature.delete()
    with pytest.raises(AppendOnlyError):
        Signature.objects.filter(pk=signature.pk).update(signer_name="x")
    with pytest.raises(AppendOnlyError):
        SignatureEvent.objects.all().delete()


def test_the_database_refuses_an_update_behind_the_orms_back(signed):
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aup_signature SET signer_name = 'Forged' WHERE id = %s", [signed[0].pk])
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aup_signatureevent SET actor = 'Forged'")


def test_the_database_refuses_a_delete_on_postgresql(signed):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite test teardown deletes rows; there the models' delete() is the guard")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM aup_signatureevent")


def test_verify_chains_names_a_tampered_signature(signed, capsys):
    signature = sorted(signed, key=lambda s: s.seq)[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What an attacker with the database owner's rights could do; deferred FK checks must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE aup_signature DISABLE TRIGGER aup_signature_no_update")
        else:
            cursor.execute("DROP TRIGGER aup_signature_no_update")
        cursor.execute("UPDATE aup_signature SET consents = %s WHERE id = %s", ['{"website": false}', signature.pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE aup_signature ENABLE TRIGGER aup_signature_no_update")
    breaks = chain.verify(Signature)
    assert len(breaks) == 1 and breaks[0].pk == signature.pk
    with pytest.raises(CommandError):
        call_command("verify_chains")
    assert (
        f"BROKEN aup.Signature: chain 'school:{signature.school_id}', link #{signature.seq}" in capsys.readouterr().err
    )
