"""The bench's incident generator writes cases whose timeline chain verifies and whose projection agrees."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q

from bench.incident_data import build_incidents
from incidents.models import CaseStep, CaseTask, Incident, IncidentPupil, ReferenceCounter, Status, TimelineEntry
from safeguarding_portal.audit import chain

pytestmark = pytest.mark.django_db


def test_generated_cases_chain_per_school_and_agree_with_their_projection():
    data = build_incidents(schools=2, incidents=120, pupils_per_school=20)

    assert not data.reused
    assert Incident.objects.filter(school__trust=data.built.trust).count() == 120
    assert chain.verify(TimelineEntry) == []
    links = IncidentPupil.objects.values("incident").annotate(n=Count("pk"))
    assert {row["n"] for row in links} <= {1, 2, 3} and len(links) == 120
    for incident in Incident.objects.all():
        steps = CaseStep.objects.filter(incident=incident)
        assert steps.exists()
        assert incident.open_mandatory_steps == steps.filter(mandatory=True, done_entry__isnull=True).count()
        open_tasks = CaseTask.objects.filter(incident=incident, done_entry__isnull=True)
        assert incident.open_tasks == open_tasks.count()
        assert incident.next_task_due_on == (open_tasks.first().due_on if incident.open_tasks else None)
        assert (incident.acknowledged_at is None) == (incident.status == Status.REPORTED)
        assert (incident.closed_at is not None) == (incident.status == Status.CLOSED)
        assert incident.entries.filter(kind="reported").count() == 1
    assert Incident.objects.filter(Q(status=Status.CLOSED)).exists()
    assert Incident.objects.exclude(status=Status.CLOSED).exists()
    # A new report continues each school's numbering rather than colliding with a generated one.
    for counter in ReferenceCounter.objects.all():
        top = Incident.objects.filter(school=counter.school_id, year=counter.year).order_by("-number").first()
        assert top.number == counter.last_number


def test_asking_again_for_the_same_size_reuses_the_cases():
    first = build_incidents(schools=1, incidents=30, pupils_per_school=10)
    again = build_incidents(schools=1, incidents=30, pupils_per_school=10)

    assert again.reused and again.built.trust == first.built.trust
    assert Incident.objects.count() == 30
