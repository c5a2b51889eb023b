"""A digest that cannot be sent is retried with growing waits (its email is a recorded delivery, outbox/email.py)
and sent once; an address that is refused is marked bounced (no retry) and shown to the office on the reminder
log."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.outbox import email as outbox_email
from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Digest

from . import clock
from .mail_backends import MailServer

DAY = datetime.date(2026, 11, 23)
pytestmark = clock.frozen("2026-11-23 07:00")


@pytest.fixture(autouse=True)
def mail_server(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    MailServer.fault, MailServer.attempts = None, 0
    yield MailServer
    MailServer.fault = None


def _digest(school, email="ann@oak.example", n=1, *, capture=None):
    for i in range(n):
        services.remind(
            recipient_email=email,
            kind="test.kind",
            key=f"k:{i}",
            text=f"Item {i} is due",
            url=f"/x/{i}/",
            on=DAY,
            school=school,
        )
    with capture(execute=True):
        services.send_digests(on=DAY)
    return Digest.objects.get(recipient_email=email)


def _next_round(time_machine, digest, capture):
    time_machine.move_to(digest.delivery.next_attempt_at, tick=False)
    with capture(execute=True):
        outbox_email.deliver_due()
    digest.refresh_from_db()
    digest.delivery.refresh_from_db()


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_growing_waits_and_delivered_once(
    school, mail_server, time_machine, django_capture_on_commit_callbacks
):
    mail_server.fault = ConnectionRefusedError(111, "SMTP server down")
    digest = _digest(school, capture=django_capture_on_commit_callbacks)
    assert digest.status == Digest.Status.FAILED and digest.attempts == 1 and "SMTP server down" in digest.last_error
    first_wait = digest.delivery.next_attempt_at - timezone.now()
    _next_round(time_machine, digest, django_capture_on_commit_callbacks)
    second_wait = digest.delivery.next_attempt_at - timezone.now()
    assert first_wait == outbox_email.FIRST_WAIT and second_wait == 2 * first_wait

    mail_server.fault = None
    _next_round(time_machine, digest, django_capture_on_commit_callbacks)
    assert digest.status == Digest.Status.SENT and digest.attempts == 3 and digest.last_error == ""
    assert digest.sent_at is not None
    assert len(mail.outbox) == 1

    # A late duplicate (a redelivered task, a second drain) sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        outbox_email.deliver([digest.delivery_id])
        outbox_email.deliver_due()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_that_keeps_failing_stays_failed_after_a_day(
    school, mail_server, time_machine, django_capture_on_commit_callbacks
):
    mail_server.fault = TimeoutError("timed out")
    digest = _digest(school, capture=django_capture_on_commit_callbacks)
    while digest.delivery.state == EmailDelivery.State.RETRYING:
        _next_round(time_machine, digest, django_capture_on_commit_callbacks)
    assert digest.delivery.state == EmailDelivery.State.FAILED
    assert digest.status == Digest.Status.FAILED and digest.attempts == mail_server.attempts > 20
    assert "timed out" in digest.last_error
    # The next morning's run does not make a second digest for that day.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(on=DAY) == 0
    assert EmailDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_address_bounces_without_retrying_and_the_office_sees_it(
    school, dsl, signed_in, django_capture_on_commit_callbacks
):
    MailServer.fault = smtplib.SMTPRecipientsRefused({"old.address@oak.example": (550, b"No such user")})
    bad = _digest(school, email="old.address@oak.example", n=2, capture=django_capture_on_commit_callbacks)
    assert MailServer.attempts == 1
    MailServer.fault = None
    _digest(school, email="ann@oak.example", capture=django_capture_on_commit_callbacks)
    bad.refresh_from_db()
    assert bad.status == Digest.Status.BOUNCED and "No such user" in bad.last_error
    assert bad.delivery.state == EmailDelivery.State.FAILED and bad.delivery.next_attempt_at is None

    client = signed_in(dsl)
    page = client.get(reverse("reports:reminders"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="bounce-alert"' in html and "1 reminder email bounced" in html
    assert "old.address@oak.example" in html and "Item 1 is due" in html
    bounced_only = client.get(reverse("reports:reminders"), {"show": "bounced"}).content.decode()
    assert bounced_only.count('data-testid="digest-row"') == 1 and "ann@oak.example" not in bounced_only


@pytest.mark.django_db
def test_the_reminder_log_shows_only_this_schools_reminders(
    school, other_school, dsl, signed_in, django_capture_on_commit_callbacks
):
    _digest(other_school, email="elsewhere@hill.example", capture=django_capture_on_commit_callbacks)
    page = signed_in(dsl).get(reverse("reports:reminders")).content.decode()
    assert "elsewhere@hill.example" not in page and "No reminder emails" in page
