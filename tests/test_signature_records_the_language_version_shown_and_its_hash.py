"""A parent who signs the Polish page signs the Polish text: each signature records the language and the hash of
the text the server rendered (never a value sent by the browser), inside the tamper-evident chain, and the verify
page and certificate show it. Signatures from before translations verify as they always did."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import Signature
from safeguarding_portal.audit import chain

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _polish_invitation(school):
    fam = f.family(school, children=2)
    camp = f.campaign(school, notify=False)
    translation = f.translated(school, "pl", f.POLISH_TEXT)
    return f.invitation_of(camp, fam.guardian), translation


def test_signing_in_polish_records_the_polish_text_and_its_hash_on_each_signature(client, school):
    invitation, translation = _polish_invitation(school)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    client.get(url + "?lang=pl")

    response = client.post(url, f.sign_form(invitation, shown_sha256=translation.sha256))

    assert response.status_code == 302
    signatures = list(Signature.objects.filter(request__invitation=invitation))
    assert len(signatures) == 2
    assert {(s.text_language, s.text_sha256) for s in signatures} == {("pl", translation.sha256)}
    assert all(s.version_sha256 == invitation.campaign.version.sha256 for s in signatures)  # the original's too
    assert chain.verify(Signature) == []
    # The language is inside the hash: changing it would break the chain.
    s = signatures[0]
    s.text_language = "en-gb"
    assert s.compute_hash() != s.hash


def test_a_fingerprint_sent_by_the_browser_is_never_recorded(client, school):
    invitation, translation = _polish_invitation(school)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    client.get(url + "?lang=pl")

    # A form opened on the English page, sent after switching to Polish in another tab: not signed, shown again.
    stale = client.post(url, f.sign_form(invitation, shown_sha256=invitation.campaign.version.sha256))
    assert stale.status_code == 200 and 'data-testid="text-changed"' in stale.content.decode()
    assert not Signature.objects.filter(request__invitation=invitation).exists()

    # A made-up fingerprint is refused the same way; the one recorded is always the rendered text's.
    client.post(url, f.sign_form(invitation, shown_sha256="0" * 64))
    assert not Signature.objects.filter(request__invitation=invitation).exists()
    client.post(url, f.sign_form(invitation))  # a client that sends none signs the text the server shows
    assert {s.text_sha256 for s in Signature.objects.filter(request__invitation=invitation)} == {translation.sha256}


def test_the_verify_page_names_the_language_and_hash_shown(client, school):
    invitation, translation = _polish_invitation(school)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    client.get(url + "?lang=pl")
    client.post(url, f.sign_form(invitation, shown_sha256=translation.sha256))
    signature = Signature.objects.filter(request__invitation=invitation).first()

    page = client.get(reverse("aup:verify") + f"?code={signature.verification_code}&lang=en-gb")
    html = page.content.decode()
    assert "This certificate matches our records" in html
    assert "Polish (pl)" in html and translation.sha256 in html


def test_the_certificate_prints_the_language_and_the_translated_text(school):
    from aup.certificate import render_certificate

    invitation, translation = _polish_invitation(school)
    shown = services.shown_text(version=invitation.campaign.version, language="pl")
    services.sign_for_children(
        invitation=invitation,
        answers=f.yes_to_everything(invitation),
        evidence=f.EVIDENCE,
        issue_certificates=False,
        shown=shown,
    )
    signature = Signature.objects.filter(request__invitation=invitation).first()

    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(render_certificate(signature))).pages)
    assert "Polish (pl)" in text and translation.sha256[:20] in text.replace("\n", "")


def test_a_signature_from_before_translations_hashes_as_it_always_did(school):
    invitation, _translation = _polish_invitation(school)
    signature = f.sign_invitation(invitation)[0]  # signed without a page: the English original
    assert (signature.text_language, signature.text_sha256) == ("en-gb", invitation.campaign.version.sha256)

    # A link written before the language existed has neither field: its hash is the old formula's, unchanged.
    signature.text_language = signature.text_sha256 = ""
    old_payload = {n: getattr(signature, Signature._meta.get_field(n).attname) for n in Signature.HASHED_FIELDS}
    assert signature.payload() == old_payload
    assert signature.compute_hash() == chain.link_hash(signature.prev_hash, signature.seq, signature.chain, old_payload)
