"""After single sign-on, roles that need two-factor sign-in still pass it, unless the school accepts the
provider's own multi-factor claim (the ID token's amr) and the token carries one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.accounts import sso
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .sso_helpers import oidc_config, sign_in_with_provider, signed_in_user_id

pytestmark = pytest.mark.django_db


def test_a_dsl_signed_in_by_the_provider_is_asked_for_the_portals_code_when_the_school_does_not_accept_mfa(
    client, dsl, school
):
    config = oidc_config(school=school, accept_mfa=False)
    sign_in_with_provider(client, config, email="dsl@oak.example", amr=["pwd", "mfa"])
    assert signed_in_user_id(client) == str(dsl.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED).exists()


def test_a_school_that_accepts_the_providers_mfa_lets_a_token_with_it_stand_for_the_code(client, dsl, school):
    config = oidc_config(school=school, accept_mfa=True)
    sign_in_with_provider(client, config, email="dsl@oak.example", amr=["pwd", "mfa"])
    home = client.get(reverse("home"))
    assert home.status_code == 200
    [verified] = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED)
    assert verified.actor == dsl and verified.detail["method"] == "sso_amr" and verified.detail["amr"] == ["pwd", "mfa"]
    # The claim is for this sign-in only: signing out and in with a password asks for the code again.
    client.post(reverse("accounts:logout"))
    client.force_login(dsl)
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_token_without_a_second_factor_still_needs_the_portals_code(client, dsl, school):
    config = oidc_config(school=school, accept_mfa=True)
    sign_in_with_provider(client, config, email="dsl@oak.example", amr=["pwd"])
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_schools_choice_to_accept_the_providers_mfa_is_recorded_with_who_made_it(head, school):
    config = oidc_config(school=school)
    sso.set_accept_provider_mfa(config=config, accept=True, by=head)
    config.refresh_from_db()
    assert config.accept_provider_mfa and config.mfa_choice_by == head and config.mfa_choice_at is not None
    [event] = AuditEvent.objects.filter(action=AuditAction.SSO_SETTINGS_CHANGED)
    assert event.actor == head and event.detail["accept_provider_mfa"] == [False, True]


def test_an_admin_turning_on_the_providers_mfa_is_recorded_by_name_without_the_secret(client, school):
    from safeguarding_portal.accounts.models import SingleSignOn

    from .conftest import sign_in
    from .factories import UserFactory

    admin_user = UserFactory(email="admin@portal.example", is_staff=True, is_superuser=True)
    sign_in(client, admin_user)
    response = client.post(
        reverse("admin:accounts_singlesignon_add"),
        {
            "school": school.pk,
            "kind": "openid_connect",
            "label": "Riverside",
            "server_url": "https://idp.example",
            "client_id": "portal",
            "client_secret": "do-not-log-me",
            "allowed_domains": "oak.example",
            "accept_provider_mfa": "on",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    config = SingleSignOn.objects.get()
    assert config.mfa_choice_by == admin_user and config.accept_provider_mfa
    event = AuditEvent.objects.filter(action=AuditAction.ADMIN_CHANGED).latest("seq")
    assert "do-not-log-me" not in str(event.detail) + event.summary
    page = client.get(reverse("admin:accounts_singlesignon_change", args=[config.pk]))
    assert f"/accounts/sso/oidc/sso-{config.pk}/login/callback/" in page.content.decode()


def test_the_providers_mfa_claim_never_opens_the_admin_without_the_portals_code(client, dsl, school):
    dsl.is_staff = True
    dsl.save()
    config = oidc_config(school=school, accept_mfa=True)
    sign_in_with_provider(client, config, email="dsl@oak.example", amr=["pwd", "mfa"])
    assert client.get(reverse("home")).status_code == 200
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("accounts:two_factor_setup"))
