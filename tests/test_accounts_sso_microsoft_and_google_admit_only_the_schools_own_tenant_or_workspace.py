"""Microsoft (Entra ID) and Google Workspace through allauth's own providers, by the same rules as OIDC.

Microsoft signs in at the school's own tenant and the email comes from that directory (Graph's profile).
Google's ``hd`` request parameter only shapes Google's account chooser: the ID token's ``hd`` claim is what
says the account belongs to the school's Workspace. A personal Google account made with a school address has a
verified email but no ``hd``, so it is refused.
"""

from __future__ import annotations

import html

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from safeguarding_portal.accounts import sso
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .sso_helpers import (
    google_config,
    microsoft_config,
    sign_in_with_google,
    sign_in_with_microsoft,
    signed_in_user_id,
)

pytestmark = pytest.mark.django_db


def _refusals() -> list[str]:
    return [e.detail["reason"] for e in AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED).order_by("seq")]


# --- Microsoft ----------------------------------------------------------------------------------------


def test_microsoft_links_a_staff_member_of_the_schools_tenant_then_signs_them_straight_in(client, staff, school):
    config = microsoft_config(school=school)
    response = sign_in_with_microsoft(client, config, email="Staff@Oak.example", object_id="oid-1")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_id(client) == str(staff.pk)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (staff, "microsoft", "oid-1")
    linked = AuditEvent.objects.get(action=AuditAction.SSO_LINKED)
    assert linked.actor == staff and linked.detail["provider"] == "microsoft"

    client.post(reverse("accounts:logout"))
    sign_in_with_microsoft(client, config, email="staff@oak.example", object_id="oid-1")
    assert signed_in_user_id(client) == str(staff.pk)
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED).count() == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SIGNED_IN, detail__method="sso", detail__provider="microsoft"
        ).count()
        == 2
    )


def test_microsoft_without_a_mail_attribute_uses_the_user_principal_name(client, staff, school):
    config = microsoft_config(school=school)
    sign_in_with_microsoft(client, config, email="", upn="staff@oak.example")
    assert signed_in_user_id(client) == str(staff.pk)


@pytest.mark.parametrize(
    ("email", "reason"), [("staff@elsewhere.example", "wrong_domain"), ("stranger@oak.example", "unknown")]
)
def test_microsoft_refuses_another_domain_and_a_stranger(client, staff, school, email, reason):
    config = microsoft_config(school=school)
    response = sign_in_with_microsoft(client, config, email=email)
    assert response.status_code == 403
    assert sso.REFUSALS[reason] in html.unescape(response.content.decode())
    assert signed_in_user_id(client) is None and not SocialAccount.objects.exists()
    assert _refusals() == [reason]


def test_microsoft_sign_ins_carry_no_mfa_claim_so_a_dsl_types_the_portals_code(client, dsl, school):
    # allauth's Microsoft provider reads Graph's profile, not an ID token: there is no amr to accept.
    config = microsoft_config(school=school, accept_mfa=True)
    sign_in_with_microsoft(client, config, email="dsl@oak.example")
    assert signed_in_user_id(client) == str(dsl.pk)
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED).exists()


# --- Google -------------------------------------------------------------------------------------------


def test_google_links_an_account_of_the_schools_workspace_and_asks_google_for_that_workspace(client, staff, school):
    config = google_config(school=school, workspace="oak.example")
    response = sign_in_with_google(client, config, email="staff@oak.example", hosted_domain="oak.example", sub="g-1")
    assert response.authorize_query["hd"] == ["oak.example"]  # Google's chooser shows the school's accounts
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_id(client) == str(staff.pk)
    assert SocialAccount.objects.values_list("provider", "uid").get() == ("google", "g-1")
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, actor=staff).count() == 1


@pytest.mark.parametrize(
    ("hosted_domain", "verified", "reason"),
    [
        (None, True, "not_workspace"),  # a personal Google account made with the school address
        ("elsewhere.example", True, "not_workspace"),  # another organisation's Workspace
        ("oak.example", False, "unverified_email"),
    ],
)
def test_google_refuses_accounts_outside_the_schools_workspace_and_unverified_emails(
    client, staff, dsl, head, school, hosted_domain, verified, reason
):
    config = google_config(school=school, workspace="oak.example")
    response = sign_in_with_google(
        client, config, email="staff@oak.example", hosted_domain=hosted_domain, verified=verified
    )
    assert response.status_code == 403
    text = html.unescape(response.content.decode())
    assert sso.REFUSALS[reason] in text and "Dsl (Designated Safeguarding Lead)" in text
    assert signed_in_user_id(client) is None and not SocialAccount.objects.exists()
    assert _refusals() == [reason]
    refused = AuditEvent.objects.get(action=AuditAction.SSO_REFUSED)
    assert refused.actor_email == "staff@oak.example" and refused.detail["provider"] == "google"
    if reason == "not_workspace":
        assert refused.detail["hosted_domain"] == (hosted_domain or "")


@pytest.mark.parametrize("workspace", ["", "oakfield-trust.example"], ids=["none-named", "another-named"])
def test_google_admits_a_workspace_account_of_an_allowed_domain_whatever_workspace_is_named(
    client, staff, school, workspace
):
    config = google_config(school=school, workspace=workspace, domains="oak.example")
    sign_in_with_google(client, config, email="staff@oak.example", hosted_domain=None)
    assert signed_in_user_id(client) is None
    sign_in_with_google(client, config, email="staff@oak.example", hosted_domain="oak.example")
    assert signed_in_user_id(client) == str(staff.pk)
    assert _refusals() == ["not_workspace"]


def test_google_admits_the_named_workspace_when_its_accounts_use_another_allowed_address(client, staff, school):
    # A Workspace named for the trust's main domain whose staff have school addresses.
    config = google_config(school=school, workspace="oakfield-trust.example", domains="oak.example")
    sign_in_with_google(client, config, email="staff@oak.example", hosted_domain="oakfield-trust.example")
    assert signed_in_user_id(client) == str(staff.pk)


@pytest.mark.parametrize("kind", ["microsoft", "google"])
def test_the_admin_does_not_offer_to_accept_a_multi_factor_claim_microsoft_and_google_never_send(client, school, kind):
    # Entra ID's v2.0 tokens carry no amr, and allauth's Microsoft provider reads Graph's profile; Google's ID
    # tokens have no amr either. Ticking the box would look like a choice that changes nothing.
    from safeguarding_portal.accounts.models import SingleSignOn

    from .conftest import sign_in
    from .factories import UserFactory

    sign_in(client, UserFactory(email="admin@portal.example", is_staff=True, is_superuser=True))
    fields = {
        "school": school.pk,
        "kind": kind,
        "tenant": "8f6a2c1e-0000-4000-8000-000000000001",
        "client_id": "portal",
        "client_secret": "s3cret",
        "allowed_domains": "oak.example",
        "is_enabled": "on",
    }
    response = client.post(reverse("admin:accounts_singlesignon_add"), {**fields, "accept_provider_mfa": "on"})
    assert response.status_code == 200
    assert "never sends a multi-factor claim" in html.unescape(response.content.decode())
    assert not SingleSignOn.objects.exists()
    assert client.post(reverse("admin:accounts_singlesignon_add"), fields).status_code == 302
