"""Each case has a risk level (low, medium, high, critical), set or changed only with a reason; its history
is on the timeline and the level shows on the dashboard."""

import pytest
from django.urls import reverse

from incidents.models import EntryKind

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _classify(client, incident, **data):
    return client.post(
        reverse("incidents:case_action", args=[incident.reference]),
        {"action": "classify", "concern_type": "online_safety", **data},
    )


def test_the_risk_level_changes_only_with_a_reason_and_each_change_is_on_the_timeline(
    client, signed_in, school, staff, dsl
):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    refused = _classify(client, incident, severity="high", text="")
    assert refused.status_code == 400 and b"Say why the risk level is set to high" in refused.content
    assert _classify(client, incident, severity="high", text="Threats of violence").status_code == 302
    assert _classify(client, incident, severity="low", text="Police confirmed a prank").status_code == 302
    changes = list(incident.entries.filter(kind=EntryKind.CLASSIFIED).order_by("seq").values_list("data", "text"))
    assert [(d["was"]["severity"], d["severity"], t) for d, t in changes] == [
        ("", "high", "Threats of violence"),
        ("high", "low", "Police confirmed a prank"),
    ]
    # The type of concern alone can change without a reason: the risk level stays.
    assert _classify(client, incident, severity="low", concern_type="child_protection").status_code == 302

    dashboard = client.get(reverse("incidents:dashboard")).content.decode()
    row = dashboard[dashboard.index(incident.reference) :]
    assert 'class="badge risk-low">Low</span>' in row[:2500]
