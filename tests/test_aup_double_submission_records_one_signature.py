"""A double click, a resend or a second tab: one signature per child, and the second send lands on the record."""

import pytest
from django.db import connection
from django.urls import reverse

from aup import services
from aup.models import EventKind, Signature, SignatureEvent

from . import factories_aup as f
from .concurrency import at_once

pytestmark = pytest.mark.django_db


def test_the_second_post_of_the_same_form_records_nothing_more(client, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    data = f.sign_form(invitation)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302
    # The browser shows the second response: it goes to what was signed, not to an error.
    assert second.status_code == 302
    confirmation = f"{reverse('aup:signed', args=[services.manage_token(invitation)])}?done=1"
    assert second["Location"] == first["Location"] == confirmation
    assert Signature.objects.filter(request__invitation=invitation).count() == 2  # two children, once each
    assert SignatureEvent.objects.filter(kind=EventKind.SIGNED).count() == 2


def test_the_service_called_twice_signs_once(school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    assert len(f.sign_invitation(invitation)) == 1
    assert f.sign_invitation(invitation) == []
    assert Signature.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_on_postgresql_sign_once(school):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    fam = f.family(school, children=2)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    at_once(lambda: f.sign_invitation(invitation), times=4)
    assert Signature.objects.count() == 2
