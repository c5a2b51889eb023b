"""Someone whose account is not linked to any school yet is told what to do, and sees no school's data."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts.policy import Role

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(email="newcomer@oak.example", full_name="Nia Newcomer")


def test_home_explains_the_account_is_not_linked_yet(client, signed_in, newcomer, school):
    signed_in(newcomer)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Welcome, Nia" in body
    assert "Your account is not linked to a school yet." in body
    assert school.name not in body
    assert 'id="switch-form"' not in body


def test_school_pages_are_refused_with_the_reason(client, signed_in, newcomer):
    signed_in(newcomer)

    response = client.get(reverse("emergency_contacts"))

    assert response.status_code == 403
    assert b"Your account is not linked to a school yet." in response.content


def test_an_ended_membership_leaves_the_person_without_a_school(client, signed_in, newcomer, school):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    MembershipFactory(
        user=newcomer,
        school=school,
        role=Role.DSL,
        started_on=yesterday - datetime.timedelta(days=30),
        ended_on=yesterday,
    )
    signed_in(newcomer, two_factor=False)  # a former DSL holds no 2FA role any more

    home = client.get(reverse("home"))
    pupils = client.get(reverse("schools:pupil_list"))

    assert b"Your account is not linked to a school yet." in home.content
    assert pupils.status_code == 403
