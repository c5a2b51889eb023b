"""Urdu and Arabic read right to left: the page says so on <html> and loads Bootstrap's right-to-left stylesheet;
left-to-right languages keep the usual one."""

import pytest
from django.urls import reverse

from aup import services

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_the_urdu_signing_page_is_rtl_with_the_rtl_stylesheet(client, school):
    fam = f.family(school, children=1)
    camp = f.campaign(school, notify=False)
    f.translated(school, "ur", f.URDU_TEXT)
    url = reverse("aup:sign", args=[services.signing_token(f.invitation_of(camp, fam.guardian))])

    html = client.get(url + "?lang=ur").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "bootstrap.rtl.min" in html and "bootstrap.min.css" not in html
    assert f.URDU_TEXT in html and "میں متفق نہیں ہوں" in html
    # Fingerprints stay left to right inside the right-to-left page.
    assert 'class="aup-hash" dir="ltr"' in html


def test_the_verify_page_in_arabic_is_rtl_and_in_welsh_is_ltr(client):
    url = reverse("aup:verify")
    arabic = client.get(url + "?lang=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and "bootstrap.rtl.min" in arabic
    welsh = client.get(url + "?lang=cy").content.decode()
    assert '<html lang="cy" dir="ltr">' in welsh and "Gwirio cytundeb wedi" in welsh
    assert "bootstrap.rtl.min" not in welsh
