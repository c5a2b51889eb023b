"""The trust dashboard's monitoring cells are no longer "not set up": they hold the monitoring app's own
figures (the governor and trust reports' alert_figures), with "fewer than 3" for a small count of alerts and
red for a critical alert nobody picked up in time."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.figures import alert_figures
from safeguarding_portal.reports import school_figures
from safeguarding_portal.reports.models import SchoolFigures

from . import clock
from . import factories_monitoring as f

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_monitoring_cells_hold_the_monitoring_figures(client, signed_in, trust_lead, school, dsl):
    picked = [f.alert(school, severity="high", rule=f"Rule {n}", page=False) for n in range(4)]
    for alert in picked:
        services.alert_pick_up(alert=alert, by=dsl, at=alert.received_at + datetime.timedelta(minutes=20))
    f.alert(school, severity="critical", rule="Self-harm", page=False)  # nobody picks this one up

    school_figures.refresh(school_ids=[school.pk])
    stored = SchoolFigures.objects.get(school=school, period_key="term").figures
    term = school.current_term(on=timezone.localdate())
    expected = alert_figures(school_ids=[school.pk], start=term.starts_on, end=term.ends_on)[school.pk]
    assert stored["monitoring_alerts"]["v"] == expected.received == 5
    assert stored["monitoring_pickup"]["v"] == round(expected.pickup_median_minutes) == 20
    assert stored["monitoring_critical_late"]["v"] == expected.critical_late == 1

    signed_in(trust_lead)
    body = client.get(reverse("schools:trust_overview")).content.decode()
    assert "Monitoring alerts" in body and "not set up" not in body.split("Monitoring alerts", 1)[1][:400]
    assert "Critical alerts not picked up in time" in body


def test_one_or_two_alerts_show_as_fewer_than_3(school):
    f.alert(school, severity="low", page=False)
    school_figures.refresh(school_ids=[school.pk])
    entry = SchoolFigures.objects.get(school=school, period_key="term").figures["monitoring_alerts"]
    assert entry["v"] == 1 and school_figures.shown(entry) == "fewer than 3"
