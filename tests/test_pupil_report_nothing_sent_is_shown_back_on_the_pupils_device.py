"""After sending, the pupil's device shows only a thank-you and where to get help: the send redirects to a
fixed page (POST, redirect, GET), nothing of the report is in the page, a cookie or the session, no page is
cached (so the back button fetches an empty form), and the browser is asked not to remember what was typed."""

import re

import pytest
from django.conf import settings

from incidents.models import Incident

from .pupil_report_helpers import WORDS, pupil_payload, tell_url, thanks_url

pytestmark = pytest.mark.django_db


def _without_csrf(content: bytes) -> bytes:
    # The page's CSRF token is masked afresh on every response; everything else must be byte for byte the same.
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_thank_you_page_shows_nothing_of_what_was_sent(client, school):
    sent = client.post(tell_url(school), pupil_payload(name="Sam Jones 9R"), follow=True)

    assert sent.redirect_chain == [(thanks_url(school), 302)]
    assert sent.status_code == 200 and b"Thank you for telling us" in sent.content
    assert WORDS.encode() not in sent.content and b"Sam Jones" not in sent.content
    assert Incident.objects.get().reference.encode() not in sent.content
    assert b"0800 1111" in sent.content and b"999" in sent.content
    # The thank-you page is the same for anyone who opens it, whether or not they sent anything.
    assert _without_csrf(client.get(thanks_url(school)).content) == _without_csrf(sent.content)


def test_no_cookie_and_no_session_carries_the_report(client, school):
    client.get(tell_url(school))
    client.post(tell_url(school), pupil_payload(name="Sam Jones 9R"))
    for cookie in client.cookies.values():
        assert "mean comments" not in cookie.value and "Sam" not in cookie.value
        assert Incident.objects.get().reference not in cookie.value
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not client.session.keys()


def test_no_page_is_kept_by_the_browser_and_the_form_asks_it_not_to_remember(client, school):
    form = client.get(tell_url(school))
    assert _no_store(form)
    assert b'autocomplete="off"' in form.content
    thanks = client.post(tell_url(school), pupil_payload(), follow=True)
    assert _no_store(thanks)
    # A form sent back with a mistake is not cached either (it holds what was typed, to put right).
    mistake = client.post(tell_url(school), pupil_payload(description=""))
    assert mistake.status_code == 400 and _no_store(mistake)
