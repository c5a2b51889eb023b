"""The DSL team's queue: filters by state, severity, vendor, year group and pupil; each alert is closed as no
further action or a false positive with a reason, or escalated to a new or existing case (attached on the
timeline, its pupil on the case); the times to pick up and to decide are recorded; the pupil's chronology
shows alerts beside cases; nobody outside the DSL team reads an alert."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents.models import EntryKind, Incident, TimelineEntry
from monitoring.models import AlertEvent, MonitoringAlert

from . import factories_monitoring as f
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(school):
    return {
        "y5": PupilFactory(school=school, network_username="y5kid", year_group="5"),
        "y9": PupilFactory(school=school, network_username="y9kid", year_group="9"),
    }


def test_the_queue_filters_by_severity_vendor_year_and_pupil(school, dsl, signed_in, pupils):
    a = f.alert(school, username="y5kid", severity="high", vendor="senso", page=False)
    b = f.alert(school, username="y9kid", severity="critical", vendor="smoothwall", rule="Self-harm", page=False)
    client = signed_in(dsl)

    def listed(**query) -> set[int]:
        response = client.get(reverse("monitoring:queue"), query)
        assert response.status_code == 200
        return {x.pk for x in response.context["q"].alerts}

    assert listed() == {a.pk, b.pk}
    assert listed(severity="critical") == {b.pk}
    assert listed(vendor="senso") == {a.pk}
    assert listed(year="5") == {a.pk}
    assert listed(pupil=pupils["y9"].pk) == {b.pk}
    assert listed(state="closed") == set()


def test_opening_picks_up_and_closing_needs_a_reason(school, dsl, signed_in, pupils):
    received = timezone.now()
    alert = f.alert(school, username="y5kid", page=False)
    client = signed_in(dsl)
    with time_machine.travel(received + datetime.timedelta(minutes=7)):
        assert client.get(reverse("monitoring:alert", args=[alert.pk])).status_code == 200
    with time_machine.travel(received + datetime.timedelta(minutes=12)):
        refused = client.post(reverse("monitoring:alert_close", args=[alert.pk]), {"outcome": "nfa", "reason": ""})
        assert refused.status_code == 200 and MonitoringAlert.objects.get(pk=alert.pk).is_open
        done = client.post(
            reverse("monitoring:alert_close", args=[alert.pk]),
            {"outcome": "false_positive", "reason": "A song lyric typed in a music lesson"},
        )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "closed" and alert.outcome == "false_positive" and alert.decided_by == dsl
    assert round((alert.picked_up_at - alert.received_at).total_seconds() / 60) == 7
    assert round((alert.decided_at - alert.received_at).total_seconds() / 60) == 12
    kinds = list(AlertEvent.objects.filter(alert=alert).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["received", "picked_up", "closed"]


def test_escalating_opens_a_case_with_the_pupil_and_the_alert_as_evidence(school, dsl, signed_in, pupils):
    alert = f.alert(school, username="y5kid", rule="Self-harm", captured_text="i want to hurt myself", page=False)
    response = signed_in(dsl).post(
        reverse("monitoring:alert_escalate", args=[alert.pk]), {"category": "", "note": "Spoke to the class teacher"}
    )
    case = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:case", args=[case.reference])
    assert list(case.pupil_links.current().values_list("pupil_id", flat=True)) == [pupils["y5"].pk]
    note = TimelineEntry.objects.get(incident=case, kind=EntryKind.NOTE)
    assert note.data["monitoring_alert"] == alert.pk and "i want to hurt myself" in note.text
    assert note.data["received_hash"] == AlertEvent.objects.get(alert=alert, kind="received").hash
    alert.refresh_from_db()
    assert alert.state == "escalated" and alert.incident == case and alert.decided_at is not None


def test_escalating_to_an_existing_case_adds_the_pupil_to_it(school, dsl, staff, signed_in, pupils):
    case = make_case(school=school, reporter=staff, pupils=[pupils["y9"]])
    alert = f.alert(school, username="y5kid", page=False)
    response = signed_in(dsl).post(
        reverse("monitoring:alert_escalate", args=[alert.pk]), {"case": case.reference.lower()}
    )
    assert response.status_code == 302
    assert set(case.pupil_links.current().values_list("pupil_id", flat=True)) == {pupils["y5"].pk, pupils["y9"].pk}
    assert TimelineEntry.objects.filter(incident=case, kind=EntryKind.NOTE, data__monitoring_alert=alert.pk).exists()
    assert Incident.objects.count() == 1


def test_the_chronology_shows_alerts_beside_cases_to_the_dsl_team(school, dsl, staff, signed_in, pupils):
    make_case(school=school, reporter=staff, pupils=[pupils["y5"]])
    alert = f.alert(school, username="y5kid", rule="Gambling sites", page=False)
    response = signed_in(dsl).get(reverse("incidents:chronology", args=[pupils["y5"].pk]))
    assert b'data-testid="chronology-alerts"' in response.content
    assert alert.reference.encode() in response.content and b"Gambling sites" in response.content


@pytest.mark.parametrize("who", ["head", "technician", "staff", "osl"])
def test_nobody_outside_the_dsl_team_reads_an_alert(school, signed_in, pupils, who, request):
    alert = f.alert(school, username="y5kid", page=False)
    client = signed_in(request.getfixturevalue(who))
    assert client.get(reverse("monitoring:alert", args=[alert.pk])).status_code == 403
    assert client.get(reverse("monitoring:queue")).status_code == 403
