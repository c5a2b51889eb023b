"""Signing in with the school's provider links only existing accounts, by the school's rules, and records it."""

from __future__ import annotations

import html

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from safeguarding_portal.accounts import sso
from safeguarding_portal.accounts.models import SingleSignOn, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import MembershipFactory, UserFactory
from .sso_helpers import oidc_config, sign_in_with_provider, signed_in_user_id

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_the_sign_in_page_offers_the_school_account_button_only_where_one_is_configured(client, school):
    page = client.get(reverse("accounts:login"))
    assert b"sign in with your school account" not in page.content.lower()
    config = oidc_config(school=school)
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign in with Riverside Sign-in" in text and "Oakfield Primary School" in text
    assert 'name="password"' in text  # password sign-in stays
    # The button's redirect to the provider is allowed by the page's Content-Security-Policy.
    assert "form-action 'self' https://idp.example" in page["Content-Security-Policy"]
    config.is_enabled = False
    config.save()
    assert "Riverside Sign-in" not in client.get(reverse("accounts:login")).content.decode()


def test_a_first_sign_in_links_the_account_and_a_second_signs_straight_in(client, staff, school):
    config = oidc_config(school=school)
    response = sign_in_with_provider(client, config, email="Staff@Oak.example", sub="abc-123")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(staff.pk)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (staff, config.provider_id, "abc-123")
    [linked] = _events(AuditAction.SSO_LINKED)
    assert linked.actor == staff and linked.school == school
    [signed_in] = _events(AuditAction.SIGNED_IN)
    assert signed_in.detail["method"] == "sso" and signed_in.detail["sso"] == config.pk

    client.post(reverse("accounts:logout"))
    assert signed_in_user_id(client) is None
    response = sign_in_with_provider(client, config, email="staff@oak.example", sub="abc-123")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(staff.pk)
    assert SocialAccount.objects.count() == 1
    assert len(_events(AuditAction.SSO_LINKED)) == 1  # linked once
    assert len(_events(AuditAction.SIGNED_IN)) == 2


@pytest.mark.parametrize(
    ("email", "verified", "reason"),
    [
        ("staff@oak.example", False, "unverified_email"),
        ("staff@elsewhere.example", True, "wrong_domain"),
        ("stranger@oak.example", True, "unknown"),
    ],
)
def test_an_unverified_email_another_domain_or_a_stranger_is_refused_and_told_who_can_help(
    client, staff, dsl, head, school, email, verified, reason
):
    config = oidc_config(school=school)
    school.phone = "01234 567890"
    school.save()
    users_before = User.objects.count()
    response = sign_in_with_provider(client, config, email=email, verified=verified)
    assert response.status_code == 403
    text = html.unescape(response.content.decode())
    assert sso.REFUSALS[reason] in text
    # Who at the school can give access: the DSL and the head by name, and the office's number.
    assert "Dsl (Designated Safeguarding Lead)" in text and "Head (Headteacher)" in text and "01234 567890" in text
    assert signed_in_user_id(client) is None
    assert SocialAccount.objects.count() == 0
    assert User.objects.count() == users_before  # nobody is created
    [refused] = _events(AuditAction.SSO_REFUSED)
    assert refused.detail["reason"] == reason and refused.actor_email == email.lower()
    assert refused.school == school


def test_someone_switched_off_without_a_role_here_or_only_a_parent_is_refused(client, school, other_school, parent):
    config = oidc_config(school=school, domains="oak.example, hillside.example, home.example")
    switched_off = UserFactory(email="gone@oak.example", is_active=False)
    MembershipFactory(user=switched_off, school=school, role=Role.STAFF)
    elsewhere = UserFactory(email="teacher@hillside.example")
    MembershipFactory(user=elsewhere, school=other_school, role=Role.STAFF)
    for email, reason in (
        ("gone@oak.example", "inactive"),
        ("teacher@hillside.example", "not_at_school"),
        ("parent@home.example", "parent_only"),
    ):
        response = sign_in_with_provider(client, config, email=email)
        assert response.status_code == 403, email
        assert sso.REFUSALS[reason] in html.unescape(response.content.decode())
        assert signed_in_user_id(client) is None
    assert [e.detail["reason"] for e in _events(AuditAction.SSO_REFUSED)] == [
        "inactive",
        "not_at_school",
        "parent_only",
    ]
    assert SocialAccount.objects.count() == 0


def test_a_trust_wide_sign_in_admits_staff_of_any_of_its_schools(client, trust, school, other_school, outsider):
    config = oidc_config(trust=trust, domains="hillside.example")
    sign_in_with_provider(client, config, email="dsl@hillside.example")
    assert signed_in_user_id(client) == str(outsider.pk)


def test_a_provider_account_linked_to_someone_else_is_refused(client, staff, school):
    config = oidc_config(school=school)
    other = UserFactory(email="other@oak.example")
    MembershipFactory(user=other, school=school, role=Role.STAFF)
    sign_in_with_provider(client, config, email="staff@oak.example", sub="shared-sub")
    client.post(reverse("accounts:logout"))
    response = sign_in_with_provider(client, config, email="other@oak.example", sub="shared-sub")
    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert _events(AuditAction.SSO_REFUSED)[-1].detail["reason"] == "linked_elsewhere"


def test_a_callback_without_a_school_chosen_goes_back_to_the_sign_in_page(client, school):
    oidc_config(school=school)
    response = client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": "sso-999"}), {"code": "x", "state": "y"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("openid_connect_login", kwargs={"provider_id": "sso-1"})).status_code == 302
    assert client.get(reverse("microsoft_callback")).status_code == 302


def test_a_microsoft_configuration_needs_the_schools_own_tenant(school):
    config = SingleSignOn(
        school=school, kind=SingleSignOn.Kind.MICROSOFT, tenant="common", client_id="x", allowed_domains="oak.example"
    )
    with pytest.raises(Exception, match="tenant"):
        config.full_clean()
    config.tenant = "8f6a2c1e-0000-4000-8000-000000000001"
    config.full_clean()
    app = sso.social_app_for(config)
    assert (app.provider, app.settings["tenant"]) == ("microsoft", config.tenant)
