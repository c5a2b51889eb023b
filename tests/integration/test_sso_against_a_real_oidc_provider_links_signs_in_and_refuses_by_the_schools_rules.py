"""Single sign-on end to end against a real OpenID Connect provider (django-oauth-toolkit) on loopback.

requests plays the browser: the portal's button, the provider's own sign-in page, its redirect back with a
code, allauth's token exchange and ID-token check (RS256, the provider's published key), then the portal's rules.
"""

from __future__ import annotations

import html
import os

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from safeguarding_portal.accounts import sso
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from tests.factories import MembershipFactory, UserFactory
from tests.sso_provider import configure, portal_sign_out, sso_dance

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture(autouse=True)
def _integration_run():
    # Like the other integration tests: run by .ci/run (stage 3, where skipping fails the run), not by make test.
    if os.environ.get("PORTAL_INTEGRATION") != "1":
        pytest.skip("integration tests run with PORTAL_INTEGRATION=1 (.ci/run does)")


def _signed_in(session, portal_url: str) -> bool:
    response = session.get(f"{portal_url}/accounts/security/", allow_redirects=False)
    return response.status_code == 200


def test_a_first_sign_in_links_the_account_and_the_second_goes_straight_through(live_server, oidc_provider, school):
    staff = UserFactory(email="teacher@oak.example", full_name="Tess Teacher")
    MembershipFactory(user=staff, school=school, role=Role.STAFF)
    config = configure(oidc_provider, live_server.url, school=school, users=[{"email": "teacher@oak.example"}])
    browser = requests.Session()
    response = sso_dance(browser, live_server.url, oidc_provider, config, email="teacher@oak.example")
    assert response.url.startswith(live_server.url), response.url
    assert response.status_code == 200, list(AuditEvent.objects.values_list("action", "detail"))
    assert _signed_in(browser, live_server.url)
    account = SocialAccount.objects.get(user=staff)
    assert account.provider == config.provider_id
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, actor=staff).count() == 1

    portal_sign_out(browser, live_server.url)
    assert not _signed_in(browser, live_server.url)
    # Still signed in at the provider: the button alone brings them back in, without a new link.
    response = sso_dance(browser, live_server.url, oidc_provider, config, email="teacher@oak.example")
    assert response.url.startswith(live_server.url)
    assert _signed_in(browser, live_server.url)
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, actor=staff).count() == 1
    sign_ins = AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=staff, detail__method="sso")
    assert sign_ins.count() == 2


def test_an_unverified_email_and_another_domain_are_refused(live_server, oidc_provider, school):
    for email in ("unverified@oak.example", "someone@elsewhere.example"):
        user = UserFactory(email=email)
        MembershipFactory(user=user, school=school, role=Role.STAFF)
    config = configure(
        oidc_provider,
        live_server.url,
        school=school,
        users=[{"email": "unverified@oak.example", "verified": False}, {"email": "someone@elsewhere.example"}],
    )
    for email, reason in (
        ("unverified@oak.example", "unverified_email"),
        ("someone@elsewhere.example", "wrong_domain"),
    ):
        browser = requests.Session()
        response = sso_dance(browser, live_server.url, oidc_provider, config, email=email)
        assert response.status_code == 403, (email, response.url)
        assert sso.REFUSALS[reason] in html.unescape(response.text)
        assert "Who can give you access" in response.text
        assert not _signed_in(browser, live_server.url)
        assert AuditEvent.objects.filter(
            action=AuditAction.SSO_REFUSED, actor_email=email, detail__reason=reason
        ).exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("accept_mfa", [True, False], ids=["school-accepts-mfa", "school-does-not"])
def test_a_dsl_with_the_providers_mfa_claim_skips_the_portals_code_only_where_the_school_accepts_it(
    live_server, oidc_provider, school, accept_mfa
):
    dsl = UserFactory(email=f"dsl-{accept_mfa}@oak.example".lower(), full_name="Dee Dsl")
    MembershipFactory(user=dsl, school=school, role=Role.DSL)
    config = configure(
        oidc_provider, live_server.url, school=school, accept_mfa=accept_mfa, users=[{"email": dsl.email, "mfa": True}]
    )
    browser = requests.Session()
    response = sso_dance(browser, live_server.url, oidc_provider, config, email=dsl.email)
    landed = response.url.removeprefix(live_server.url)
    if accept_mfa:
        assert landed == "/" and response.status_code == 200, landed
        assert AuditEvent.objects.filter(
            action=AuditAction.TWO_FACTOR_VERIFIED, actor=dsl, detail__method="sso_amr"
        ).exists()
    else:
        assert landed.startswith("/accounts/two-factor/setup/"), landed
        assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED, actor=dsl).exists()
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN, actor=dsl)
    assert "mfa" in event.detail["amr"]  # the provider's real ID token carried the claim either way


def test_someone_switched_off_at_the_provider_cannot_start_a_new_session(live_server, oidc_provider, school):
    staff = UserFactory(email="leaver@oak.example", full_name="Lee Leaver")
    MembershipFactory(user=staff, school=school, role=Role.STAFF)
    config = configure(oidc_provider, live_server.url, school=school, users=[{"email": staff.email}])
    browser = requests.Session()
    sso_dance(browser, live_server.url, oidc_provider, config, email=staff.email)
    assert _signed_in(browser, live_server.url)
    portal_sign_out(browser, live_server.url)

    oidc_provider.apply(users=[{"email": staff.email, "active": False}])
    response = sso_dance(browser, live_server.url, oidc_provider, config, email=staff.email)
    # The provider refuses them at its own sign-in page (its session for them is no longer good either).
    assert response.url.startswith(f"{oidc_provider.base_url}/accounts/login/"), response.url
    assert 'id="provider-error"' in response.text
    assert not _signed_in(browser, live_server.url)
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=staff).count() == 1
