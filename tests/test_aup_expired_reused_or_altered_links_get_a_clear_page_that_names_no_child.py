"""A broken link says what to do and nothing about whom it was for."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aup import services
from aup.models import Campaign, Invitation

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _names_nobody(response) -> None:
    html = response.content.decode()
    for word in ("Oliver", "Isla", "Morgan", "Oakfield", "hannah@"):
        assert word not in html, word


@pytest.fixture
def invitation(school):
    fam = f.family(school)
    return f.invitation_of(f.campaign(school, notify=False), fam.guardian)


def test_an_altered_token_is_not_found(client, invitation):
    token = services.signing_token(invitation)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("aup:sign", args=[altered]))
    assert response.status_code == 404
    assert b"This link does not work" in response.content and b"contact the school office" in response.content
    _names_nobody(response)
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_an_expired_link_says_ask_for_a_new_one(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("aup:sign", args=[services.signing_token(invitation)]))
    assert response.status_code == 410
    assert b"This link has expired" in response.content and b"ask for a new link" in response.content
    _names_nobody(response)


def test_a_closed_campaign_expires_its_links_and_a_post_signs_nothing(client, invitation):
    Campaign.objects.filter(pk=invitation.campaign_id).update(closed_at=timezone.now())
    response = client.post(reverse("aup:sign", args=[services.signing_token(invitation)]), f.sign_form(invitation))
    assert response.status_code == 410
    assert not invitation.requests.filter(signature__isnull=False).exists()


def test_a_used_link_says_it_was_used(client, invitation):
    f.sign_invitation(invitation)
    response = client.get(reverse("aup:sign", args=[services.signing_token(invitation)]))
    assert response.status_code == 410
    assert b"already been used" in response.content
    _names_nobody(response)


def test_a_manage_link_works_only_after_signing_and_a_wrong_one_is_not_found(client, invitation):
    url = reverse("aup:signed", args=[services.manage_token(invitation)])
    assert client.get(url).status_code == 410  # nothing signed with it yet
    f.sign_invitation(invitation)
    assert client.get(url).status_code == 200
    wrong = client.get(reverse("aup:signed", args=["x" * 43]))
    assert wrong.status_code == 404
    _names_nobody(wrong)


def test_one_familys_manage_link_cannot_fetch_another_familys_certificate(client, school, invitation):
    other_family = f.family(school, email="other@home.example", children=1)
    other = f.invitation_of(f.campaign(school, notify=False), other_family.guardian)
    mine = f.sign_invitation(invitation)
    theirs = f.sign_invitation(other)
    assert mine and theirs
    url = reverse("aup:signed_certificate", args=[services.manage_token(invitation), theirs[0].verification_code])
    response = client.get(url)
    assert response.status_code == 404
    _names_nobody(response)


def test_the_other_parents_link_after_one_parent_signed_says_it_is_done(client, school, invitation):
    f.sign_invitation(invitation)
    partner = Invitation.objects.get(campaign=invitation.campaign, guardian__full_name="Mark Morgan")
    url = reverse("aup:sign", args=[services.signing_token(partner)])
    for response in (client.get(url), client.post(url, f.sign_form(partner))):
        assert response.status_code == 410 and b"already been used" in response.content
        _names_nobody(response)
