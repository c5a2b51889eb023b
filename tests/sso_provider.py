"""The real test provider (tests/oidc_provider/) from the portal's side: fixtures and the redirect dance.

Used by the integration tests (requests as the browser) and the browser test (Chromium). The provider runs
in its own process on loopback; the portal is pytest-django's live server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from safeguarding_portal.accounts.models import SingleSignOn
from tests.factories import PASSWORD
from tests.oidc_provider.server import Provider, running_provider

CLIENT_SECRET = "test-client-secret-0123456789"


@pytest.fixture(scope="package")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:  # a missing provider fails the run; it is never a reason to skip
        pytest.fail(
            "django-oauth-toolkit is not installed (requirements-dev.txt): the SSO tests need it", pytrace=False
        )
    with running_provider(tmp_path_factory.mktemp("oidc-provider")) as provider:
        yield provider


def configure(
    provider: Provider,
    portal_url: str,
    *,
    school=None,
    trust=None,
    domains: str = "oak.example",
    accept_mfa: bool = False,
    users: list[dict] | None = None,
) -> SingleSignOn:
    """A school's single sign-on through the provider, and the provider's client for it (and its users)."""
    config = SingleSignOn.objects.create(
        school=school,
        trust=trust,
        kind=SingleSignOn.Kind.OIDC,
        label="Riverside Identity",
        server_url=provider.issuer,
        client_id=f"portal-{provider.base_url.rsplit(':', 1)[1]}-{_next_client()}",
        client_secret=CLIENT_SECRET,
        allowed_domains=domains,
        accept_provider_mfa=accept_mfa,
    )
    callback = f"{portal_url}/accounts/sso/oidc/{config.provider_id}/login/callback/"
    provider.apply(
        clients=[{"client_id": config.client_id, "client_secret": CLIENT_SECRET, "redirect_uris": [callback]}],
        users=[{"password": PASSWORD, **u} for u in users or []],
    )
    return config


_clients = iter(range(1, 10_000))


def _next_client() -> int:
    return next(_clients)


def _form_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(rf'value="([^"]*)" name="{name}"', page)
    assert match, f"no {name} in the page:\n{page[:2000]}"
    return html.unescape(match.group(1))


def sso_dance(
    session, portal_url: str, provider: Provider, config: SingleSignOn, *, email: str, password: str = PASSWORD
):
    """Press the school-account button, sign in at the provider if it asks, and follow it back to the portal."""
    page = session.get(f"{portal_url}/accounts/sign-in/")
    assert page.status_code == 200
    response = session.post(
        f"{portal_url}/accounts/sign-in/school-account/",
        data={"csrfmiddlewaretoken": _form_value(page.text, "csrfmiddlewaretoken"), "sso": str(config.pk), "next": ""},
    )
    if response.url.startswith(f"{provider.base_url}/accounts/login/"):
        response = session.post(
            response.url,
            data={
                "csrfmiddlewaretoken": _form_value(response.text, "csrfmiddlewaretoken"),
                "username": email,
                "password": password,
                "next": _form_value(response.text, "next"),
            },
        )
    return response


def portal_sign_out(session, portal_url: str) -> None:
    page = session.get(f"{portal_url}/accounts/security/")
    token = _form_value(page.text, "csrfmiddlewaretoken")
    session.post(f"{portal_url}/accounts/sign-out/", data={"csrfmiddlewaretoken": token})
