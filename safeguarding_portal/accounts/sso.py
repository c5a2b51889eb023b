"""Single sign-on through django-allauth's providers, with the portal's own rules.

allauth does the OAuth2/OpenID Connect work (redirects, state, PKCE, the token exchange, checking the ID token's
signature). The portal decides who may come in:

* the sign-in page offers each configured ``SingleSignOn`` (a school's or a trust's); the button posts to
  ``sso_start``, which remembers the choice in the session, and ``PortalSocialAccountAdapter.list_apps`` turns that
  one configuration into allauth's app, so each school can have its own tenant, client id and secret;
* ``decide`` links a provider's sign-in only to an existing, active account whose email the provider verified,
  in one of the configuration's domains, with a current role at its school (or one of its trust's schools).
  Nobody is ever created, and no role is ever granted, by signing in this way;
* every refusal, first link and sign-in goes into the audit chain; a refusal shows who at the school can help;
* two-factor rules hold: roles that need it type the portal's code after signing in, unless the school accepts
  the provider's multi-factor claim and the ID token's ``amr`` carries one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from .models import Membership, SingleSignOn, User
from .policy import Role

log = logging.getLogger(__name__)

SESSION_KEY = "sso_config"  # which SingleSignOn this browser is signing in through
MFA_SESSION_KEY = "sso_mfa_accepted"  # the provider's multi-factor claim stood for the portal's code
# RFC 8176 authentication method references that mean a second factor (or a phishing-resistant one).
MFA_AMR_VALUES = frozenset(
    {"mfa", "otp", "hwk", "swk", "sms", "tel", "fido", "face", "fpt", "iris", "retina", "vbm", "sc", "pop"}
)

REFUSALS = {
    "not_configured": "Single sign-on is not set up for this school, or the sign-in took too long. Start again.",
    "no_email": "Your provider did not tell us your email address.",
    "unverified_email": "Your provider has not verified your email address, so it cannot be used to sign in here.",
    "wrong_domain": "Your email address is not one this school signs in with.",
    "not_workspace": "This Google account is not one of the school's Google Workspace accounts. Sign in with the "
    "account the school gave you.",
    "unknown": "There is no portal account for your email address.",
    "inactive": "Your portal account is switched off.",
    "not_at_school": "Your portal account has no current role at this school.",
    "parent_only": "Parents and carers do not need to sign in: the school's emails carry a link for signing.",
    "linked_elsewhere": "This provider account is already linked to another portal account.",
    "provider_error": "The sign-in did not complete at your school's provider.",
}


# --- Which configurations, and allauth's apps for them -------------------------------------------------


def enabled_configs() -> list[SingleSignOn]:
    return list(SingleSignOn.objects.filter(is_enabled=True).select_related("school", "trust"))


def chosen_config(request: HttpRequest | None) -> SingleSignOn | None:
    if request is None or not hasattr(request, "session"):
        return None
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return SingleSignOn.objects.filter(pk=pk, is_enabled=True).select_related("school", "trust").first()


def social_app_for(config: SingleSignOn) -> SocialApp:
    """allauth's app for one configuration, built in memory: the configuration is the one place it is kept."""
    settings: dict[str, Any] = {}
    if config.kind == SingleSignOn.Kind.MICROSOFT:
        settings["tenant"] = config.tenant.strip()
    elif config.kind == SingleSignOn.Kind.GOOGLE:
        if config.tenant:
            settings["auth_params"] = {"hd": config.tenant.strip()}
    else:
        settings["server_url"] = config.server_url
    app = SocialApp(
        provider=config.kind,
        provider_id=config.provider_id if config.kind == "openid_connect" else "",
        name=f"{config.button_label} ({config.where})",
        client_id=config.client_id,
        secret=config.secret(),
        settings=settings,
    )
    return app


def provider_origins(configs: list[SingleSignOn]) -> list[str]:
    """Where the sign-in page's buttons lead, for its Content-Security-Policy ``form-action``."""
    origins = set()
    for config in configs:
        if config.kind == SingleSignOn.Kind.MICROSOFT:
            origins.add("https://login.microsoftonline.com")
        elif config.kind == SingleSignOn.Kind.GOOGLE:
            origins.add("https://accounts.google.com")
        else:
            parts = urlsplit(config.server_url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


# --- The rules ----------------------------------------------------------------------------------------


@dataclass
class Decision:
    user: User | None = None
    reason: str = ""  # a key of REFUSALS; empty when the sign-in may go ahead
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.reason


def schools_of(config: SingleSignOn):
    if config.school_id:
        return School.objects.filter(pk=config.school_id)
    return School.objects.filter(trust_id=config.trust_id)


def decide(
    *,
    config: SingleSignOn | None,
    email: str,
    email_verified: bool,
    linked_user_id: int | None = None,
    hosted_domain: str | None = None,
) -> Decision:
    """Whether a provider's sign-in for ``email`` may become a session, and as whom.

    ``hosted_domain`` is a Google ID token's ``hd`` claim, which Google sends only for a Workspace account.
    """
    email = (email or "").strip().lower()
    detail = {"email": email}
    if config is None:
        return Decision(reason="not_configured", detail=detail)
    if not email:
        return Decision(reason="no_email", detail=detail)
    if not email_verified:
        return Decision(reason="unverified_email", detail=detail)
    if email.rsplit("@", 1)[-1] not in config.domains:
        return Decision(reason="wrong_domain", detail=detail)
    if config.kind == SingleSignOn.Kind.GOOGLE:
        # Anyone can make a personal Google account with a school address and have Google verify it; only the
        # ID token's hd claim says the school's Workspace holds the account (the hd request parameter sent to
        # Google only shapes its account chooser). The named Workspace or an allowed domain: only the school can
        # hold a Workspace for a domain it owns.
        hd = (hosted_domain or "").strip().lower()
        if not hd or hd not in {config.tenant.strip().lower(), *config.domains} - {""}:
            return Decision(reason="not_workspace", detail={**detail, "hosted_domain": hd})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return Decision(reason="unknown", detail=detail)
    if linked_user_id is not None and linked_user_id != user.pk:
        return Decision(user=user, reason="linked_elsewhere", detail=detail)
    if not user.is_active:
        return Decision(user=user, reason="inactive", detail=detail)
    memberships = (
        Membership.objects.current()
        .filter(user=user)
        .filter(
            Q(school__in=schools_of(config)) | Q(trust_id=config.trust_id)
            if config.trust_id
            else Q(school_id=config.school_id)
        )
    )
    roles = set(memberships.values_list("role", flat=True))
    if not roles:
        return Decision(user=user, reason="not_at_school", detail=detail)
    if roles == {Role.PARENT}:
        return Decision(user=user, reason="parent_only", detail=detail)
    return Decision(user=user, detail={**detail, "roles": sorted(roles)})


def provider_email(sociallogin, config: SingleSignOn) -> tuple[str, bool]:
    """The email the provider gave, and whether the provider vouches for it."""
    if config.kind == SingleSignOn.Kind.MICROSOFT:
        # Microsoft's Graph profile has no "verified" flag, so allauth lists its address as unverified. The address
        # (mail, or else the user principal name) comes from the school's own directory (the configuration names
        # one tenant, never "common"), whose domains Microsoft has verified.
        email = getattr(sociallogin.user, "email", "") or next(
            (a.email for a in sociallogin.email_addresses if a.email), ""
        )
        return email, bool(email)
    for address in sociallogin.email_addresses:
        if address.primary or len(sociallogin.email_addresses) == 1:
            return address.email, bool(address.verified)
    return getattr(sociallogin.user, "email", "") or "", False


def id_token_claims(sociallogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    if isinstance(data.get("id_token"), dict):
        return data["id_token"]
    return data if "iss" in data else {}


def mfa_claim(sociallogin) -> list[str]:
    amr = id_token_claims(sociallogin).get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return [str(v) for v in amr]


def amr_means_mfa(amr: list[str]) -> bool:
    return bool({v.lower() for v in amr} & MFA_AMR_VALUES)


def who_can_help(config: SingleSignOn | None) -> dict[str, Any]:
    """The people and phone numbers a refused person is told to ask (a public page: names and roles only)."""
    if config is None:
        return {"schools": []}
    schools = list(schools_of(config).order_by("name"))
    people = (
        Membership.objects.current()
        .filter(school__in=schools, role__in=[Role.DSL, Role.HEADTEACHER])
        .select_related("user")
        .order_by("school__name", "role", "user__full_name")
    )
    by_school: dict[int, list[str]] = {}
    for m in people:
        by_school.setdefault(m.school_id, []).append(f"{m.user.full_name} ({m.get_role_display()})")
    return {"schools": [{"name": s.name, "phone": s.phone, "people": by_school.get(s.pk, [])} for s in schools]}


def refusal_response(request: HttpRequest, config: SingleSignOn | None, reason: str, *, status: int = 403):
    context = {
        "reason": REFUSALS.get(reason, REFUSALS["provider_error"]),
        "reason_code": reason,
        "config": config,
        **who_can_help(config),
    }
    return render(request, "accounts/sso_refused.html", context, status=status)


def record_refusal(
    request: HttpRequest, config: SingleSignOn | None, decision: Decision, *, provider: str = ""
) -> None:
    audit_record(
        action=AuditAction.SSO_REFUSED,
        request=request,
        actor=decision.user,
        school=config.school if config else None,
        actor_email=decision.detail.get("email", ""),
        summary=f"Single sign-on refused: {REFUSALS.get(decision.reason, decision.reason)}"[:300],
        detail={
            "reason": decision.reason,
            "provider": provider or (config.kind if config else ""),
            "sso": config.pk if config else None,
            **{k: v for k, v in decision.detail.items() if k != "email"},
        },
    )


@transaction.atomic
def set_accept_provider_mfa(
    *, config: SingleSignOn, accept: bool, by: User, request: HttpRequest | None = None
) -> SingleSignOn:
    """The school's choice to let the provider's multi-factor claim stand for the portal's code: who and when."""
    before = config.accept_provider_mfa
    config.accept_provider_mfa = accept
    config.mfa_choice_by = by
    config.mfa_choice_at = timezone.now()
    config.save(update_fields=["accept_provider_mfa", "mfa_choice_by", "mfa_choice_at"])
    audit_record(
        action=AuditAction.SSO_SETTINGS_CHANGED,
        request=request,
        actor=by,
        school=config.school,
        obj=config,
        summary=("Accepts" if accept else "No longer accepts") + f" the provider's multi-factor sign-in for {config}",
        detail={"accept_provider_mfa": [before, accept], "sso": config.pk},
    )
    return config


# --- allauth's adapters -------------------------------------------------------------------------------


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth's accounts are not used: nobody signs up, and sign-in pages are the portal's."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user) -> None:
        # The session's user is loaded by Django's ModelBackend (axes' backend only checks passwords).
        user.backend = "django.contrib.auth.backends.ModelBackend"
        super().login(request, user)

    def send_notification_mail(self, *args, **kwargs) -> None:
        # Every email goes through the outbox; the audit chain records a link instead of an email about it.
        return None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/"


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        config = chosen_config(request)
        if config is None:
            return []
        if provider and provider not in (config.kind, config.provider_id):
            return []
        app = social_app_for(config)
        if client_id and app.client_id != client_id:
            return []
        return [app]

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        config = chosen_config(request)
        email, verified = provider_email(sociallogin, config) if config else ("", False)
        linked_user_id = sociallogin.user.pk if sociallogin.is_existing else None
        if linked_user_id is None:
            existing = SocialAccount.objects.filter(
                provider=sociallogin.account.provider, uid=sociallogin.account.uid
            ).first()
            linked_user_id = existing.user_id if existing else None
        hosted_domain = id_token_claims(sociallogin).get("hd") if config else None
        decision = decide(
            config=config,
            email=email,
            email_verified=verified,
            linked_user_id=linked_user_id,
            hosted_domain=hosted_domain,
        )
        provider = sociallogin.account.provider
        if not decision.allowed:
            record_refusal(request, config, decision, provider=provider)
            raise ImmediateHttpResponse(refusal_response(request, config, decision.reason))
        amr = mfa_claim(sociallogin)
        mfa = bool(config.accept_provider_mfa and amr_means_mfa(amr))
        # Read by the sign-in signal (accounts/signals.py), which records the sign-in itself.
        request._portal_sso = {
            "provider": provider,
            "sso": config.pk,
            "where": config.where,
            "amr": amr,
            "mfa_accepted": mfa,
            "school": config.school,
        }
        if not sociallogin.is_existing:
            sociallogin.connect(request, decision.user)
            audit_record(
                action=AuditAction.SSO_LINKED,
                request=request,
                actor=decision.user,
                school=config.school,
                summary=f"Linked {config.button_label} sign-in ({config.where}) to the account",
                detail={"provider": provider, "sso": config.pk, "uid": sociallogin.account.uid},
            )

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        config = chosen_config(request)
        # What the provider said, if it said anything (its "error" and "error_description" parameters).
        said = " ".join(request.GET.get(k, "") for k in ("error", "error_description")).strip()[:200]
        log.warning("single sign-on through %s failed: %s %r %s", getattr(provider, "id", "?"), error, exception, said)
        decision = Decision(
            reason="provider_error",
            detail={
                "error": str(error or ""),
                "provider_said": said,
                "exception": f"{type(exception).__name__}: {exception}"[:200] if exception else "",
            },
        )
        record_refusal(request, config, decision, provider=getattr(provider, "id", ""))
        raise ImmediateHttpResponse(refusal_response(request, config, "provider_error"))
