"""The README's "Try it with the test provider" steps, against the real provider: ``configure_demo_sso`` gives the
running provider the portal's client and the demo people, and the demo trust's staff sign in through it.

requests plays the newcomer's browser, as in test_sso_against_a_real_oidc_provider_....py.
"""

from __future__ import annotations

import html
import io
import os

import pytest
import requests
from django.core.management import call_command

from safeguarding_portal.accounts import sso
from safeguarding_portal.accounts.models import SingleSignOn
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.core.demo import DEMO_PASSWORD, TRUST_NAME
from tests.factories import MembershipFactory, UserFactory
from tests.sso_provider import sso_dance

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


@pytest.fixture(autouse=True)
def _integration_run():
    # Like the other integration tests: run by .ci/run (stage 2, where skipping fails the run), not by make test.
    if os.environ.get("PORTAL_INTEGRATION") != "1":
        pytest.skip("integration tests run with PORTAL_INTEGRATION=1 (.ci/run does)")


def test_configure_demo_sso_lets_the_demo_trusts_people_sign_in_through_the_running_provider(
    live_server, oidc_provider, school, monkeypatch
):
    assert school.trust.name == TRUST_NAME
    MembershipFactory(
        user=UserFactory(email="staff@demo.example", full_name="Emma Clarke"), school=school, role=Role.STAFF
    )
    head = UserFactory(email="head@demo.example", full_name="Rachel Bennett")
    MembershipFactory(user=head, school=school, role=Role.HEADTEACHER)
    # The command writes to the provider the README started; here, the one this test started.
    monkeypatch.setenv("OIDC_PROVIDER_DIR", oidc_provider.env["OIDC_PROVIDER_DIR"])
    out = io.StringIO()
    call_command("configure_demo_sso", "--issuer", oidc_provider.issuer, "--site", live_server.url, stdout=out)
    config = SingleSignOn.objects.get()
    assert (config.trust, config.school, config.domains) == (school.trust, None, ["demo.example"])
    assert "Sign in with Riverside Identity" in out.getvalue()

    # Step 4: staff@demo.example with the demo password at the provider, and back in the portal, signed in.
    browser = requests.Session()
    response = sso_dance(
        browser, live_server.url, oidc_provider, config, email="staff@demo.example", password=DEMO_PASSWORD
    )
    assert response.url == f"{live_server.url}/" and response.status_code == 200, response.url
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, actor__email="staff@demo.example").exists()

    # The stranger the command gave the provider has no portal account: told who at the school can help.
    response = sso_dance(
        requests.Session(),
        live_server.url,
        oidc_provider,
        config,
        email="stranger@demo.example",
        password=DEMO_PASSWORD,
    )
    assert response.status_code == 403
    assert sso.REFUSALS["unknown"] in html.unescape(response.text) and "Rachel Bennett (Headteacher)" in response.text

    # The head's provider account signs in with a second factor: once the trust accepts it, no portal code.
    sso.set_accept_provider_mfa(config=config, accept=True, by=head)
    response = sso_dance(
        requests.Session(), live_server.url, oidc_provider, config, email="head@demo.example", password=DEMO_PASSWORD
    )
    assert response.url == f"{live_server.url}/", response.url
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR_VERIFIED, actor__email="head@demo.example", detail__method="sso_amr"
    ).exists()
