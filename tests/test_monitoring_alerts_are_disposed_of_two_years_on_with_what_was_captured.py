"""Monitoring alerts under the retention schedule: a triaged alert is listed two years after it arrived (not one
raised as a concern, kept with its case; not one still open; not a held pupil's); once both approvals are given,
what the product captured goes (text, screenshot file, device, user name and address, the pupil link, the events'
notes, the forwarded email), each row with its tombstone, the chains and the alerts' projection still verify, and
the queue, the alert page and a subject access request's pack open without it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring import services as monitoring_services
from monitoring.models import AlertEvent, MonitoringAlert
from safeguarding_portal.audit import chain
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention import services as retention_services
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem, ItemOutcome, Tombstone

from . import clock
from .factories import PupilFactory
from .factories_monitoring import alert
from .sar_helpers import log_request

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]

SHOT = b"\x89PNG\r\n\x1a\n" + b"0" * 64
KIND = "monitoring.alerts"


def _closed(school, dsl, **kwargs) -> MonitoringAlert:
    found = alert(school, screenshot=SHOT, **kwargs)
    return monitoring_services.alert_close(alert=found, by=dsl, outcome="nfa", reason="Checked with the class teacher.")


@pytest.fixture
def alerts(school, dsl, time_machine):
    child = PupilFactory(school=school, legal_forename="Wren", surname="Ashcombe", network_username="wren.a")
    held = PupilFactory(school=school, network_username="held.p")
    time_machine.move_to(clock.at("2024-06-03 10:00"), tick=False)
    made = {
        "due": _closed(school, dsl, username="wren.a", captured_text="how to hurt myself", device="LAPTOP-WREN"),
        "held": _closed(school, dsl, username="held.p", captured_text="held text"),
        "open": alert(school, captured_text="never looked at"),
        "concern": alert(school, captured_text="raised as a concern"),
    }
    monitoring_services.alert_escalate(alert=made["concern"], by=dsl, category="cyberbullying")
    time_machine.move_to(clock.at("2026-06-01 10:00"), tick=False)
    made["recent"] = _closed(school, dsl, captured_text="recent")
    time_machine.move_to(clock.at("2026-12-01 09:00"), tick=False)
    return child, held, made


def _batch(school):
    disposal.sweep(today=clock.at("2026-12-01 09:00").date(), force=True)
    return DisposalBatch.objects.get(school=school)


def test_only_triaged_unheld_alerts_two_years_old_are_listed(school, dsl, alerts):
    _, held, made = alerts
    retention_services.hold_place(school=school, user=dsl, scope="pupil", pupil=held, reason="claim", detail="Claim 4")
    _batch(school)
    assert list(DisposalItem.objects.filter(kind=KIND).values_list("record_id", "label")) == [
        (made["due"].pk, f"MON-{made['due'].pk}")
    ]


def test_disposal_blanks_what_was_captured_and_the_chains_still_verify(
    client, signed_in, school, dsl, head, alerts, django_capture_on_commit_callbacks
):
    child, held, made = alerts
    gone = made["due"]
    storage, shot = gone.screenshot.storage, gone.screenshot.name
    assert storage.exists(shot)
    signed_in(dsl)
    sar = log_request(client, pupil=child)
    batch = _batch(school)
    # A hold placed after the sweep keeps the held pupil's alert at disposal.
    retention_services.hold_place(school=school, user=dsl, scope="pupil", pupil=held, reason="claim", detail="Claim 4")
    assert batch.items.filter(record_id=made["held"].pk, kind=KIND).exists()
    with django_capture_on_commit_callbacks(execute=True):
        disposal.batch_approve(school=school, user=dsl, batch=batch)
        disposal.batch_approve(school=school, user=head, batch=batch)

    gone.refresh_from_db()
    assert (gone.captured_text, gone.device, gone.username, gone.user_email, gone.screenshot.name) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert gone.pupil_id is None and (gone.rule, gone.outcome, gone.state) == ("Bullying", "nfa", "closed")
    assert not storage.exists(shot)
    events = AlertEvent.objects.filter(alert=gone)
    assert not events.exclude(text="").exists()
    assert Tombstone.objects.filter(record_model="monitoring.AlertEvent").count() == events.count()
    assert Tombstone.objects.filter(record_model="monitoring.MonitoringAlert", record_id=gone.pk).exists()
    kept = MonitoringAlert.objects.get(pk=made["held"].pk)
    assert kept.captured_text == "held text" and kept.pupil == held
    assert DisposalItem.objects.get(record_id=made["held"].pk, kind=KIND).outcome == ItemOutcome.HELD

    assert not chain.verify(AlertEvent)
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=out)  # chains and the alerts' projection
    assert "monitoring.AlertEvent: intact" in out.getvalue()

    for url in (
        reverse("monitoring:queue"),
        reverse("monitoring:queue") + "?state=closed",
        reverse("monitoring:alert", args=[gone.pk]),
        reverse("sar:pack", args=[sar.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "how to hurt myself" not in page.content.decode()
    # The batch's page lists the alert's tombstone with its rows (its 3 events and itself), as it does a case's.
    review = client.get(reverse("retention:batch", args=[batch.pk])).content.decode()
    tombstones = review[review.index('data-testid="tombstones"') :]
    assert f"MON-{gone.pk}" in tombstones and "4 rows blanked" in tombstones
    assert 'data-testid="alert-disposed"' in client.get(reverse("monitoring:alert", args=[gone.pk])).content.decode()
    assert client.get(reverse("monitoring:alert_screenshot", args=[gone.pk])).status_code == 404
