"""The signing page in the parents' languages, on a phone (and Polish on a laptop), with axe-core: Polish,
Welsh, Urdu (right to left) and Bengali; then a parent signs in Polish and the signature records the Polish text."""

import pytest
from playwright.sync_api import expect

from aup import services
from aup.models import Signature
from aup.texts import DRAFT_PARENT_TRANSLATIONS
from tests import factories_aup as f
from tests.factories import UserFactory

from .conftest import screenshot
from .widths import LAPTOP, PHONE, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("pl", "cy", "ur", "bn")


@pytest.fixture
def sign_url(school):
    fam = f.family(school, children=2)
    camp = f.campaign(school, notify=False)
    f.offer_languages(school, *LANGUAGES)
    translator = UserFactory(email="translator@oak.example")
    for code in LANGUAGES:
        title, text, labels = DRAFT_PARENT_TRANSLATIONS[code]
        services.add_translation(
            version=camp.version, language=code, title=title, text=text, consent_labels=labels, by=translator
        )
    invitation = f.invitation_of(camp, fam.guardian)
    return invitation, f"/agreements/s/{services.signing_token(invitation)}/"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_signing_page_reads_in_each_language_on_a_phone(page, sign_url, code):
    _invitation, url = sign_url
    widths = (PHONE, LAPTOP) if code == "pl" else (PHONE,)

    def reads(page, width):
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ur" else "ltr")
        expect(page.get_by_test_id("agreement-text")).to_contain_text(DRAFT_PARENT_TRANSLATIONS[code][1][:30])
        expect(page.get_by_test_id("language-switcher")).to_be_visible()

    check_at_both_widths(page, f"{url}?lang={code}", f"aup-sign-{code}", widths=widths, then=reads)


def test_a_parent_signs_in_polish_on_a_phone(page, sign_url):
    invitation, url = sign_url
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.get_by_role("link", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    for label in page.locator("label.btn-outline-success").all():
        label.click()
    page.locator("#id_full_name").fill("Hannah Morgan")
    page.get_by_text("Przeczytałem(-am) tę umowę i ją akceptuję").click()
    page.get_by_role("button", name="Podpisz za wszystkie dzieci (2)").click()
    expect(page.get_by_test_id("signed-confirmation")).to_contain_text("Dziękujemy: podpisano")
    screenshot(page, "aup-signed-pl-390")
    translation = invitation.campaign.version.translations.get(language="pl")
    assert {(s.text_language, s.text_sha256) for s in Signature.objects.filter(request__invitation=invitation)} == {
        ("pl", translation.sha256)
    }
