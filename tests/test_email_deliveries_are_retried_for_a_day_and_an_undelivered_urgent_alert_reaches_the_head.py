"""Every email is recorded as a delivery (outbox/email.py) and is either sent or visibly not: a mail server that
is down is retried with growing waits for a day, an urgent alert that does not go at once is shown to the
headteacher and the DSL team in a banner and emailed to the head, and the delivery page shows where each
email has got to. (tests/integration/test_alert_waits_for_a_real_smtp_server_to_come_back.py does this over SMTP.)"""

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.outbox import email
from safeguarding_portal.outbox.models import EmailDelivery

from . import clock
from .incident_helpers import make_case
from .mail_backends import MailServer

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
State = EmailDelivery.State


@pytest.fixture(autouse=True)
def mail_server(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    MailServer.fault, MailServer.attempts = None, 0
    yield MailServer
    MailServer.fault = None


def _urgent_case(school, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_case(school=school, reporter=staff, immediate_risk=True)
    return incident


def _retry_round(time_machine, delivery, django_capture_on_commit_callbacks) -> None:
    """Move the clock to the delivery's next attempt and run the minute's retry round."""
    delivery.refresh_from_db()
    time_machine.move_to(delivery.next_attempt_at, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        email.deliver_due()
    delivery.refresh_from_db()


def test_an_urgent_alert_is_retried_with_growing_waits_and_sent_when_the_server_is_back(
    school, staff, dsl, deputy, head, mail_server, time_machine, django_capture_on_commit_callbacks
):
    mail_server.fault = ConnectionRefusedError(111, "Connection refused")
    incident = _urgent_case(school, staff, django_capture_on_commit_callbacks)

    alert = EmailDelivery.objects.get(kind="alert")
    assert (alert.state, alert.attempts, alert.urgent, alert.reference) == (State.RETRYING, 1, True, incident.reference)
    assert alert.next_attempt_at == alert.created_at + datetime.timedelta(seconds=30)
    assert "Connection refused" in alert.last_error
    assert mail.outbox == []

    waits = []
    for _ in range(5):
        before = alert.next_attempt_at
        _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
        waits.append((alert.next_attempt_at - before).total_seconds())
    # 1, 2 minutes, then every 2 minutes at most: an urgent alert is never left waiting long.
    assert waits == [60, 120, 120, 120, 120]
    assert alert.state == State.RETRYING and alert.attempts == 6

    mail_server.fault = None
    _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
    assert alert.state == State.SENT and alert.sent_at is not None
    assert alert.last_error == ""
    sent = [m for m in mail.outbox if incident.reference in m.subject and m.subject.startswith("URGENT: Online")]
    assert len(sent) == 1 and set(sent[0].to) >= {dsl.email, deputy.email}
    # A late duplicate (a redelivered task, a second drain) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        email.deliver([alert.pk])
        email.deliver_due()
    assert len([m for m in mail.outbox if m.subject == sent[0].subject]) == 1


def test_an_undelivered_urgent_alert_is_shown_to_the_head_and_dsl_team_at_once_and_the_head_is_emailed(
    client, signed_in, school, staff, dsl, head, mail_server, time_machine, django_capture_on_commit_callbacks
):
    mail_server.fault = TimeoutError("timed out")
    incident = _urgent_case(school, staff, django_capture_on_commit_callbacks)

    notice = EmailDelivery.objects.get(kind="notice")
    assert notice.to == [head.email] and incident.reference in notice.subject and not notice.urgent
    assert EmailDelivery.objects.get(kind="alert").head_told_at is not None

    for person in (head, dsl):
        signed_in(person)
        page = client.get(reverse("home")).content.decode()
        assert 'data-testid="undelivered-alert-banner"' in page, person
        assert incident.reference in page
    signed_in(staff)
    assert 'data-testid="undelivered-alert-banner"' not in client.get(reverse("home")).content.decode()

    # Told once, however many attempts fail; the notice itself is retried like any email.
    alert = EmailDelivery.objects.get(kind="alert")
    _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
    _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
    assert EmailDelivery.objects.filter(kind="notice").count() == 1

    # The server is back: both go, and the banner goes with the alert.
    mail_server.fault = None
    _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    assert alert.state == State.SENT and notice.state == State.SENT
    signed_in(head)
    assert 'data-testid="undelivered-alert-banner"' not in client.get(reverse("home")).content.decode()
    assert [m.to for m in mail.outbox if m.subject == notice.subject] == [[head.email]]


def test_an_email_still_unsent_after_a_day_is_failed_and_the_delivery_page_shows_it(
    client, signed_in, school, staff, dsl, mail_server, time_machine, django_capture_on_commit_callbacks
):
    mail_server.fault = ConnectionRefusedError(111, "Connection refused")
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)  # a new report: not urgent
    alert = EmailDelivery.objects.get(kind="alert")
    assert alert.state == State.RETRYING and not alert.urgent

    waits = []
    while alert.state == State.RETRYING:
        before = alert.next_attempt_at
        _retry_round(time_machine, alert, django_capture_on_commit_callbacks)
        if alert.next_attempt_at:
            waits.append((alert.next_attempt_at - before).total_seconds())
    assert waits[:6] == [60, 120, 240, 480, 960, 1800] and max(waits) == 1800  # then every 30 minutes
    assert alert.state == State.FAILED
    assert datetime.timedelta(hours=23) < alert.failed_at - alert.created_at <= email.GIVE_UP_AFTER
    assert alert.attempts == mail_server.attempts

    signed_in(dsl)
    page = client.get(reverse("outbox:deliveries"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-state="failed"' in html and "Connection refused" in html
    assert 'data-count="failed">1<' in html
    failed_only = client.get(reverse("outbox:deliveries"), {"show": "failed"}).content.decode()
    assert failed_only.count('data-testid="delivery-row"') == 1


def test_an_address_refused_for_good_fails_at_once_without_retrying(
    school, staff, dsl, mail_server, django_capture_on_commit_callbacks
):
    mail_server.fault = smtplib.SMTPRecipientsRefused({dsl.email: (550, b"5.1.1 No such user")})
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)
    alert = EmailDelivery.objects.get(kind="alert")
    assert (alert.state, alert.attempts, alert.next_attempt_at) == (State.FAILED, 1, None)
    assert "No such user" in alert.last_error


def test_an_attempt_cut_off_by_a_dead_worker_is_tried_again(
    school, staff, dsl, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # queued, never handed to a worker
        make_case(school=school, reporter=staff)
    alert = EmailDelivery.objects.get(kind="alert")
    EmailDelivery.objects.filter(pk=alert.pk).update(state=State.SENDING, attempts=1, sending_since=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        email.deliver_due()  # too soon to call it cut off: it may still be sending
    alert.refresh_from_db()
    assert alert.state == State.SENDING

    time_machine.shift(email.SENDING_STUCK_AFTER + datetime.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        email.deliver_due()
    alert.refresh_from_db()
    assert alert.state == State.SENT and alert.attempts == 2
    assert len(mail.outbox) == 1
