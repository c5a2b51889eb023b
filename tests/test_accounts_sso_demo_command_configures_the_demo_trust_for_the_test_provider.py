"""``manage.py configure_demo_sso`` points the demo trust at the test provider and gives it the demo people."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from safeguarding_portal.accounts.models import SingleSignOn
from safeguarding_portal.schools.models import Trust

pytestmark = pytest.mark.django_db


def test_the_demo_trust_gets_a_trust_wide_sign_in_through_the_test_provider_and_repeating_changes_nothing(
    tmp_path, monkeypatch
):
    Trust.objects.create(name="Riverside Learning Trust")
    out = io.StringIO()
    call_command("configure_demo_sso", "--portal-only", "--issuer", "http://127.0.0.1:8800/o", stdout=out)
    config = SingleSignOn.objects.get()
    assert config.trust.name == "Riverside Learning Trust" and config.school is None
    assert config.server_url == "http://127.0.0.1:8800/o" and config.domains == ["demo.example"]
    assert f"/accounts/sso/oidc/sso-{config.pk}/login/callback/" in out.getvalue()
    call_command("configure_demo_sso", "--portal-only", stdout=io.StringIO())
    assert SingleSignOn.objects.count() == 1
