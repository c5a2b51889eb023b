"""Police notifications are the DSL team's and the head's: other staff see only the support actions they are
asked to take (the action and the child, never the police's details); every view is in the audit log."""

import pytest
from django.urls import reverse

from duty import encompass
from duty.models import EncompassEntryKind
from safeguarding_portal.audit.models import AuditEvent

from . import clock
from .factories import PupilFactory
from .factories_duty import notification

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_forename="Kezia", surname="Brightwater")


def test_the_dsl_records_a_notification_matching_the_child_by_name_and_birth_date(
    client, signed_in, school, dsl, pupil
):
    signed_in(dsl)
    response = client.post(
        reverse("duty:encompass_new"),
        {
            "notified_at": "2026-11-23T07:40",
            "incident_on": "2026-11-22",
            "police_reference": "WPC/2026/77",
            "officer_name": "PC Amara Okafor",
            "officer_contact": "07700 900999",
            "support": "Key adult check-in at registration",
            "child_0_name": "Kezia Brightwater",
            "child_0_dob": pupil.date_of_birth.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"WPC/2026/77" in response.content and b"Kezia Brightwater" in response.content
    n = encompass.notifications(school=school).get()
    assert [c.pupil for c in n.children.all()] == [pupil]
    assert n.recorded_by == dsl  # set by the server, like the times


def test_a_child_the_school_cannot_match_is_refused_with_a_reason(client, signed_in, school, dsl, pupil):
    signed_in(dsl)
    response = client.post(
        reverse("duty:encompass_new"),
        {
            "notified_at": "2026-11-23T07:40",
            "incident_on": "2026-11-22",
            "police_reference": "WPC/2026/77",
            "officer_name": "PC Okafor",
            "officer_contact": "101",
            "support": "Check-in",
            "child_0_name": "Kezia Brightwater",
            "child_0_dob": "2001-01-01",
        },
    )
    assert response.status_code == 200 and b"No single pupil on roll matches" in response.content
    assert not encompass.notifications(school=school).exists()


def test_opening_a_notification_is_recorded_in_the_audit_log(client, signed_in, school, dsl, head, pupil):
    n = notification(school, by=dsl, pupils=[pupil])
    signed_in(head)
    assert client.get(reverse("duty:encompass_detail", args=[n.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        action="record.viewed", object_type="duty.encompassnotification", object_id=str(n.pk), actor=head
    ).exists()


def test_staff_outside_the_dsl_team_see_no_notification(client, signed_in, school, dsl, staff, osl, pupil):
    n = notification(school, by=dsl, pupils=[pupil])
    for person in (staff, osl):
        signed_in(person)
        assert client.get(reverse("duty:encompass")).status_code == 403
        assert client.get(reverse("duty:encompass_detail", args=[n.pk])).status_code == 403


def test_a_teacher_sees_and_completes_only_the_action_asked_of_them(client, signed_in, school, dsl, staff, osl, pupil):
    n = notification(school, by=dsl, pupils=[pupil])
    action = encompass.ask_action(
        notification=n, by=dsl, assignee=staff, pupil=pupil, text="Quiet check-in at morning registration"
    )
    signed_in(staff)
    page = client.get(reverse("duty:my_actions"))
    assert page.status_code == 200
    assert b"Quiet check-in at morning registration" in page.content and b"Kezia Brightwater" in page.content
    for secret in (b"WPC/2026/1234", b"Okafor", b"07700 900999", b"Key adult to check in"):
        assert secret not in page.content
    assert AuditEvent.objects.filter(action="record.viewed", object_type="duty.encompassentry", actor=staff).exists()

    signed_in(osl)
    assert client.post(reverse("duty:action_done", args=[action.pk])).status_code == 404
    signed_in(staff)
    response = client.post(reverse("duty:action_done", args=[action.pk]), {"note": "Seen, fine"}, follow=True)
    assert b"marked as done" in response.content
    assert n.entries.filter(kind=EncompassEntryKind.ACTION_DONE, action=action, author=staff).exists()


def test_the_home_page_shows_the_dsl_team_what_waits_and_staff_their_actions(
    client, signed_in, school, dsl, staff, pupil
):
    n = notification(school, by=dsl, pupils=[pupil])
    encompass.ask_action(notification=n, by=dsl, assignee=staff, text="Check in")
    signed_in(dsl)
    assert b'data-testid="encompass-waiting"' in client.get(reverse("home")).content
    signed_in(staff)
    page = client.get(reverse("home")).content
    assert b'data-testid="my-open-actions"' in page and b"encompass-waiting" not in page


def test_the_dsl_acknowledges_from_the_page(client, signed_in, school, dsl, pupil):
    n = notification(school, by=dsl, pupils=[pupil])
    signed_in(dsl)
    response = client.post(reverse("duty:encompass_acknowledge", args=[n.pk]), follow=True)
    assert b"Acknowledged by" in response.content
    assert encompass.notifications(school=school).get().in_time
