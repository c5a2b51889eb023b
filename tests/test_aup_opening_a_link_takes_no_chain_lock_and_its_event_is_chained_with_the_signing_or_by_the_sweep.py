"""Opening a signing link writes the time and address on the invitation only: no lock on the school's evidence
chain, which every signing holds (a school's parents open their links in the same minutes). The chained
"opened" event, with that time and address, is appended with the parent's signature or refusal, or by the
morning sweep for a parent who did neither, and never twice."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import EventKind, Invitation, SignatureEvent
from aup.reminders import chase_unsigned
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import ChainHead

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _opened(invitation):
    return SignatureEvent.objects.filter(invitation=invitation, kind=EventKind.OPENED)


def test_opening_writes_no_chained_record_and_signing_chains_it_once(client, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    heads = list(ChainHead.objects.values_list("model_label", "chain", "seq", "last_hash"))
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 200  # a second look keeps the first
    assert list(ChainHead.objects.values_list("model_label", "chain", "seq", "last_hash")) == heads
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.opened_ip == "198.51.100.7"
    assert not _opened(invitation).exists()

    response = client.post(url, f.sign_form(invitation))
    again = client.post(url, f.sign_form(invitation))  # a double tap
    assert response.status_code == again.status_code == 302
    [event] = _opened(invitation)
    assert event.at == invitation.opened_at and event.data == {"ip": "198.51.100.7"}
    assert event.actor == "Hannah Morgan"
    assert not chain.verify(SignatureEvent, chains=[f"school:{school.pk}"])


def test_a_refusal_chains_the_opening_too(client, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    client.get(url)
    client.post(url, {"action": "decline", "full_name": "Hannah Morgan", "reason": ""})
    assert _opened(invitation).count() == 1


def test_the_sweep_chains_openings_of_parents_who_have_not_answered_once(client, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    client.get(reverse("aup:sign", args=[services.signing_token(invitation)]), REMOTE_ADDR="203.0.113.4")
    chase_unsigned(today=invitation.campaign.created_at.date())
    chase_unsigned(today=invitation.campaign.created_at.date())
    [event] = _opened(invitation)
    assert event.data == {"ip": "203.0.113.4"}
    assert Invitation.objects.get(pk=invitation.pk).opened_chained
    # Signing afterwards does not chain it again.
    client.post(reverse("aup:sign", args=[services.signing_token(invitation)]), f.sign_form(invitation))
    assert _opened(invitation).count() == 1
    assert not chain.verify(SignatureEvent, chains=[f"school:{school.pk}"])
