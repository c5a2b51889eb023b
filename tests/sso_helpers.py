"""Single sign-on through allauth's real flow, with the provider's side (its HTTP answers) stood in for.

``sign_in_with_provider`` presses the sign-in page's button (the portal's view and allauth's redirect with its
state), then comes back to allauth's callback with that state; only the provider's discovery document, token
exchange, ID token and userinfo are made up here. The real provider is in tests/oidc_provider/ (integration).
"""

from __future__ import annotations

from unittest import mock
from urllib.parse import parse_qs, urlsplit

from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.urls import reverse

from safeguarding_portal.accounts.models import SingleSignOn

ISSUER = "https://idp.example"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/userinfo",
    "jwks_uri": f"{ISSUER}/jwks",
    "token_endpoint_auth_methods_supported": ["client_secret_post"],
}


def oidc_config(*, school=None, trust=None, domains="oak.example", accept_mfa=False) -> SingleSignOn:
    return SingleSignOn.objects.create(
        school=school,
        trust=trust,
        kind=SingleSignOn.Kind.OIDC,
        label="Riverside Sign-in",
        server_url=ISSUER,
        client_id="portal",
        client_secret="s3cret",
        allowed_domains=domains,
        accept_provider_mfa=accept_mfa,
    )


def sign_in_with_provider(
    client,
    config: SingleSignOn,
    *,
    email: str,
    verified: bool = True,
    sub: str = "",
    amr: list[str] | None = None,
    next_url: str = "",
):
    claims = {"sub": sub or email, "email": email, "email_verified": verified, "name": email.split("@")[0]}
    id_token = {**claims, "iss": ISSUER, "aud": "portal", "amr": amr or ["pwd"]}
    with (
        mock.patch.object(OpenIDConnectOAuth2Adapter, "openid_config", DISCOVERY),
        mock.patch.object(
            OAuth2Client,
            "get_access_token",
            return_value={"access_token": "token", "id_token": "header.payload.signature"},
        ),
        mock.patch.object(OpenIDConnectOAuth2Adapter, "_fetch_user_info", return_value=claims),
        mock.patch.object(OpenIDConnectOAuth2Adapter, "_decode_id_token", return_value=id_token),
    ):
        started = client.post(reverse("accounts:sso_start"), {"sso": config.pk, "next": next_url})
        assert started.status_code == 302, started
        authorize = urlsplit(started["Location"])
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == DISCOVERY["authorization_endpoint"]
        query = parse_qs(authorize.query)
        assert query["client_id"] == ["portal"]
        callback = reverse("openid_connect_callback", kwargs={"provider_id": config.provider_id})
        assert query["redirect_uri"][0].endswith(callback)
        return client.get(callback, {"code": "code-from-the-provider", "state": query["state"][0]})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


MICROSOFT_TENANT = "8f6a2c1e-0000-4000-8000-000000000001"


def microsoft_config(*, school=None, trust=None, domains="oak.example", accept_mfa=False) -> SingleSignOn:
    return SingleSignOn.objects.create(
        school=school,
        trust=trust,
        kind=SingleSignOn.Kind.MICROSOFT,
        tenant=MICROSOFT_TENANT,
        client_id="portal-ms",
        client_secret="s3cret",
        allowed_domains=domains,
        accept_provider_mfa=accept_mfa,
    )


def google_config(
    *, school=None, trust=None, workspace="oak.example", domains="oak.example", accept_mfa=False
) -> SingleSignOn:
    return SingleSignOn.objects.create(
        school=school,
        trust=trust,
        kind=SingleSignOn.Kind.GOOGLE,
        tenant=workspace,
        client_id="portal-google",
        client_secret="s3cret",
        allowed_domains=domains,
        accept_provider_mfa=accept_mfa,
    )


def _press_the_button_and_come_back(client, config: SingleSignOn, *, authorize_url: str, callback: str):
    started = client.post(reverse("accounts:sso_start"), {"sso": config.pk, "next": ""})
    assert started.status_code == 302, started
    authorize = urlsplit(started["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == authorize_url
    query = parse_qs(authorize.query)
    assert query["client_id"] == [config.client_id]
    assert query["redirect_uri"][0].endswith(callback)
    response = client.get(callback, {"code": "code-from-the-provider", "state": query["state"][0]})
    response.authorize_query = query
    return response


class _GraphAnswer:
    def __init__(self, data: dict):
        self.data, self.status_code, self.text = data, 200, ""

    def json(self) -> dict:
        return self.data


def sign_in_with_microsoft(client, config: SingleSignOn, *, email: str, object_id: str = "", upn: str = ""):
    """allauth's Microsoft flow: the school's tenant's authorize URL, then the Graph profile (/v1.0/me)."""
    profile = {
        "id": object_id or f"oid-{email}",
        "mail": email or None,
        "userPrincipalName": upn or email,
        "displayName": email.split("@")[0],
    }
    graph_calls = []

    def graph_get(session, url, *args, **kwargs):
        graph_calls.append(url)
        return _GraphAnswer(profile)

    import requests

    with (
        mock.patch.object(
            OAuth2Client, "get_access_token", return_value={"access_token": "token", "token_type": "Bearer"}
        ),
        mock.patch.object(requests.Session, "get", graph_get),
    ):
        response = _press_the_button_and_come_back(
            client,
            config,
            callback=reverse("microsoft_callback"),
            authorize_url=f"https://login.microsoftonline.com/{config.tenant}/oauth2/v2.0/authorize",
        )
    assert graph_calls == ["https://graph.microsoft.com/v1.0/me"], graph_calls
    return response


def sign_in_with_google(
    client,
    config: SingleSignOn,
    *,
    email: str,
    verified: bool = True,
    hosted_domain: str | None = None,
    sub: str = "",
    amr: list[str] | None = None,
):
    """allauth's Google flow: Google's authorize URL, then the ID token from Google's token endpoint.

    ``hosted_domain`` is the ID token's ``hd`` claim: Google sends it only for a Google Workspace account."""
    claims = {
        "iss": "https://accounts.google.com",
        "aud": config.client_id,
        "sub": sub or f"g-{email}",
        "email": email,
        "email_verified": verified,
        "name": email.split("@")[0],
    }
    if hosted_domain:
        claims["hd"] = hosted_domain
    if amr:
        claims["amr"] = amr
    from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter

    with (
        mock.patch.object(
            OAuth2Client,
            "get_access_token",
            return_value={"access_token": "token", "id_token": "header.payload.signature"},
        ),
        mock.patch.object(GoogleOAuth2Adapter, "_decode_id_token", return_value=claims),
    ):
        return _press_the_button_and_come_back(
            client,
            config,
            callback=reverse("google_callback"),
            authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        )
