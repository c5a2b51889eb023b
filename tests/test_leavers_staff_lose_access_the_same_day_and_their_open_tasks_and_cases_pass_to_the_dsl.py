"""Staff who leave lose access the same day, and nothing they held is left with nobody: their open case tasks
and the cases assigned to them pass to the school's DSL, each hand-over written into the case's timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import CaseTask, EntryKind, TimelineEntry
from safeguarding_portal.accounts import services as account_services
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.audit import chain

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _end(user, school, by):
    membership = Membership.objects.current().get(user=user, school=school)
    return account_services.membership_end(membership=membership, by=by)


def test_a_signed_in_teacher_whose_role_ends_today_is_refused_at_the_next_request(
    client, signed_in, staff, head, school
):
    signed_in(staff)
    assert client.get(reverse("incidents:report")).status_code == 200
    _end(staff, school, head)
    response = client.get(reverse("incidents:report"))
    assert response.status_code in (302, 403)
    assert not Membership.objects.current().filter(user=staff, school=school).exists()


def test_a_leavers_open_tasks_pass_to_the_dsl_with_an_entry_in_each_timeline(staff, deputy, dsl, head, school):
    first, second = make_case(school=school, reporter=staff), make_case(school=school, reporter=staff)
    due = timezone.localdate() + datetime.timedelta(days=3)
    open_task = services.case_task_add(
        incident=first, by=dsl, title="Speak to Jo's form tutor", owner=deputy, due_on=due
    )
    done_task = services.case_task_add(incident=second, by=dsl, title="Check the group chat", owner=deputy, due_on=due)
    services.case_task_done(task=done_task, by=deputy)

    _end(deputy, school, head)

    open_task.refresh_from_db()
    done_task.refresh_from_db()
    assert open_task.owner == dsl
    assert done_task.owner == deputy  # a finished task stays as it was done
    entry = first.entries.get(kind=EntryKind.TASK_REASSIGNED)
    assert entry.data["from"] == deputy.pk and entry.data["to"] == dsl.pk
    assert entry.data["task_seq"] == open_task.entry.seq
    assert entry.author == head and "left" in entry.text
    assert not second.entries.filter(kind=EntryKind.TASK_REASSIGNED).exists()
    assert chain.verify(TimelineEntry) == []


def test_cases_assigned_to_a_leaver_are_assigned_to_the_dsl(staff, deputy, dsl, head, school):
    incident = make_case(school=school, reporter=staff)
    services.case_assign(incident=incident, to=deputy, by=dsl)

    _end(deputy, school, head)

    incident.refresh_from_db()
    assert incident.assigned_to == dsl
    entry = incident.entries.filter(kind=EntryKind.ASSIGNED).order_by("-seq").first()
    assert entry.data["to"] == dsl.pk and entry.author == head


def test_when_the_dsl_leaves_their_work_goes_to_a_deputy_then_the_head(staff, deputy, dsl, head, school):
    incident = make_case(school=school, reporter=staff)
    services.case_assign(incident=incident, to=dsl, by=dsl)
    task = services.case_task_add(
        incident=incident, by=dsl, title="Call social care back", owner=dsl, due_on=timezone.localdate()
    )

    _end(dsl, school, head)
    incident.refresh_from_db()
    task.refresh_from_db()
    assert incident.assigned_to == deputy and task.owner == deputy

    _end(deputy, school, head)
    incident.refresh_from_db()
    task.refresh_from_db()
    assert incident.assigned_to == head and task.owner == head


def test_a_role_change_at_the_same_school_keeps_the_persons_tasks(staff, dsl, head, school):
    incident = make_case(school=school, reporter=staff)
    task = services.case_task_add(
        incident=incident, by=dsl, title="Talk to the class", owner=staff, due_on=timezone.localdate()
    )
    account_services.membership_grant(user=staff, school=school, role="online_safety_lead", by=head)
    teacher = Membership.objects.current().get(user=staff, school=school, role="staff")

    account_services.membership_end(membership=teacher, by=head)  # still the online-safety lead

    task.refresh_from_db()
    assert task.owner == staff
    assert not CaseTask.objects.filter(incident=incident, owner=dsl).exists()


def test_a_role_ending_on_a_later_day_is_handed_over_by_that_mornings_sweep(staff, deputy, dsl, head, school):
    from incidents import reminders

    incident = make_case(school=school, reporter=staff)
    services.case_assign(incident=incident, to=deputy, by=dsl)
    task = services.case_task_add(
        incident=incident,
        by=dsl,
        title="Meet Jo's parents",
        owner=deputy,
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    ends_on = timezone.localdate() + datetime.timedelta(days=2)
    membership = Membership.objects.current().get(user=deputy, school=school)
    account_services.membership_end(membership=membership, by=head, on=ends_on)

    assert reminders.leavers_handover(today=ends_on - datetime.timedelta(days=1)) == 0  # still at work
    task.refresh_from_db()
    assert task.owner == deputy

    assert reminders.leavers_handover(today=ends_on) == 2
    task.refresh_from_db()
    incident.refresh_from_db()
    assert task.owner == dsl and incident.assigned_to == dsl
    reassigned = incident.entries.get(kind=EntryKind.TASK_REASSIGNED)
    assert reassigned.author is None and reassigned.author_name == "Safeguarding Portal"
    assert reminders.leavers_handover(today=ends_on + datetime.timedelta(days=1)) == 0
