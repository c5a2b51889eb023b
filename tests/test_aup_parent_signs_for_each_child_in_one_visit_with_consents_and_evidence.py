"""A parent opens one link, reads the exact version text, answers the consents for each child and signs once."""

import base64

import pytest
from django.core import mail
from django.urls import reverse

from aup import services
from aup.models import Consent, EventKind, Invitation, RequestStatus, Signature, SignatureEvent, SigningRequest

from . import factories_aup as f

pytestmark = pytest.mark.django_db

# A 1x1 transparent PNG, as a canvas would send it.
PNG = (
    "data:image/png;base64,"
    + base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    ).decode()
)


def test_one_email_one_link_covers_both_children_and_names_neither(school, django_capture_on_commit_callbacks):
    fam = f.family(school)
    with django_capture_on_commit_callbacks(execute=True):
        camp = f.campaign(school)
    # Two parents with parental responsibility: one invitation (one email) each, one request per child.
    assert Invitation.objects.filter(campaign=camp).count() == 2
    assert SigningRequest.objects.filter(campaign=camp).count() == 4
    to_hannah = [m for m in mail.outbox if m.to == [fam.guardian.email]]
    assert len(to_hannah) == 1
    body = to_hannah[0].body
    assert "Oliver" not in body and "Isla" not in body and "Morgan" not in body
    invitation = f.invitation_of(camp, fam.guardian)
    assert services.signing_token(invitation) in body
    # Only the hash of the token is stored.
    assert invitation.token_hash == services.token_hash(services.signing_token(invitation))
    assert services.signing_token(invitation) not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert SignatureEvent.objects.filter(invitation=invitation, kind=EventKind.SENT).count() == 1


def test_the_page_shows_the_exact_text_each_child_and_the_consents(client, school):
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    invitation = f.invitation_of(camp, fam.guardian)
    response = client.get(reverse("aup:sign", args=[services.signing_token(invitation)]))
    assert response.status_code == 200
    html = response.content.decode()
    version = camp.version
    assert version.sha256 in html
    assert version.text.splitlines()[0].replace("'", "&#x27;") in html
    assert "Oliver Morgan" in html and "Isla Morgan" in html
    assert html.count('value="yes"') == 2 * len(version.consent_items)
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    # Opening writes no chained event (it would queue behind the school's signings): that comes with the signing.
    assert not SignatureEvent.objects.filter(invitation=invitation).exclude(kind=EventKind.SENT).exists()


def test_signing_records_evidence_consents_and_covers_the_other_parent(
    client, school, django_capture_on_commit_callbacks
):
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    invitation = f.invitation_of(camp, fam.guardian)
    oliver, isla = fam.children
    data = f.sign_form(invitation, drawn_signature=PNG)
    data[f"consent-{isla.pk}-press"] = "no"
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)", REMOTE_ADDR="198.51.100.23")
    manage = reverse("aup:signed", args=[services.manage_token(invitation)])
    assert response.status_code == 302 and response["Location"] == f"{manage}?done=1"

    signatures = {s.pupil_id: s for s in Signature.objects.filter(request__invitation=invitation)}
    assert set(signatures) == {oliver.pk, isla.pk}
    s = signatures[isla.pk]
    assert s.signer_name == "Hannah Morgan" and s.ip_address == "198.51.100.23"
    assert s.user_agent == "Mozilla/5.0 (iPhone)" and s.drawn_signature == PNG
    assert s.version_sha256 == camp.version.sha256
    assert s.consents["press"] is False and s.consents["website"] is True
    assert Consent.objects.get(pupil=isla, key="press").given is False
    assert Consent.objects.get(pupil=oliver, key="press").given is True
    # The other parent is no longer chased for these children.
    other = SigningRequest.objects.filter(campaign=camp, guardian=fam.other_guardian)
    assert set(other.values_list("status", flat=True)) == {RequestStatus.COVERED}
    assert SignatureEvent.objects.filter(signature__in=signatures.values(), kind=EventKind.SIGNED).count() == 2
    # The certificates are made (one PDF per child); the email carries their codes and the link, naming no child.
    certificate_mail = [m for m in mail.outbox if m.subject == "Your signed acceptable use agreement"]
    assert len(certificate_mail) == 1 and certificate_mail[0].attachments == []
    assert "Oliver" not in certificate_mail[0].body
    assert services.manage_token(invitation) in certificate_mail[0].body

    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert b"Thank you: signed" in confirmation.content
    assert services.format_code(s.verification_code).encode() in confirmation.content


def test_missing_answers_keep_what_was_typed_and_sign_nothing(client, school):
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    invitation = f.invitation_of(camp, fam.guardian)
    data = f.sign_form(invitation, name="Hannah Morgan")
    del data[f"consent-{fam.children[0].pk}-video"]
    del data["agree"]
    response = client.post(reverse("aup:sign", args=[services.signing_token(invitation)]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not signed yet" in html and "Tick the box" in html and "Video and webcam" in html
    assert 'value="Hannah Morgan"' in html
    assert Signature.objects.count() == 0


def test_a_typed_name_alone_is_enough_but_a_broken_drawing_is_refused(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    invitation = f.invitation_of(camp, fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    bad = client.post(url, f.sign_form(invitation, drawn_signature="data:image/png;base64,bm90IGEgcG5n"))
    assert bad.status_code == 200 and b"could not be read" in bad.content
    assert Signature.objects.count() == 0
    ok = client.post(url, f.sign_form(invitation))
    assert ok.status_code == 302
    assert Signature.objects.get().drawn_signature == ""


def test_declining_is_recorded_for_the_office(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    invitation = f.invitation_of(camp, fam.guardian)
    response = client.post(
        reverse("aup:sign", args=[services.signing_token(invitation)]),
        {"action": "decline", "full_name": "Hannah Morgan", "reason": "Want to talk first"},
    )
    assert response.status_code == 200 and b"Thank you for letting us know" in response.content
    assert SigningRequest.objects.get(invitation=invitation).status == RequestStatus.DECLINED
    event = SignatureEvent.objects.get(kind=EventKind.DECLINED)
    assert event.data["reason"] == "Want to talk first"
