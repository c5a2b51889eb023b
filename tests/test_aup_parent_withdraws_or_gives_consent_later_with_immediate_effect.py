"""From the link in the certificate email a parent sees what they signed and changes any consent at once."""

import pytest
from django.urls import reverse

from aup import selectors, services
from aup.models import Consent, EventKind, SignatureEvent

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_withdrawing_photo_consent_changes_the_class_list_at_once_and_is_recorded(client, school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    oliver = fam.children[0]
    url = reverse("aup:signed", args=[services.manage_token(invitation)])

    page = client.get(url)
    assert page.status_code == 200 and b"Oliver Morgan" in page.content and b"Withdraw" in page.content
    assert SignatureEvent.objects.filter(invitation=invitation, kind=EventKind.VIEWED).count() == 1
    assert selectors.class_consents(school=school, class_name="5B")["publishable"][0][1] is True

    response = client.post(url, {"signature": signature.pk, "key": "website", "given": "no"})
    assert response.status_code == 302
    assert Consent.objects.get(pupil=oliver, key="website").given is False
    website = selectors.class_consents(school=school, class_name="5B")["publishable"][0]
    assert website[0]["key"] == "website" and website[1:] == (False, 1)
    event = SignatureEvent.objects.get(kind=EventKind.WITHDRAWN)
    assert event.signature == signature and event.data["item"] == "website" and event.actor == "Hannah Morgan"
    # The signature itself still says what was answered at signing.
    signature.refresh_from_db()
    assert signature.consents["website"] is True

    client.post(url, {"signature": signature.pk, "key": "website", "given": "yes"})
    assert Consent.objects.get(pupil=oliver, key="website").given is True
    assert SignatureEvent.objects.filter(kind=EventKind.CONSENT_GIVEN).count() == 1


def test_a_change_that_is_no_change_records_nothing_and_a_forged_item_is_refused(client, school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    url = reverse("aup:signed", args=[services.manage_token(invitation)])
    client.post(url, {"signature": signature.pk, "key": "website", "given": "yes"})
    client.post(url, {"signature": signature.pk, "key": "not_an_item", "given": "no"})
    client.post(url, {"signature": 999999, "key": "website", "given": "no"})
    assert not SignatureEvent.objects.filter(kind__in=[EventKind.WITHDRAWN, EventKind.CONSENT_GIVEN]).exists()
    assert Consent.objects.get(pupil=fam.children[0], key="website").given is True
