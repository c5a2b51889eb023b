"""A send that fills the hidden honeypot field (a bot) gets exactly what a pupil gets, and nothing is recorded
or sent to the DSL team."""

import pytest
from django.core import mail

from incidents.models import Incident

from .pupil_report_helpers import pupil_payload, tell_url, thanks_url

pytestmark = pytest.mark.django_db


def test_the_honeypot_drops_the_send_and_the_answer_is_the_same(
    client, school, dsl, django_capture_on_commit_callbacks
):
    form = client.get(tell_url(school))
    assert b'name="website"' in form.content and b'class="tell-hp" aria-hidden="true"' in form.content

    with django_capture_on_commit_callbacks(execute=True):
        bot = client.post(tell_url(school), pupil_payload(website="http://spam.example"))
        pupil = client.post(tell_url(school), pupil_payload())

    assert bot.status_code == pupil.status_code == 302
    assert bot["Location"] == pupil["Location"] == thanks_url(school)
    assert Incident.objects.count() == 1
    assert len(mail.outbox) == 1
