"""Redis refused or hung on the real stack (PostgreSQL, tasks published to a broker): a member of staff signs in
and reports a concern; the concern is saved, the confirmation is the usual one, and the DSL team's alert waits in
the outbox for the drain instead of holding the request. How long each step took is recorded in the JUnit
report (``.ci/run`` prints it), never asserted; pytest-timeout guards against a hang."""

import time
from contextlib import ExitStack

import pytest
from django.urls import reverse

from incidents.models import Incident
from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.core.cache import forget_outages
from safeguarding_portal.outbox import services as outbox
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage
from tests.factories import PASSWORD
from tests.incident_helpers import report_payload
from tests.outage import CLOSED_PORT_URL, hung_listener, redis_settings

from .conftest import broker_unreachable

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_signing_in_and_reporting_answer_with_redis_refused_or_hung(
    client, settings, integration_services, school, staff, dsl, outage, record_testsuite_property
):
    from django.core.cache import cache

    # Redis is up while the sign-in page loads; it goes away before the password is sent.
    assert client.get(reverse("accounts:login")).status_code == 200
    with ExitStack() as stack:
        url = CLOSED_PORT_URL if outage == "refused" else stack.enter_context(hung_listener()).url
        settings.CACHES, settings.SESSION_ENGINE = redis_settings(url)
        stack.enter_context(broker_unreachable(url))
        forget_outages()  # the first request of the outage pays the wait: measure that one

        started = time.monotonic()
        signed = password_sign_in(client, staff.email, PASSWORD)
        sign_in_seconds = time.monotonic() - started
        assert signed.status_code == 302, signed.content[:500]
        assert client.get(signed.url).status_code == 200
        assert client.get(reverse("incidents:report")).status_code == 200

        payload = report_payload()
        forget_outages()
        started = time.monotonic()
        response = client.post(reverse("incidents:report"), payload)
        report_seconds = time.monotonic() - started
        confirmation = client.get(response.url) if response.status_code == 302 else None
        cache_was_down = getattr(cache, "is_down", None)

    record_testsuite_property(f"redis_{outage}_sign_in_seconds", f"{sign_in_seconds:.3f}")
    record_testsuite_property(f"redis_{outage}_report_seconds", f"{report_seconds:.3f}")
    print(f"redis {outage}: sign-in took {sign_in_seconds:.3f}s, the report {report_seconds:.3f}s")

    incident = Incident.objects.get(reported_by=staff)
    assert response.status_code == 302
    assert response.url == reverse("incidents:reported", args=[incident.reference])
    assert confirmation is not None and confirmation.status_code == 200
    assert incident.reference in confirmation.content.decode()
    assert cache_was_down is True
    # The alert to the DSL team is kept, not sent: the request did not wait for the broker ...
    delivery = EmailDelivery.objects.get(kind="alert", reference=incident.reference)
    assert delivery.state == EmailDelivery.State.QUEUED and dsl.email in delivery.to
    task = OutboxMessage.objects.get(task_name="outbox.deliver_email", kwargs={"delivery_id": delivery.pk})
    assert task.dispatched_at is None
    # ... and goes to the broker once Redis is back.
    assert outbox.drain() >= 1
    task.refresh_from_db()
    assert task.dispatched_at is not None


@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_a_report_opened_before_redis_went_away_is_saved_when_sent_during_the_outage(
    client, settings, integration_services, school, staff, dsl, outage, record_testsuite_property
):
    # Signed in and typing while Redis is up (the real one: cache and broker) ...
    assert password_sign_in(client, staff.email, PASSWORD).status_code == 302
    form = client.get(reverse("incidents:report"))
    assert form.status_code == 200
    payload = report_payload()
    with ExitStack() as stack:
        # ... then Redis goes away before "Send" is pressed.
        url = CLOSED_PORT_URL if outage == "refused" else stack.enter_context(hung_listener()).url
        settings.CACHES, settings.SESSION_ENGINE = redis_settings(url)
        stack.enter_context(broker_unreachable(url))
        forget_outages()
        started = time.monotonic()
        response = client.post(reverse("incidents:report"), payload)
        seconds = time.monotonic() - started
        confirmation = client.get(response.url) if response.status_code == 302 else None

    record_testsuite_property(f"redis_{outage}_mid_report_send_seconds", f"{seconds:.3f}")
    print(f"redis {outage} between opening and sending the report: the send took {seconds:.3f}s")
    incident = Incident.objects.get(reported_by=staff)
    assert response.status_code == 302
    assert response.url == reverse("incidents:reported", args=[incident.reference])
    assert confirmation is not None and confirmation.status_code == 200
    assert incident.reference in confirmation.content.decode()
    delivery = EmailDelivery.objects.get(kind="alert", reference=incident.reference)
    assert dsl.email in delivery.to
    task = OutboxMessage.objects.get(task_name="outbox.deliver_email", kwargs={"delivery_id": delivery.pk})
    outbox.drain()  # Redis is back: the alert's task reaches the broker
    task.refresh_from_db()
    assert task.dispatched_at is not None
