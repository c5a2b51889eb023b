"""A school offering Polish: the parent clicks "Polski" on the signing page and reads it in Polish, agreement and
all; the choice is remembered (a cookie for the page, the invitation for later emails)."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import Invitation
from safeguarding_portal.schools.languages import COOKIE

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_choosing_polski_shows_the_page_and_the_agreement_in_polish_and_is_remembered(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    f.translated(school, "pl", f.POLISH_TEXT)
    invitation = f.invitation_of(camp, fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])

    english = client.get(url)
    assert english.status_code == 200
    assert '<html lang="en-gb" dir="ltr">' in english.content.decode()
    assert 'hreflang="pl"' in english.content.decode()  # the switcher lists the school's languages

    page = client.get(url + "?lang=pl")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="pl" dir="ltr">' in html
    assert "Podpis" in html and "Nie zgadzam się" in html and "Tak" in html
    assert f.POLISH_TEXT in html  # the agreement itself, not only the page around it
    assert page.cookies[COOKIE].value == "pl" and page["Content-Language"] == "pl"

    # The next visit, without ?lang, stays in Polish; the email side remembers it too.
    again = client.get(url)
    assert '<html lang="pl"' in again.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).language == "pl"
    assert services.invitation_language(Invitation.objects.get(pk=invitation.pk)) == "pl"


def test_staff_pages_stay_in_english_after_a_parents_page_in_polish(client, signed_in, school, dsl):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    f.translated(school, "pl", f.POLISH_TEXT)
    invitation = f.invitation_of(camp, fam.guardian)
    client.get(reverse("aup:sign", args=[services.signing_token(invitation)]) + "?lang=pl")

    signed_in(dsl)
    home = client.get(reverse("aup:manage"))  # with the parent's cookie still set in this browser
    assert home.status_code == 200
    assert '<html lang="en-gb" dir="ltr">' in home.content.decode()
    assert "Przejdź do treści głównej" not in home.content.decode()
