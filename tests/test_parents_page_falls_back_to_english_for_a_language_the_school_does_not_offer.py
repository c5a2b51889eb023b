"""Only the languages a school offers are ever used: a choice, a cookie or an MIS home language outside them is
English, and a school that stops offering a language sends its parents back to English."""

import pytest
from django.urls import reverse

from aup import services
from safeguarding_portal.schools.languages import COOKIE

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_arabic_chosen_remembered_or_from_the_mis_is_english_where_only_polish_is_offered(client, school):
    fam = f.family(school, children=1)
    fam.children[0].home_language = "ar"
    fam.children[0].save()
    camp = f.campaign(school, notify=False)
    f.translated(school, "pl", f.POLISH_TEXT)
    url = reverse("aup:sign", args=[services.signing_token(f.invitation_of(camp, fam.guardian))])

    client.cookies[COOKIE] = "ar"
    page = client.get(url + "?lang=ar")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en-gb" dir="ltr">' in html
    assert "I do not agree" in html
    assert 'hreflang="ar"' not in html  # the switcher lists only what the school offers
    assert COOKIE not in page.cookies  # nothing remembered for a language that is not offered


def test_a_language_the_school_stops_offering_falls_back_to_english(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    f.translated(school, "pl", f.POLISH_TEXT)
    invitation = f.invitation_of(camp, fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    assert '<html lang="pl"' in client.get(url + "?lang=pl").content.decode()

    f.offer_languages(school)  # English only now
    html = client.get(url).content.decode()
    assert '<html lang="en-gb" dir="ltr">' in html
    assert f.POLISH_TEXT not in html
    invitation.refresh_from_db()
    assert services.invitation_language(invitation) == "en-gb"


def test_an_offered_language_without_a_translated_agreement_shows_the_english_original(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    f.offer_languages(school, "ro")
    url = reverse("aup:sign", args=[services.signing_token(f.invitation_of(camp, fam.guardian))])

    html = client.get(url + "?lang=ro").content.decode()
    assert '<html lang="ro"' in html and "Nu sunt de acord" in html  # the page around it is in Romanian
    assert 'data-testid="agreement-text" lang="en-gb"' in html  # the agreement: the English original
    assert camp.version.sha256 in html
