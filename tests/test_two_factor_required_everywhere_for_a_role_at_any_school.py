"""Two-factor is decided by everything a person holds: a DSL at one school passes it at every school."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts import services
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.accounts.testing import password_sign_in, totp_code

from .factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture
def teacher_and_dsl(school, other_school):
    """Teaches at Hillside (listed first, so the default context) and is DSL at Oakfield."""
    user = UserFactory(email="both@schools.example")
    MembershipFactory(user=user, school=other_school, role=Role.STAFF)
    MembershipFactory(user=user, school=school, role=Role.DSL)
    return user


def test_staff_context_still_needs_two_factor_when_another_school_makes_them_dsl(client, teacher_and_dsl):
    TOTPDevice.objects.create(user=teacher_and_dsl, name="Authenticator app", confirmed=True)
    password_sign_in(client, teacher_and_dsl.email, PASSWORD)

    for page in [reverse("home"), reverse("emergency_contacts"), reverse("incidents:index")]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(VERIFY), page


def test_after_passing_two_factor_they_work_in_either_school(client, teacher_and_dsl):
    phone = TOTPDevice.objects.create(user=teacher_and_dsl, name="Authenticator app", confirmed=True)
    password_sign_in(client, teacher_and_dsl.email, PASSWORD)
    assert client.post(VERIFY, {"code": totp_code(phone)}).status_code == 302

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"Hillside Academy" in home.content
    oakfield = teacher_and_dsl.memberships.get(role=Role.DSL).school
    switched = client.post(reverse("switch_context"), {"context": f"school:{oakfield.pk}"})
    assert switched.status_code == 302
    settings_page = client.get(reverse("schools:settings"))
    assert settings_page.status_code == 200
    assert oakfield.name.encode() in settings_page.content


def test_ending_the_dsl_role_stops_the_requirement(client, teacher_and_dsl):
    services.membership_end(membership=teacher_and_dsl.memberships.get(role=Role.DSL))
    password_sign_in(client, teacher_and_dsl.email, PASSWORD)

    assert client.get(reverse("home")).status_code == 200


def test_granting_a_dsl_role_mid_session_asks_for_two_factor_on_the_next_page(client, staff, school):
    password_sign_in(client, staff.email, PASSWORD)
    assert client.get(reverse("home")).status_code == 200

    services.membership_grant(user=staff, role=Role.DEPUTY_DSL, school=school)

    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))
