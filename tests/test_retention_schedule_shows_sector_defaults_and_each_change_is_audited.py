"""Retention schedule: the DSL or head sees each kind of record with its default period from the sector guidance
(child protection records, date of birth + 25 years), changes a period with a reason, and the change (from, to,
who, why) is in the audit log; a period out of range is refused and nothing is saved; staff cannot open it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.retention.models import RetentionPeriod
from safeguarding_portal.retention.registry import KINDS
from safeguarding_portal.retention.selectors import schedule

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

URL = reverse("retention:schedule")


def _form(school, **changed) -> dict[str, str]:
    data = {f"years-{e.kind.name}": str(e.years) for e in schedule(school=school)}
    data.update({f"years-{k}": v for k, v in changed.items()})
    return data


def test_every_app_declares_its_kinds_with_the_guidance_defaults():
    assert {
        "incidents.cp_records",
        "aup.agreements",
        "monitoring.alerts",
        "filtering.log",
        "curriculum.training",
        "audit.log",
    } <= set(KINDS)
    cp = KINDS["incidents.cp_records"]
    assert (cp.trigger, cp.years) == ("birth", 25) and "IRMS" in cp.source
    assert (KINDS["aup.agreements"].trigger, KINDS["aup.agreements"].years) == ("left", 6)


def test_the_head_changes_a_period_and_the_audit_log_has_it(client, signed_in, head, school):
    signed_in(head)
    page = client.get(URL).content.decode()
    assert "Child protection records" in page and "the pupil&#x27;s date of birth" in page
    assert 'name="years-incidents.cp_records" value="25"' in page

    response = client.post(URL, {**_form(school, **{"monitoring.alerts": "4"}), "note": "Our policy, 2026"})
    assert response.status_code == 302
    period = RetentionPeriod.objects.get(school=school)
    assert (period.kind, period.years, period.changed_by, period.note) == (
        "monitoring.alerts",
        4,
        head,
        "Our policy, 2026",
    )
    event = AuditEvent.objects.get(action="retention.period_changed", school=school)
    assert event.actor == head
    assert event.detail["before"] == 2 and event.detail["after"] == 4 and event.detail["note"] == "Our policy, 2026"
    assert "changed" in client.get(URL).content.decode()

    # Saving the same schedule again records nothing more.
    assert client.post(URL, _form(school)).status_code == 302
    assert AuditEvent.objects.filter(action="retention.period_changed").count() == 1


def test_a_period_out_of_range_is_refused_and_nothing_saved(client, signed_in, dsl, school):
    signed_in(dsl)
    response = client.post(URL, _form(school, **{"incidents.cp_records": "0", "monitoring.alerts": "5"}))
    assert response.status_code == 400
    assert "A whole number of years from 1 to 100" in response.content.decode()
    assert not RetentionPeriod.objects.exists()
    assert not AuditEvent.objects.filter(action="retention.period_changed").exists()
    # The database refuses it too, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPeriod.objects.create(school=school, kind="monitoring.alerts", years=0, changed_at=timezone.now())


def test_staff_cannot_open_the_schedule(client, signed_in, staff):
    signed_in(staff)
    assert client.get(URL).status_code == 403
