"""A parent opens the emailed link on a phone, answers each child's consents, draws a signature and signs."""

import pytest
from playwright.sync_api import expect

from aup import services
from aup.models import Consent, Signature
from tests import factories_aup as f

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parent_signs_with_a_drawn_signature(browser, live_server, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        timezone_id="Europe/London",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/agreements/s/{services.signing_token(invitation)}/")
    expect(page.get_by_role("heading", name=invitation.campaign.version.agreement.title)).to_be_visible()
    expect(page.get_by_test_id("child")).to_have_count(2)
    oliver, isla = fam.children

    # Every question of both children, with one "no" for Isla.
    for child in fam.children:
        for item in invitation.campaign.version.consent_items:
            answer = "no" if (child == isla and item["key"] == "press") else "yes"
            page.locator(f"label[for='c-{child.pk}-{item['key']}-{answer}']").click()
    page.get_by_label("Your full name").fill("Hannah Morgan")

    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 120 - (step % 6) * 15)
    page.mouse.up()
    expect(page.locator("[data-status]")).to_have_text("Signature drawn.")
    page.get_by_text("I have read and agree to this agreement").click()
    screenshot(page, "aup-sign-mobile")
    page.get_by_role("button", name="Sign for all 2 children").click()

    expect(page.get_by_test_id("signed-confirmation")).to_be_visible()
    expect(page.get_by_test_id("signed-child")).to_have_count(2)
    screenshot(page, "aup-signed-mobile")
    signatures = list(Signature.objects.filter(request__invitation=invitation))
    assert len(signatures) == 2
    # The drawing arrives as a PNG (far more than an empty canvas), with the browser and address.
    assert all(s.drawn_signature.startswith("data:image/png;base64,") for s in signatures)
    assert all(len(s.drawn_signature) > 1500 for s in signatures)
    assert all("Chrome" in s.user_agent and s.ip_address == "127.0.0.1" for s in signatures)
    assert Consent.objects.get(pupil=isla, key="press").given is False
    assert Consent.objects.get(pupil=oliver, key="press").given is True

    # Withdraw website consent for Oliver from the same page.
    page.get_by_role("button", name="Withdraw consent: Photos on the school website").first.click()
    expect(page.get_by_text("your change applies from now")).to_be_visible()
    assert Consent.objects.filter(key="website", given=False).count() == 1
    assert errors == []
    context.close()
