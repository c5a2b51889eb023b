"""An expired session does not eat a half-written form: it is kept, and sent after signing in again."""

import datetime
import html
import re
import urllib.parse

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.models import KeptForm
from safeguarding_portal.accounts.resume import STASH_KEY
from safeguarding_portal.accounts.testing import password_sign_in, totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .conftest import sign_in
from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SETTINGS = reverse("schools:settings")
ADDRESS = "1 Oak Lane\nOakfield & District\nOA1 1AA"


from .test_session_expires_after_inactivity import forget_cached_session  # noqa: E402


def _expire(client) -> None:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    forget_cached_session(key)


def _signed_out(client, user) -> None:
    """``user`` was signed in on this browser, and their session has just expired."""
    sign_in(client, user)
    assert client.get(reverse("home")).status_code == 200
    _expire(client)


def _details(school, **changes):
    data = {
        "name": school.name,
        "local_authority": "Wiltshire",
        "address": ADDRESS,
        "phone": "01234 567890",
        "csrfmiddlewaretoken": "stale-token",
    }
    data.update(changes)
    return data


def _next_of(response) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)["next"][0]


def _resume_form(page_html: str) -> tuple[str, list[tuple[str, str]]]:
    form = re.search(r'<form method="post" action="([^"]+)" data-testid="resume-form">(.*?)</form>', page_html, re.S)
    assert form, page_html
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2), re.S)
    return html.unescape(form.group(1)), [(html.unescape(n), html.unescape(v)) for n, v in fields]


@pytest.fixture
def phone(head):
    return TOTPDevice.objects.create(user=head, name="Authenticator app", confirmed=True)


def test_form_posted_after_expiry_is_kept_and_sent_after_sign_in_and_two_factor(client, head, school, phone):
    password_sign_in(client, head.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(phone)})
    assert client.get(SETTINGS).status_code == 200
    _expire(client)

    sent = client.post(SETTINGS, _details(school))

    assert sent.status_code == 302
    assert sent["Location"].startswith(reverse("accounts:login") + "?")
    resume_url = _next_of(sent)
    assert resume_url.startswith("/accounts/resume/")
    school.refresh_from_db()
    assert school.address == ""  # nothing was saved while signed out
    sign_in_page = client.get(sent["Location"])
    assert b"What you typed has been kept" in sign_in_page.content

    after_password = password_sign_in(client, head.email, PASSWORD, next_url=resume_url)
    assert after_password["Location"] == resume_url
    to_verify = client.get(resume_url)
    assert to_verify["Location"].startswith(reverse("accounts:two_factor_verify"))
    after_code = client.post(to_verify["Location"], {"code": totp_code(phone, steps_ahead=1), "next": resume_url})
    assert after_code["Location"] == resume_url

    page = client.get(resume_url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Your form was kept" in content
    assert "1 Oak Lane" in content and "Oakfield &amp; District" in content
    action, fields = _resume_form(content)
    assert action == SETTINGS
    assert ("address", ADDRESS) in fields
    assert not any(name == "csrfmiddlewaretoken" and value == "stale-token" for name, value in fields)

    resent = client.post(action, dict(fields))

    assert resent.status_code == 302
    assert resent["Location"] == SETTINGS
    school.refresh_from_db()
    assert school.address == ADDRESS
    assert school.phone == "01234 567890"
    assert AuditEvent.objects.filter(action=AuditAction.SCHOOL_UPDATED, actor=head).count() == 1
    # Sent once, then forgotten: the text does not linger anywhere.
    assert client.session.get(STASH_KEY) == []
    assert not KeptForm.objects.exists()
    assert client.get(resume_url).status_code == 404


def test_contacts_form_is_kept_the_same_way(client, dsl, school):
    TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    _signed_out(client, dsl)
    data = {
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-kind": "police",
        "contacts-0-name": "Wiltshire Police",
        "contacts-0-phone": "101",
    }

    sent = client.post(reverse("schools:contacts_edit"), data)

    token = next(iter(client.session[STASH_KEY]))
    assert _next_of(sent) == reverse("accounts:resume", args=[token])
    sign_in(client, dsl)
    page = client.get(reverse("accounts:resume", args=[token]))
    assert page.status_code == 200
    assert b"Wiltshire Police" in page.content
    assert b"Contacts 1 name" in page.content
    action, fields = _resume_form(page.content.decode())
    assert action == reverse("schools:contacts_edit")
    assert ("contacts-0-phone", "101") in fields


def test_another_browser_sees_the_friendly_missing_page_not_the_text(client, head, school):
    _signed_out(client, head)
    client.post(SETTINGS, _details(school, address="Private words about a child"))
    token = next(iter(client.session[STASH_KEY]))
    other_browser = sign_in(Client(), head)

    response = other_browser.get(reverse("accounts:resume", args=[token]))

    assert response.status_code == 404
    assert b"There is nothing waiting to be sent" in response.content
    assert b"Private words" not in response.content


def test_someone_else_signing_in_on_the_same_browser_does_not_get_the_text(client, head, dsl, school, phone):
    password_sign_in(client, head.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(phone)})
    _expire(client)
    sent = client.post(SETTINGS, _details(school, address="Private words about a child"))
    resume_url = reverse("accounts:resume", args=[next(iter(client.session[STASH_KEY]))])
    assert sent.status_code == 302

    # The head walks away; the DSL signs in on the same computer.
    TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    password_sign_in(client, dsl.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(TOTPDevice.objects.get(user=dsl))})
    response = client.get(resume_url)

    assert response.status_code == 404
    assert b"Private words" not in response.content
    assert client.session.get(STASH_KEY) == []
    assert not KeptForm.objects.exists()


def test_kept_form_can_be_discarded(client, head, school):
    _signed_out(client, head)
    client.post(SETTINGS, _details(school))
    token = next(iter(client.session[STASH_KEY]))
    sign_in(client, head)

    response = client.post(reverse("accounts:resume", args=[token]))

    assert response.status_code == 200
    assert b"Discarded" in response.content
    assert client.get(reverse("accounts:resume", args=[token])).status_code == 404
    assert not KeptForm.objects.exists()
    school.refresh_from_db()
    assert school.address == ""


def test_unknown_resume_link_shows_the_friendly_page(client, head):
    sign_in(client, head)

    response = client.get(reverse("accounts:resume", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert b"There is nothing waiting to be sent" in response.content


def test_only_the_last_five_kept_forms_are_held(client, head, school):
    _signed_out(client, head)
    for n in range(7):
        client.post(SETTINGS, _details(school, phone=f"0100 00000{n}"))

    kept = client.session[STASH_KEY]
    assert len(kept) == 5 and KeptForm.objects.count() == 5
    sign_in(client, head)
    pages = [client.get(reverse("accounts:resume", args=[token])).content.decode() for token in kept]
    assert [next(f"0100 00000{n}" for n in range(7) if f"0100 00000{n}" in page) for page in pages] == [
        f"0100 00000{n}" for n in range(2, 7)
    ]
