"""A digest that cannot be sent is retried with growing waits and sent once; an address that is refused is
marked bounced (no retry) and shown to the office on the reminder log."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding_portal.reminders import services, tasks
from safeguarding_portal.reminders.models import Digest

DAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _worker_like_retries():
    """Run retries in-process as a worker would run them later: failures are recorded, not raised."""
    from safeguarding_portal.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


def _digest(school, email="ann@oak.example", n=1):
    for i in range(n):
        services.remind(recipient_email=email, kind="test.kind", key=f"k:{i}", text=f"Item {i} is due",
                        url=f"/x/{i}/", on=DAY, school=school)
    with mock.patch.object(services, "enqueue"):
        services.send_digests(on=DAY)
    return Digest.objects.get(recipient_email=email)


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_growing_waits_and_delivered_once(school):
    digest = _digest(school)
    real_send = tasks.send_mail
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(*args, **kwargs)

    countdowns = []
    real_retry = tasks.deliver_digest.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return real_retry(*args, **kwargs)

    with mock.patch.object(tasks, "send_mail", flaky), \
            mock.patch.object(tasks.deliver_digest, "retry", recording_retry):
        tasks.deliver_digest.apply(kwargs={"digest_id": digest.pk})

    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT and digest.attempts == 3 and digest.last_error == ""
    assert countdowns == [tasks.RETRY_BACKOFF_SECONDS, 2 * tasks.RETRY_BACKOFF_SECONDS]
    assert len(mail.outbox) == 1

    # A late duplicate of the message (a retry after success, a second worker) sends nothing.
    tasks.deliver_digest.apply(kwargs={"digest_id": digest.pk})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_that_keeps_failing_stops_after_the_last_retry_and_stays_failed(school):
    digest = _digest(school)
    with mock.patch.object(tasks, "send_mail", side_effect=TimeoutError("timed out")):
        result = tasks.deliver_digest.apply(kwargs={"digest_id": digest.pk})
    digest.refresh_from_db()
    assert result.failed()
    assert digest.status == Digest.Status.FAILED and digest.attempts == tasks.MAX_RETRIES + 1
    assert "timed out" in digest.last_error
    # The next morning's run does not make a second digest for that day.
    with mock.patch.object(services, "enqueue") as enqueue:
        assert services.send_digests(on=DAY) == 0
    enqueue.assert_not_called()


@pytest.mark.django_db
def test_a_refused_address_bounces_without_retrying_and_the_office_sees_it(school, dsl, signed_in):
    bad = _digest(school, email="old.address@oak.example", n=2)
    good = _digest(school, email="ann@oak.example")
    refused = smtplib.SMTPRecipientsRefused({"old.address@oak.example": (550, b"No such user")})
    with mock.patch.object(tasks, "send_mail", side_effect=refused) as send:
        tasks.deliver_digest.apply(kwargs={"digest_id": bad.pk})
    assert send.call_count == 1
    tasks.deliver_digest.apply(kwargs={"digest_id": good.pk})
    bad.refresh_from_db()
    assert bad.status == Digest.Status.BOUNCED and "No such user" in bad.last_error

    client = signed_in(dsl)
    page = client.get(reverse("reports:reminders"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="bounce-alert"' in html and "1 reminder email bounced" in html
    assert "old.address@oak.example" in html and "Item 1 is due" in html
    bounced_only = client.get(reverse("reports:reminders"), {"show": "bounced"}).content.decode()
    assert bounced_only.count('data-testid="digest-row"') == 1 and "ann@oak.example" not in bounced_only


@pytest.mark.django_db
def test_the_reminder_log_shows_only_this_schools_reminders(school, other_school, dsl, signed_in):
    _digest(other_school, email="elsewhere@hill.example")
    page = signed_in(dsl).get(reverse("reports:reminders")).content.decode()
    assert "elsewhere@hill.example" not in page and "No reminder emails" in page
