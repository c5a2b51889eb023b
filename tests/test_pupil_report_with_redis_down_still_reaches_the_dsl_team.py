"""Redis refused or hung: a pupil's report from the tell-someone link still arrives, pupil-raised and waiting for
the DSL team's check, with its alert waiting in the outbox (the database), and the pupil still sees the thank-you.
The throttle counts in Redis; while Redis is away it lets the report through rather than lose it."""

import pytest

from incidents.models import Incident, Moderation
from safeguarding_portal.core.cache import forget_outages
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage

from .outage import CLOSED_PORT_URL, hung_listener, redis_settings
from .pupil_report_helpers import pupil_payload, tell_url, thanks_url

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


@pytest.fixture(params=["refused", "hung"])
def redis_outage(request, settings):
    if request.param == "refused":
        settings.CACHES, settings.SESSION_ENGINE = redis_settings(CLOSED_PORT_URL)
        yield request.param
    else:
        with hung_listener() as listener:
            settings.CACHES, settings.SESSION_ENGINE = redis_settings(listener.url)
            yield request.param


def test_a_pupils_report_arrives_and_its_alert_waits_in_the_outbox_with_redis_down(client, school, dsl, redis_outage):
    url, thanks = tell_url(school), thanks_url(school)
    forget_outages()
    assert client.get(url).status_code == 200

    response = client.post(url, pupil_payload())

    assert response.status_code == 302 and response.url == thanks
    incident = Incident.objects.get()
    assert incident.reported_by is None and incident.moderation == Moderation.PENDING
    delivery = EmailDelivery.objects.get(kind="alert", reference=incident.reference)
    assert dsl.email in delivery.to
    assert OutboxMessage.objects.filter(task_name="outbox.deliver_email", kwargs={"delivery_id": delivery.pk}).exists()
