"""A person with roles at two schools sees a switcher, switches between them, and only between them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts.context import SESSION_KEY
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import MembershipFactory, PupilFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_school_teacher(school, other_school):
    """Staff at Oakfield, DSL at Hillside: a different role in each. They start in Hillside (first by name)."""
    user = UserFactory(email="both@oak.example", full_name="Bea Both")
    MembershipFactory(user=user, school=school, role=Role.STAFF)
    MembershipFactory(user=user, school=other_school, role=Role.DSL)
    return user


def _switch(client, school, **extra):
    return client.post(reverse("switch_context"), {"context": f"school:{school.pk}", **extra})


def test_a_member_of_two_schools_sees_the_switcher(client, signed_in, two_school_teacher, school, other_school):
    signed_in(two_school_teacher)

    body = client.get(reverse("home")).content.decode()

    assert 'id="switch-form"' in body
    assert f'value="school:{other_school.pk}" selected' in body
    assert f'value="school:{school.pk}"' in body
    assert "Oakfield Primary School — Staff member" in body
    assert "Hillside Academy — Designated Safeguarding Lead" in body


def test_a_member_of_one_school_sees_no_switcher(client, signed_in, staff):
    signed_in(staff)

    body = client.get(reverse("home")).content.decode()

    assert 'id="switch-form"' not in body
    assert 'data-testid="current-school"' in body


def test_switching_changes_the_school_and_is_audited(client, signed_in, two_school_teacher, school, other_school):
    signed_in(two_school_teacher)

    response = _switch(client, school)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == f"school:{school.pk}"
    page = client.get(reverse("home")).content.decode()
    assert "You are now working in Oakfield Primary School." in page
    assert f'value="school:{school.pk}" selected' in page
    event = AuditEvent.objects.get(action=AuditAction.CONTEXT_SWITCHED)
    assert event.actor == two_school_teacher
    assert event.school == school  # in the log of the school they now work in
    assert event.summary == "Now working in Oakfield Primary School"
    assert event.detail == {"from": f"school:{other_school.pk}", "to": f"school:{school.pk}"}


def test_the_new_role_applies_after_switching(client, signed_in, two_school_teacher, school, other_school):
    signed_in(two_school_teacher)
    assert client.get(reverse("schools:pupil_list")).status_code == 200  # DSL at Hillside

    _switch(client, school)
    assert client.get(reverse("schools:pupil_list")).status_code == 403  # staff at Oakfield

    _switch(client, other_school)
    assert client.get(reverse("schools:pupil_list")).status_code == 200


def test_switching_to_a_school_they_do_not_belong_to_is_refused(client, signed_in, two_school_teacher, other_school):
    stranger_school = SchoolFactory(name="Elsewhere High")
    signed_in(two_school_teacher)

    response = _switch(client, stranger_school)

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    page = client.get(reverse("home")).content.decode()
    assert "You are not a member of that school." in page
    assert f'value="school:{other_school.pk}" selected' in page
    assert not AuditEvent.objects.filter(action=AuditAction.CONTEXT_SWITCHED).exists()
    refused = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert refused.actor == two_school_teacher
    assert refused.school == other_school
    assert refused.detail == {"requested": f"school:{stranger_school.pk}"}


def test_after_switching_the_first_schools_records_are_not_found(
    client, signed_in, two_school_teacher, school, other_school
):
    MembershipFactory(user=two_school_teacher, school=school, role=Role.DSL)
    oak_pupil = PupilFactory(school=school, surname="Oakonly")
    url = reverse("schools:pupil_detail", kwargs={"pupil_id": oak_pupil.pk})
    signed_in(two_school_teacher)
    _switch(client, school)
    assert client.get(url).status_code == 200

    _switch(client, other_school)

    response = client.get(url)
    assert response.status_code == 404
    assert b"Oakonly" not in response.content
    assert b"If the record belongs to another of your schools, switch school first." in response.content


def test_switching_from_a_record_lands_on_home_not_on_a_404(
    client, signed_in, two_school_teacher, school, other_school
):
    MembershipFactory(user=two_school_teacher, school=school, role=Role.DSL)
    oak_pupil = PupilFactory(school=school)
    signed_in(two_school_teacher)
    _switch(client, school)

    response = _switch(client, other_school, next=reverse("schools:pupil_detail", kwargs={"pupil_id": oak_pupil.pk}))

    assert response["Location"] == reverse("home")


def test_switching_from_a_list_stays_on_the_list_when_the_new_role_may_see_it(
    client, signed_in, two_school_teacher, school, other_school
):
    signed_in(two_school_teacher)
    _switch(client, school)

    response = _switch(client, other_school, next=reverse("schools:pupil_list") + "?year=5")

    assert response["Location"] == reverse("schools:pupil_list") + "?year=5"


def test_switching_from_a_page_the_new_role_may_not_open_lands_on_home(
    client, signed_in, two_school_teacher, school, other_school
):
    signed_in(two_school_teacher)

    response = _switch(client, school, next=reverse("schools:pupil_list"))  # staff at Oakfield: no pupil list

    assert response["Location"] == reverse("home")


def test_switching_never_redirects_off_site(client, signed_in, two_school_teacher, other_school):
    signed_in(two_school_teacher)

    response = _switch(client, other_school, next="https://evil.example/phish")

    assert response["Location"] == reverse("home")


def test_switch_accepts_only_post(client, signed_in, two_school_teacher, other_school):
    signed_in(two_school_teacher)

    response = client.get(reverse("switch_context"), {"context": f"school:{other_school.pk}"})

    assert response.status_code == 405
    assert SESSION_KEY not in client.session


def test_a_trust_lead_who_is_also_a_head_switches_to_the_trust_overview(client, signed_in, head, trust, school):
    MembershipFactory(user=head, school=None, trust=trust, role=Role.TRUST_LEAD)
    signed_in(head)
    assert client.get(reverse("schools:trust_overview")).status_code == 403  # working as head at Oakfield

    client.post(reverse("switch_context"), {"context": f"trust:{trust.pk}"})

    assert client.get(reverse("home"))["Location"] == reverse("schools:trust_overview")
    assert client.get(reverse("schools:trust_overview")).status_code == 200
    assert client.get(reverse("schools:pupil_list")).status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.CONTEXT_SWITCHED)
    assert event.school == school  # a trust has no log of its own: the school they left records it
    assert event.detail == {"from": f"school:{school.pk}", "to": f"trust:{trust.pk}"}


def test_a_role_that_ends_stops_working_at_the_next_request(client, signed_in, two_school_teacher, other_school):
    signed_in(two_school_teacher)
    hill_pupil = PupilFactory(school=other_school, surname="Hillonly")
    url = reverse("schools:pupil_detail", kwargs={"pupil_id": hill_pupil.pk})
    assert client.get(url).status_code == 200  # DSL at Hillside

    two_school_teacher.memberships.filter(school=other_school).update(
        started_on=timezone.localdate() - datetime.timedelta(days=10),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    response = client.get(url)
    assert response.status_code == 403  # now only staff at Oakfield, which cannot open pupil records
    assert b"Hillonly" not in response.content
    assert 'id="switch-form"' not in client.get(reverse("home")).content.decode()
