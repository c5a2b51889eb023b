"""A single sign-on's client secret is typed in the admin or named as an environment variable on the portal's
servers; the sign-in uses the variable's value at the time (a rotated secret needs no edit), and a variable the
server does not have is refused when the configuration is saved, not found out at a teacher's first sign-in."""

from __future__ import annotations

from unittest import mock

import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from django.urls import reverse

from safeguarding_portal.accounts.models import SingleSignOn

from .conftest import sign_in
from .factories import UserFactory
from .sso_helpers import ISSUER, sign_in_with_provider, signed_in_user_id

pytestmark = pytest.mark.django_db


def _secrets_sent(client, config, email):
    """The client secrets allauth's OAuth2 client was set up with (at the button and at the callback)."""
    sent = []
    original = OAuth2Client.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        sent.append(self.consumer_secret)

    with mock.patch.object(OAuth2Client, "__init__", spy):
        sign_in_with_provider(client, config, email=email)
    return set(sent)


def test_a_secret_named_as_an_environment_variable_is_read_at_each_sign_in(client, staff, school, monkeypatch):
    monkeypatch.setenv("OAK_SSO_SECRET", "from-the-environment")
    config = SingleSignOn.objects.create(
        school=school,
        kind=SingleSignOn.Kind.OIDC,
        server_url=ISSUER,
        client_id="portal",
        client_secret_env="OAK_SSO_SECRET",
        allowed_domains="oak.example",
    )
    assert _secrets_sent(client, config, "staff@oak.example") == {"from-the-environment"}
    assert signed_in_user_id(client) == str(staff.pk)

    client.post(reverse("accounts:logout"))
    monkeypatch.setenv("OAK_SSO_SECRET", "rotated")
    assert _secrets_sent(client, config, "staff@oak.example") == {"rotated"}


def test_a_secret_typed_in_the_admin_is_used_as_typed(client, staff, school):
    config = SingleSignOn.objects.create(
        school=school,
        kind=SingleSignOn.Kind.OIDC,
        server_url=ISSUER,
        client_id="portal",
        client_secret="typed-in",
        allowed_domains="oak.example",
    )
    assert _secrets_sent(client, config, "staff@oak.example") == {"typed-in"}


def _add(client, school, **fields):
    return client.post(
        reverse("admin:accounts_singlesignon_add"),
        {
            "school": school.pk,
            "kind": "openid_connect",
            "label": "Riverside",
            "server_url": "https://idp.example",
            "client_id": "portal",
            "allowed_domains": "oak.example",
            "is_enabled": "on",
            **fields,
        },
    )


def test_the_admin_refuses_a_variable_the_server_lacks_and_a_secret_given_both_ways(client, school, monkeypatch):
    sign_in(client, UserFactory(email="admin@portal.example", is_staff=True, is_superuser=True))
    monkeypatch.delenv("OAK_SSO_SECRET", raising=False)
    response = _add(client, school, client_secret_env="OAK_SSO_SECRET")
    assert response.status_code == 200
    assert "has no environment variable OAK_SSO_SECRET" in response.content.decode()
    monkeypatch.setenv("OAK_SSO_SECRET", "from-the-environment")
    response = _add(client, school, client_secret_env="OAK_SSO_SECRET", client_secret="typed-too")
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not SingleSignOn.objects.exists()

    assert _add(client, school, client_secret_env="OAK_SSO_SECRET").status_code == 302
    config = SingleSignOn.objects.get()
    assert (config.client_secret, config.client_secret_env) == ("", "OAK_SSO_SECRET")  # the secret is not stored
