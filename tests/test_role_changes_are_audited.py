"""Every role granted or ended, by a service or in the admin, is in the audit log: who, to whom, what, when."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding_portal.accounts import services
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .conftest import sign_in
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@trust.example", full_name="Portal Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    return sign_in(client, admin_user)


def test_granting_a_role_records_who_granted_it(staff, school, head):
    membership = services.membership_grant(user=staff, role=Role.DEPUTY_DSL, school=school, by=head)

    assert Membership.objects.current().filter(user=staff, role=Role.DEPUTY_DSL, school=school).exists()
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED)
    assert event.actor == head
    assert event.school == school
    assert (event.object_type, event.object_id) == ("accounts.membership", str(membership.pk))
    assert event.detail == {"user": "staff@oak.example", "role": "deputy_dsl"}
    assert event.summary == "staff@oak.example became Deputy DSL at Oakfield Primary School"


def test_ending_a_role_records_it_and_keeps_the_membership(dsl, school, head):
    membership = dsl.memberships.get(role=Role.DSL)

    services.membership_end(membership=membership, by=head)

    membership.refresh_from_db()
    assert membership.ended_on is not None
    event = AuditEvent.objects.get(action=AuditAction.ROLE_ENDED)
    assert event.actor == head
    assert event.object_id == str(membership.pk)
    assert "is no longer Designated Safeguarding Lead" in event.summary


def test_an_invalid_grant_is_refused_and_nothing_is_recorded(staff, trust):
    with pytest.raises(ValidationError):
        services.membership_grant(user=staff, role=Role.DSL, trust=trust)

    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED).exists()


def test_adding_a_membership_in_the_admin_is_recorded(admin_client, admin_user, staff, school):
    response = admin_client.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": staff.pk,
            "role": Role.DSL,
            "school": school.pk,
            "job_title": "Deputy head",
            "started_on": "2026-09-01",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=staff, role=Role.DSL)
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED)
    assert event.actor == admin_user
    assert event.object_id == str(membership.pk)
    assert event.detail["via"] == "admin"
    assert event.detail["user"] == "staff@oak.example"


def test_ending_a_membership_in_the_admin_is_recorded_as_ended(admin_client, admin_user, dsl, school):
    membership = dsl.memberships.get(role=Role.DSL)
    membership.started_on = datetime.date(2025, 9, 1)
    membership.save()

    response = admin_client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": dsl.pk,
            "role": Role.DSL,
            "school": school.pk,
            "job_title": "",
            "started_on": "2025-09-01",
            "ended_on": "2026-07-31",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.ended_on == datetime.date(2026, 7, 31)
    event = AuditEvent.objects.get(action=AuditAction.ROLE_ENDED)
    assert event.actor == admin_user
    assert event.detail["ended_on"] == "2026-07-31"


def test_the_admin_cannot_turn_one_role_into_another(admin_client, staff, school):
    membership = staff.memberships.get()

    admin_client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": staff.pk,
            "role": Role.HEADTEACHER,
            "school": school.pk,
            "job_title": "",
            "started_on": membership.started_on.isoformat(),
            # The admin form sends the initial date back (the field's default is callable).
            "initial-started_on": membership.started_on.isoformat(),
        },
    )

    membership.refresh_from_db()
    assert membership.role == Role.STAFF  # end it and grant a new one instead, so the history shows both
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()
    form_page = admin_client.get(reverse("admin:accounts_membership_change", args=[membership.pk]))
    assert b"end the membership and add a new one" in form_page.content


def _inline(prefix, rows, initial):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_granting_and_ending_roles_in_the_user_page_inline_is_recorded(admin_client, admin_user, staff, school):
    existing = staff.memberships.get()
    data = {
        "email": staff.email,
        "full_name": staff.full_name,
        "is_active": "on",
        "date_joined_0": "01/09/2026",
        "date_joined_1": "08:00:00",
    }
    data.update(
        _inline(
            "memberships",
            [
                {
                    "id": existing.pk,
                    "user": staff.pk,
                    "role": Role.STAFF,
                    "school": school.pk,
                    "started_on": existing.started_on.isoformat(),
                    "ended_on": existing.started_on.isoformat(),
                },
                {
                    "user": staff.pk,
                    "role": Role.ONLINE_SAFETY_LEAD,
                    "school": school.pk,
                    "started_on": existing.started_on.isoformat(),
                },
            ],
            initial=1,
        )
    )

    response = admin_client.post(reverse("admin:accounts_user_change", args=[staff.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    existing.refresh_from_db()
    assert existing.ended_on == existing.started_on
    granted = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED)
    ended = AuditEvent.objects.get(action=AuditAction.ROLE_ENDED)
    assert granted.actor == ended.actor == admin_user
    assert granted.detail["role"] == Role.ONLINE_SAFETY_LEAD
    assert ended.object_id == str(existing.pk)


def test_admin_user_pages_open(admin_client, staff):
    assert admin_client.get(reverse("admin:accounts_user_change", args=[staff.pk])).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_membership_add")).status_code == 200
