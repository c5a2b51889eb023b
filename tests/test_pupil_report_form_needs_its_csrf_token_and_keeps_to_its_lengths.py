"""The pupils' form is protected like every other: a send without the page's CSRF token is refused, and what a
pupil can type is limited (enough to tell, too little to paste a file's worth)."""

import pytest
from django.test import Client

from incidents.models import Incident
from incidents.pupil_reports import MAX_DESCRIPTION, MAX_NAME

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


def test_a_send_without_the_csrf_token_is_refused(school):
    browser = Client(enforce_csrf_checks=True)
    browser.get(tell_url(school))
    assert browser.post(tell_url(school), pupil_payload()).status_code == 403
    assert not Incident.objects.exists()


def test_too_long_is_sent_back_to_shorten(client, school):
    long_text = client.post(tell_url(school), pupil_payload(description="x" * (MAX_DESCRIPTION + 1)))
    long_name = client.post(tell_url(school), pupil_payload(name="n" * (MAX_NAME + 1)))
    assert long_text.status_code == long_name.status_code == 400
    assert b"Not sent yet" in long_text.content
    assert not Incident.objects.exists()
