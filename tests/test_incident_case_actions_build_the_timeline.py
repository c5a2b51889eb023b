import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import EntryKind, Status

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def act(client, incident, **data):
    return client.post(reverse("incidents:case_action", args=[incident.reference]), data)


def test_dsl_acknowledges_assigns_refers_and_closes_with_an_outcome(client, signed_in, school, staff, dsl, deputy):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    assert act(client, incident, action="acknowledge").status_code == 302
    assert act(client, incident, action="assign", to=str(deputy.pk)).status_code == 302
    assert (
        act(
            client,
            incident,
            action="classify",
            severity="medium",
            concern_type="child_protection",
            text="Images shared beyond the class",
        ).status_code
        == 302
    )
    assert (
        act(
            client,
            incident,
            action="record",
            kind="parent_contact",
            who="Mother",
            how="phone",
            when="2026-11-20T15:30",
            text="Explained what happened and the support offered",
        ).status_code
        == 302
    )
    assert (
        act(
            client,
            incident,
            action="record",
            kind="referral",
            agency="social_care",
            when="2026-11-20T16:00",
            reference="MASH-123",
            text="Referred to MASH",
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.status == Status.AWAITING_AGENCY and incident.assigned_to == deputy
    assert incident.acknowledged_at is not None and incident.concern_type == "child_protection"

    refused = act(client, incident, action="transition", to="closed", outcome="")
    assert refused.status_code == 400 and b"Record the outcome before closing" in refused.content
    # The parent contact ticked its step; the rest are done by hand (or not needed) before the case closes.
    open_steps = incident.steps.filter(mandatory=True, done_entry__isnull=True)
    assert "Inform parents or carers" not in " ".join(open_steps.values_list("text", flat=True))
    refused = act(client, incident, action="transition", to="closed", outcome="MASH: no further action")
    assert refused.status_code == 400 and b"still open" in refused.content
    for step in open_steps:
        act(client, incident, action="step_done", step=str(step.pk), text="Done in the meeting with the pupil")
    assert (
        act(
            client,
            incident,
            action="transition",
            to="closed",
            outcome="MASH: no further action",
            lessons="Remind parents about group chat settings",
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.closed_at is not None
    kinds = list(incident.entries.values_list("kind", flat=True))
    assert kinds[:2] == [EntryKind.REPORTED, EntryKind.ALERT]
    assert EntryKind.REFERRAL in kinds and kinds.count(EntryKind.STATUS) == 3  # ack, awaiting agency, closed

    page = client.get(reverse("incidents:case", args=[incident.reference]))
    assert b"MASH-123" in page.content and b"Remind parents about group chat settings" in page.content


def test_a_decision_not_to_refer_needs_its_reason(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    response = act(client, incident, action="record", kind="no_referral", text="")
    assert response.status_code == 400 and b"Write down the reason" in response.content
    assert not incident.entries.filter(kind=EntryKind.NO_REFERRAL).exists()


def test_an_impossible_transition_is_explained(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    response = act(client, incident, action="transition", to="reopened")
    assert response.status_code == 400 and b"cannot become reopened" in response.content


def test_overdue_tasks_and_open_steps_show_on_the_dashboard(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    act(client, incident, action="acknowledge")
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    act(client, incident, action="task", title="Call the parent back", owner=str(dsl.pk), due_on=yesterday)
    incident.refresh_from_db()
    assert incident.open_tasks == 1 and incident.next_task_due_on.isoformat() == yesterday
    overdue = client.get(reverse("incidents:dashboard") + "?queue=overdue")
    assert incident.reference.encode() in overdue.content
    steps = client.get(reverse("incidents:dashboard") + "?queue=steps_open")
    assert incident.reference.encode() in steps.content

    task = incident.tasks.get()
    act(client, incident, action="task_done", task=str(task.pk))
    for step in incident.steps.filter(mandatory=True):
        act(client, incident, action="step_done", step=str(step.pk), text="Done", not_needed="0")
    incident.refresh_from_db()
    assert incident.open_tasks == 0 and incident.open_mandatory_steps == 0
    assert incident.reference.encode() not in client.get(reverse("incidents:dashboard") + "?queue=overdue").content


def test_every_opening_of_a_case_is_recorded_and_shown(client, signed_in, school, staff, dsl, deputy):
    incident = make_case(school=school, reporter=staff)
    signed_in(deputy)
    client.get(reverse("incidents:case", args=[incident.reference]))
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[incident.reference]))
    assert deputy.email.encode() in page.content and dsl.email.encode() in page.content
