"""The audit log page shows the school's own events and checks its chain on request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(school, other_school):
    audit_record(action=AuditAction.SCHOOL_UPDATED, school=school, summary="Term dates changed at Oak")
    audit_record(action=AuditAction.RECORD_VIEWED, school=school, summary="Pupil record Oak", actor_email="x@y")
    audit_record(action=AuditAction.SCHOOL_UPDATED, school=other_school, summary="Term dates changed at Hill")


def test_check_the_chain_reports_an_intact_log(client, signed_in, dsl, log):
    signed_in(dsl)

    response = client.get(reverse("audit:log"), {"verify": "1"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="chain-ok"' in body
    assert "The chain is intact" in body
    assert 'data-testid="chain-broken"' not in body


def test_the_chain_is_checked_only_when_asked(client, signed_in, head, log):
    signed_in(head)

    body = client.get(reverse("audit:log")).content.decode()

    assert "Check the chain" in body
    assert 'data-testid="chain-ok"' not in body


def test_the_log_shows_only_this_schools_events(client, signed_in, dsl, log):
    signed_in(dsl)

    body = client.get(reverse("audit:log")).content.decode()

    assert "Term dates changed at Oak" in body
    assert "Term dates changed at Hill" not in body


def test_the_log_filters_by_action_and_ignores_unknown_actions(client, signed_in, dsl, log):
    signed_in(dsl)

    viewed = client.get(reverse("audit:log"), {"action": AuditAction.RECORD_VIEWED}).content.decode()
    bogus = client.get(reverse("audit:log"), {"action": "drop table", "page": "999"})

    assert "Pupil record Oak" in viewed
    assert "Term dates changed at Oak" not in viewed
    assert bogus.status_code == 200
    assert b"Term dates changed at Oak" in bogus.content
