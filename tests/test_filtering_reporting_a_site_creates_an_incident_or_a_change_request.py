"""One form: a site that got through becomes a filtering-breach concern and a candidate block; an over-block,
a request."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from filtering.models import Action, ChangeRequest, EventKind, FilterEvent, Source, State
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def _post(client, **data):
    payload = {
        "token": "5b0c0c47-64a4-4f7e-9d1c-0000000000c1",
        "kind": "breach",
        "url": "https://bad.example/x",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "on_site",
        "device": "school",
        "description": "A pop-up with adult content",
        "scope": "all_pupils",
    } | data
    return client.post(reverse("filtering:report_site"), payload)


def test_a_breach_creates_an_incident_and_a_candidate_block(school, staff, dsl, signed_in):
    response = _post(signed_in(staff))
    incident = Incident.objects.get()
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert incident.category == "filtering_breach" and "https://bad.example/x" in incident.description
    assert incident.reported_by == staff
    assert change.action == Action.BLOCK and change.source == Source.BREACH
    assert change.incident_reference == incident.reference and change.state == State.REQUESTED
    assert FilterEvent.objects.filter(change=change, kind=EventKind.REPORTED).exists()
    # The DSL team sees the concern in their queue.
    assert incident.reference.encode() in signed_in(dsl).get(reverse("incidents:dashboard")).content


def test_an_overblock_becomes_an_allow_request_without_an_incident(school, staff, signed_in):
    _post(
        signed_in(staff),
        kind="overblock",
        url="https://www.nasa.gov/learning",
        description="Blocks the Year 5 space unit",
    )
    change = ChangeRequest.objects.get()
    assert not Incident.objects.exists()
    assert change.action == Action.ALLOW and change.source == Source.OVERBLOCK and change.needed_until


def test_a_bad_form_keeps_what_was_typed(school, staff, signed_in):
    response = _post(signed_in(staff), url="")
    assert response.status_code == 200
    assert response.context["form"]["description"].value() == "A pop-up with adult content"
    assert not Incident.objects.exists() and not ChangeRequest.objects.exists()


def test_a_double_submitted_breach_report_is_recorded_once(school, staff, signed_in):
    client = signed_in(staff)
    _post(client)
    _post(client)
    assert Incident.objects.count() == 1 and ChangeRequest.objects.count() == 1
    assert FilterEvent.objects.filter(kind=EventKind.REPORTED).count() == 1
