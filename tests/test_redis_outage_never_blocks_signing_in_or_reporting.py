"""Redis refused or hung: signing in, reporting a concern and the DSL's dashboard still answer, from the database.

Runs in the main suite (no real Redis needed: the outage is a closed port or a listener started by the test).
tests/integration/test_redis_outage_mid_report_on_real_services.py does the same on PostgreSQL with the real
broker path. The time each journey took is recorded in the JUnit report, never asserted; pytest-timeout
guards against a hang.
"""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from incidents.models import Incident
from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.core.cache import forget_outages
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage

from .factories import PASSWORD
from .incident_helpers import report_payload
from .outage import CLOSED_PORT_URL, hung_listener, redis_settings

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


@pytest.fixture(params=["refused", "hung"])
def redis_outage(request, settings):
    """The portal's Redis cache configuration, pointed at a Redis that is not there."""
    if request.param == "refused":
        settings.CACHES, settings.SESSION_ENGINE = redis_settings(CLOSED_PORT_URL)
        yield request.param
    else:
        with hung_listener() as listener:
            settings.CACHES, settings.SESSION_ENGINE = redis_settings(listener.url)
            yield request.param


def test_staff_sign_in_and_report_a_concern_with_redis_down(client, school, staff, dsl, redis_outage, record_property):
    forget_outages()  # the first request of an outage pays the wait: measure that one, for each journey
    started = time.monotonic()
    signed = password_sign_in(client, staff.email, PASSWORD)
    signed_in_seconds = time.monotonic() - started
    assert signed.status_code == 302, signed.content[:500]
    assert client.get(signed.url).status_code == 200
    assert client.get(reverse("incidents:report")).status_code == 200

    payload = report_payload()
    forget_outages()
    started = time.monotonic()
    response = client.post(reverse("incidents:report"), payload)
    report_seconds = time.monotonic() - started

    record_property(f"redis_{redis_outage}_sign_in_seconds", f"{signed_in_seconds:.3f}")
    record_property(f"redis_{redis_outage}_report_seconds", f"{report_seconds:.3f}")
    print(f"redis {redis_outage}: sign-in {signed_in_seconds:.3f}s, report {report_seconds:.3f}s")
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:reported", args=[incident.reference])
    assert incident.submission_token.hex == payload["submission_token"].replace("-", "")
    assert incident.reported_by == staff
    confirmation = client.get(response.url)
    assert confirmation.status_code == 200
    assert incident.reference in confirmation.content.decode()
    # The DSL team's alert was not lost either: it is recorded, and its task is in the outbox.
    delivery = EmailDelivery.objects.get(kind="alert", reference=incident.reference)
    assert dsl.email in delivery.to
    assert OutboxMessage.objects.filter(task_name="outbox.deliver_email", kwargs={"delivery_id": delivery.pk}).exists()


def test_the_dsl_dashboard_counts_come_from_the_database_with_redis_down(
    client, signed_in, school, staff, dsl, redis_outage
):
    forget_outages()
    from .incident_helpers import make_case

    make_case(school=school, reporter=staff)
    signed_in(dsl)
    response = client.get(reverse("incidents:dashboard"))
    assert response.status_code == 200
    assert response.context["counts"]["unacknowledged"] == 1
    assert response.context["counts"]["open"] == 1
    assert 'data-count="unacknowledged">1<' in response.content.decode()
    # Nothing was cached, and reading the cache again still answers "nothing".
    assert cache.get("anything", "missing") == "missing"
