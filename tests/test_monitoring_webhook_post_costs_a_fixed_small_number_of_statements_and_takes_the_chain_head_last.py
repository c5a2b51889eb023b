"""A webhook post costs a fixed, small number of statements, whatever the number of alerts in it, and takes the
school's chain head last.

A monitoring vendor posts alerts from many pupils of one school at once. Every post appends to the school's
alert chain, and the head of that chain is held from the moment it is taken to COMMIT, so posts from one school
queue behind each other for that stretch only: everything else (the endpoint and its mapping, pupils, the
vendor's ids already taken, alerts a repeat may fold into, the alerts' rows, a critical alert's pages and the
delivery's row) comes before it. The count is every statement a post of up to 50 alerts sends (more go by
COPY, which the capture would not see).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import webhook
from monitoring.models import AlertEvent, EventKind, MonitoringAlert, Page, WebhookDelivery
from safeguarding_portal.audit import chain

from .factories import PupilFactory
from .monitoring_helpers import body, one_alert, signed_headers

# Real commits, so COMMIT is among the statements as in production (and a critical alert's outbox runs after it).
pytestmark = pytest.mark.django_db(transaction=True)


# Outside the transaction: the endpoint, the school's severity mapping (2). The transaction: BEGIN, pupils and
# hand-matched names (one UNION ALL), the vendor's ids as alerts, as folded repeats, the open alerts about the
# same people, the alerts' INSERT, the delivery's row, the chain head taken, the events and the head's last hash
# (one statement on PostgreSQL, two elsewhere), COMMIT (10 or 11). It was 16 captured on PostgreSQL, 18 with
# the two COPYs not captured: a savepoint, a second pupil lookup, the ids' reservation, an UPDATE of the
# delivery's row after the chain and the head's separate UPDATE were dropped.
def statements_expected() -> int:
    return 12 if connection.vendor == "postgresql" else 13


@pytest.fixture
def hook(school, dsl):
    endpoint, secret = webhook.webhook_create(school=school, vendor="smoothwall", by=dsl)
    return secret, reverse("monitoring:webhook_receive", args=[endpoint.token])


def _post(client, hook, *alerts):
    secret, url = hook
    data = body(*alerts)
    return client.post(url, data, content_type="application/json", **signed_headers(secret=secret, body=data))


def _statements(client, hook, *alerts) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = _post(client, hook, *alerts)
    assert response.status_code == 202, response.content
    return [q["sql"] for q in captured.captured_queries]


def _while_the_head_is_held(statements: list[str]) -> list[str]:
    """The statements from taking the school's chain head to COMMIT (the outbox's dispatch of a critical alert's
    email runs after COMMIT, in its own transaction)."""
    taken = [i for i, sql in enumerate(statements) if "audit_chainhead" in sql and "seq = seq +" in sql]
    assert len(taken) == 1, "\n".join(statements)
    held = statements[taken[0] + 1 :]
    return held[: held.index("COMMIT") + 1]


@pytest.fixture
def pupils(school):
    return [PupilFactory(school=school, network_username=f"kid{n}") for n in range(10)]


def test_one_alert_costs_a_fixed_number_of_statements(client, school, hook, pupils):
    assert _post(client, hook, one_alert(user="kid0")).status_code == 202  # the school's chain exists from now on

    statements = _statements(client, hook, one_alert(user="kid1", rule="Bullying"))

    assert len(statements) == statements_expected(), "\n".join(statements)
    assert MonitoringAlert.objects.filter(school=school).count() == 2
    assert WebhookDelivery.objects.filter(outcome="accepted").count() == 2
    assert chain.verify(AlertEvent) == []


def test_ten_alerts_in_one_post_cost_the_same_statements_as_one(client, school, hook, pupils):
    assert _post(client, hook, one_alert(user="kid0")).status_code == 202

    # New alerts, a repeat folded into the first post's alert, and one folded into an alert of this same post.
    alerts = [one_alert(user=f"kid{n}", rule="Weapons") for n in range(1, 9)]
    alerts += [one_alert(user="kid0"), one_alert(user="kid1", rule="Weapons", time="2026-09-14T10:05:00+01:00")]
    statements = _statements(client, hook, *alerts)

    # One more than a single new alert: the fold's UPDATE of the first post's alert (its count and last time).
    assert len(statements) == statements_expected() + 1, "\n".join(statements)
    assert MonitoringAlert.objects.filter(school=school).count() == 9
    assert AlertEvent.objects.filter(kind=EventKind.REPEATED).count() == 2
    assert chain.verify(AlertEvent) == []


def test_the_chain_head_is_held_only_for_the_events_and_commit(client, school, hook, pupils):
    assert _post(client, hook, one_alert(user="kid0")).status_code == 202

    # A critical alert: its pages (who is on duty, the page, the email in the outbox) come before the head too.
    statements = _statements(client, hook, one_alert(user="kid2", rule="Suicide", severity="5"))

    held = _while_the_head_is_held(statements)
    if connection.vendor == "postgresql":
        assert len(held) == 2, "\n".join(statements)
        assert held[0].startswith('WITH links AS (INSERT INTO "monitoring_alertevent"')
        assert 'UPDATE "audit_chainhead" SET last_hash' in held[0]
    else:
        assert len(held) == 3, "\n".join(statements)
        assert held[0].startswith('INSERT INTO "monitoring_alertevent"')
        assert held[1].startswith('UPDATE "audit_chainhead" SET last_hash')
    assert held[-1] == "COMMIT"
    # ...and the page is chained after the alert's arrival, in the same append.
    alert = MonitoringAlert.objects.get(school=school, severity="critical")
    assert Page.objects.filter(alert=alert).count() == 1
    assert list(alert.events.order_by("seq").values_list("kind", flat=True)) == [EventKind.RECEIVED, EventKind.PAGED]
    assert chain.verify(AlertEvent) == []
