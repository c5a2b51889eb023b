"""The mail server goes away while a concern of immediate risk is reported. The alert is not lost: its delivery
says "not sent yet" with the next attempt, the head is told, and once the server is back the next retry round
(beat's outbox drain) delivers it, over real SMTP, from a real worker. How long the alert waited after the
server came back is recorded in the JUnit report, never asserted."""

import time

import pytest
from django.urls import reverse

from incidents.models import Incident
from safeguarding_portal.celery import app
from safeguarding_portal.outbox.models import EmailDelivery
from tests.conftest import sign_in
from tests.incident_helpers import report_payload

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]
State = EmailDelivery.State


def test_an_urgent_alert_is_delivered_once_the_smtp_server_is_back(
    client, celery_worker, inbox, school, staff, dsl, head, record_testsuite_property
):
    sign_in(client, staff)
    inbox.stop_server()
    response = client.post(reverse("incidents:report"), report_payload(immediate_risk="yes"))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:reported", args=[incident.reference])

    def alert():
        return EmailDelivery.objects.filter(kind="alert", reference=incident.reference).first()

    wait_until(
        lambda: alert() and alert().state == State.RETRYING,
        timeout=60,
        what="the worker's first attempt to fail and schedule a retry",
        diagnostics=celery_worker.log_tail,
    )
    first = alert()
    assert first.urgent and first.attempts == 1 and first.next_attempt_at is not None
    assert "refused" in first.last_error.lower() or "connect" in first.last_error.lower(), first.last_error
    wait_until(
        lambda: EmailDelivery.objects.filter(kind="notice", to=[head.email]).exists(),
        timeout=30,
        what="the headteacher to be told about the undelivered alert",
    )
    assert inbox.to(dsl.email) == []

    inbox.start_server()
    back = time.monotonic()
    # Beat sends the drain every minute; here every few seconds, so the wait measured is the retry's own.
    delivered = None
    deadline = back + 150
    while delivered is None and time.monotonic() < deadline:
        app.send_task("outbox.drain")
        time.sleep(3)
        delivered = next((m for m in inbox.to(dsl.email) if incident.reference in m["Subject"]), None)
    waited = time.monotonic() - back
    record_testsuite_property("urgent_alert_delivered_seconds_after_smtp_returned", f"{waited:.1f}")
    print(f"the urgent alert arrived {waited:.1f}s after the SMTP server came back")

    assert delivered is not None, celery_worker.log_tail()
    assert delivered["Subject"].startswith("URGENT:")
    sent = alert()
    assert sent.state == State.SENT and sent.attempts >= 2 and sent.last_error == ""
    wait_until(
        lambda: inbox.to(head.email), timeout=60, what="the notice to the head", diagnostics=celery_worker.log_tail
    )
    # Once each, however many drains ran.
    time.sleep(2)
    assert len([m for m in inbox.to(dsl.email) if incident.reference in m["Subject"]]) == 1
