"""The governor report's monitoring section and the trust report's columns come from monitoring.figures:
alerts by severity and product, median and 90th-percentile time to pick up, the share escalated and the
false-positive rate; nothing names or describes a child."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from monitoring import figures, report, services
from safeguarding_portal.reports import figures as registry
from safeguarding_portal.reports import sections

from . import factories_monitoring as f
from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def _at(alert, minutes):
    return alert.received_at + datetime.timedelta(minutes=minutes)


@pytest.fixture
def worked(school, dsl):
    PupilFactory(school=school, network_username="zed", legal_forename="Zebedee")
    alerts = [
        f.alert(
            school, username="zed", rule=f"Rule {i}", severity=s, vendor=v, page=False, captured_text="secret words"
        )
        for i, (s, v) in enumerate(
            [("critical", "smoothwall"), ("high", "senso"), ("low", "senso"), ("medium", "impero"), ("low", "impero")]
        )
    ]
    for alert, wait in zip(alerts, [2, 4, 6, 8, 30], strict=True):
        services.alert_pick_up(alert=alert, by=dsl, at=_at(alert, wait))
    services.alert_escalate(alert=alerts[0], by=dsl, at=_at(alerts[0], 3))
    services.alert_close(
        alert=alerts[1], by=dsl, outcome="false_positive", reason="A quote in an English essay", at=_at(alerts[1], 5)
    )
    services.alert_close(
        alert=alerts[2], by=dsl, outcome="nfa", reason="Spoken to; nothing more needed", at=_at(alerts[2], 7)
    )
    services.alert_close(
        alert=alerts[3], by=dsl, outcome="false_positive", reason="A history lesson search", at=_at(alerts[3], 9)
    )
    return alerts


def test_figures_for_the_period(school, worked):
    today = timezone.localdate()
    got = figures.alert_figures(school_ids=[school.pk], start=today - datetime.timedelta(days=30), end=today)[school.pk]
    assert got.received == 5
    assert got.by_severity == {"Low": 2, "Medium": 1, "High": 1, "Critical": 1}
    assert got.by_vendor == {"Smoothwall Monitor": 1, "Senso": 2, "Impero": 2}
    assert got.pickup_median_minutes == 6.0 and got.pickup_p90_minutes == 30.0
    assert (got.decided, got.escalated, got.false_positives, got.still_open) == (4, 1, 2, 1)
    assert got.share_escalated == 25 and got.false_positive_rate == 50
    assert got.critical_late == 0


def test_the_governor_section_is_in_the_report_and_names_no_child(school, worked):
    today = timezone.localdate()
    collected = sections.collect(school=school, start=today - datetime.timedelta(days=30), end=today)
    section = next(s for s in collected if s["app"] == "monitoring")
    assert not section["missing"]
    assert any(e["standard"] == "fm.monitor" and e["ok"] for e in section["evidence"])
    html = render_to_string(section["template"], {"section": section})
    for text in ("Zebedee", "zed", "secret words", "Rule 0"):
        assert text not in html and text not in str(section["summary"]) + str(section["evidence"])
    assert "Critical" in html and "Senso" in html


def test_the_trust_report_takes_the_same_figures(school, worked):
    today = timezone.localdate()
    cols = {
        c.key: c
        for c in registry.columns_for(
            school_ids=[school.pk], start=today - datetime.timedelta(days=30), end=today, today=today
        )
    }
    assert cols["monitoring_alerts"].values[school.pk] == "5"
    assert cols["monitoring_pickup"].values[school.pk] == "6.0 min"
    assert cols["monitoring_escalated"].values[school.pk] == "25%"


def test_a_school_without_alerts_is_asked_to_connect_its_product(school):
    today = timezone.localdate()
    section = report.governor_section(school=school, start=today - datetime.timedelta(days=30), end=today)
    assert section["evidence"][0]["ok"] is False and section["actions"]
