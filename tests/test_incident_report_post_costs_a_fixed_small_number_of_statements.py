"""Submitting a report costs a fixed, small number of database statements, and the school's reference number
is taken late.

A trust's busy morning is many reports at once from one school: each report holds the school's reference
counter and its timeline chain from the moment it takes them to COMMIT, so everything that can be done before
(reading, checking, building) is, and what is left is written in as few statements as possible. The count
includes the request's own reads (session, user, membership, the form's pupils) and the outbox's dispatch
after COMMIT, with a broker (not the in-process tasks of the embedded default).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Alert, EntryKind, Incident, IncidentPupil
from safeguarding_portal.audit import chain
from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services as outbox
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage

from .factories import PupilFactory
from .incident_helpers import report_payload

# Real commits: the outbox sends a transaction's messages together from the first callback run after COMMIT,
# as Django runs them in production (a test transaction would run only the callbacks it captured, one by one).
pytestmark = pytest.mark.django_db(transaction=True)

# The request's reads (session, user, the test client's second factor, membership, the form's pupils: 5), the
# report's transaction (BEGIN, token, procedure, recipients, counter, incident, the gap check's message, steps,
# alert, email, both messages in one insert (outbox.written_together), the chain's three, pupils, the kept case
# counts' one upsert (the case's state and week, incidents.counts), COMMIT: 16) and one dispatch for both
# messages (BEGIN, lock, mark, COMMIT: 4). It was 51 before (with the second factor's read), then 26 with the
# counts' upsert until the two messages were written together.
STATEMENTS = 25


@pytest.fixture
def broker(monkeypatch):
    """A broker that takes every message (no Redis): the request's statements without the tasks' own."""
    sent: list[str] = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", lambda name, **kw: sent.append(name))
    monkeypatch.setattr(outbox, "_broker_marked_down", lambda: False)
    return sent


def _post(client, pupils):
    payload = report_payload(
        pupil=[str(p.pk) for p in pupils],
        **{f"pupil_role_{p.pk}": role for p, role in zip(pupils, ("harmed", "harming"), strict=True)},
    )
    return client.post(reverse("incidents:report"), payload)


@pytest.fixture
def two_pupils(school):
    return [PupilFactory(school=school, year_group="5"), PupilFactory(school=school, year_group="6")]


def test_a_report_with_two_pupils_costs_a_fixed_number_of_statements(
    client, signed_in, school, staff, dsl, deputy, two_pupils, broker
):
    signed_in(staff)
    _post(client, two_pupils)  # the school's counter and chain exist from now on, as on any school day

    with CaptureQueriesContext(connection) as captured:
        response = _post(client, two_pupils)

    assert response.status_code == 302
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) <= STATEMENTS, "\n".join(statements)
    incident = Incident.objects.order_by("-pk").first()
    assert response["Location"] == reverse("incidents:reported", args=[incident.reference])
    # Everything a report makes is there: its pupils, its two chained entries, its alert, email and messages.
    assert incident.reference.endswith("-0002") and incident.number == 2
    assert list(incident.entries.order_by("seq").values_list("kind", flat=True)) == [
        EntryKind.REPORTED,
        EntryKind.ALERT,
    ]
    assert IncidentPupil.objects.filter(incident=incident).count() == 2
    assert Alert.objects.filter(incident=incident).count() == 1
    assert EmailDelivery.objects.filter(reference=incident.reference).count() == 1
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    assert sorted(broker) == sorted(["curriculum.check_gaps", "outbox.deliver_email"] * 2)
    assert chain.verify(type(incident.entries.first())) == []


def test_the_reference_counter_is_taken_after_every_read_and_check(
    client, signed_in, school, staff, dsl, two_pupils, broker
):
    signed_in(staff)
    _post(client, two_pupils)
    with CaptureQueriesContext(connection) as captured:
        _post(client, two_pupils)
    statements = [q["sql"] for q in captured.captured_queries]
    taken = next(i for i, sql in enumerate(statements) if "incidents_referencecounter" in sql)
    committed = statements.index("COMMIT", taken)
    # Between taking the number and COMMIT only the report's own writes: nothing is read while it is held.
    held = statements[taken + 1 : committed]
    assert not [sql for sql in held if sql.lstrip().upper().startswith("SELECT")], "\n".join(held)
    assert len(held) <= 11, "\n".join(held)  # ten of the report's own rows and its kept counts' one upsert
