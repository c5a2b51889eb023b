"""The office uploads the parents' agreement in an offered language: it is the text parents choosing that
language read, with its own fingerprint; it is never edited (a corrected one is uploaded and shown instead)."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import AgreementTranslation, Audience, text_sha256
from safeguarding_portal.audit.chain import AppendOnlyError

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_the_office_uploads_a_welsh_translation_which_parents_then_read(client, dsl, school, signed_in):
    version = f.published(school, Audience.PARENT)
    f.offer_languages(school, "cy")
    signed_in(dsl)
    page = client.get(reverse("aup:agreement", args=["parent"]))
    assert 'data-testid="translations"' in page.content.decode()

    response = client.post(
        reverse("aup:translation_add", args=["parent"]),
        {
            "language": "cy",
            "title": "Cytundeb rhieni",
            "text": "Byddaf yn cefnogi'r ysgol.",
            "consent_labels": "\n".join(f"Cwestiwn {i}" for i in range(len(version.consent_items))),
        },
    )

    assert response.status_code == 302
    translation = AgreementTranslation.objects.get(version=version, language="cy")
    assert translation.sha256 == text_sha256("Byddaf yn cefnogi'r ysgol.")
    assert translation.uploaded_by == dsl
    shown = services.shown_text(version=version, language="cy")
    assert (shown.title, shown.sha256) == ("Cytundeb rhieni", translation.sha256)
    assert shown.label_of(version.consent_items[0]) == "Cwestiwn 0"

    with pytest.raises(AppendOnlyError):
        translation.text = "Rhywbeth arall"
        translation.save()

    # A correction is a new upload, shown from then on; the first stays for the signatures that name it.
    services.add_translation(
        version=version, language="cy", title="", text="Byddaf yn cefnogi'r ysgol bob amser.", consent_labels=[], by=dsl
    )
    assert services.shown_text(version=version, language="cy").text == "Byddaf yn cefnogi'r ysgol bob amser."
    assert AgreementTranslation.objects.filter(version=version, language="cy").count() == 2


def test_a_language_the_school_does_not_offer_cannot_be_uploaded(client, dsl, school, signed_in):
    version = f.published(school, Audience.PARENT)
    f.offer_languages(school, "cy")
    signed_in(dsl)
    response = client.post(reverse("aup:translation_add", args=["parent"]), {"language": "pl", "text": "Tekst"})
    assert response.status_code == 400
    assert not AgreementTranslation.objects.filter(version=version).exists()
