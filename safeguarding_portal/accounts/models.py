from __future__ import annotations

import os

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .policy import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Roles live on memberships, one per school (or trust) and role."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("admin site access", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None) -> MembershipQuerySet:
        today = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today)


class Membership(models.Model):
    """A role a user holds at one school, or (for the trust safeguarding lead) at one trust.

    Ending a membership sets ``ended_on``; memberships are never deleted, so who held which role
    when stays answerable.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    trust = models.ForeignKey(
        "schools.Trust", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    job_title = models.CharField(max_length=120, blank=True)
    is_safeguarding_governor = models.BooleanField(default=False)
    is_chair = models.BooleanField("chair of governors", default=False)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "role"]
        constraints = [
            models.CheckConstraint(
                name="membership_trust_role_has_trust_only",
                condition=(
                    Q(role=Role.TRUST_LEAD, trust__isnull=False, school__isnull=True)
                    | (~Q(role=Role.TRUST_LEAD) & Q(school__isnull=False, trust__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="membership_governor_flags_only_for_governors",
                condition=Q(role=Role.GOVERNOR) | Q(is_safeguarding_governor=False, is_chair=False),
            ),
            models.CheckConstraint(
                name="membership_ends_after_it_starts",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=Q(ended_on__isnull=True, school__isnull=False),
                name="membership_one_open_role_per_school",
            ),
            models.UniqueConstraint(
                fields=["user", "trust", "role"],
                condition=Q(ended_on__isnull=True, trust__isnull=False),
                name="membership_one_open_role_per_trust",
            ),
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        where = self.school or self.trust
        return f"{self.user} — {self.get_role_display()} at {where}"

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TRUST_LEAD:
            if not self.trust_id or self.school_id:
                raise ValidationError("A trust safeguarding lead belongs to a trust, not a school.")
        elif not self.school_id or self.trust_id:
            raise ValidationError({"school": "This role is held at a school."})
        if self.role != Role.GOVERNOR and (self.is_safeguarding_governor or self.is_chair):
            raise ValidationError("Only governors can be the safeguarding governor or the chair.")
        if self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "A membership cannot end before it starts."})


class KeptForm(models.Model):
    """A form sent after its author's session expired, kept for them to send after signing in again.

    What was typed (often a child's name and a disclosure) is stored only encrypted (accounts/resume.py), for one
    user, for a few hours; ``accounts.purge_expired`` deletes it after that.
    """

    token_hash = models.CharField(max_length=64, unique=True)  # the link's token is never stored
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    payload = models.BinaryField()

    def __str__(self) -> str:
        return f"Kept form {self.pk} for user {self.user_id}"


class SingleSignOn(models.Model):
    """A school's (or a whole trust's) sign-in through its Microsoft 365, Google Workspace or OIDC accounts.

    The portal never creates anyone from it: a sign-in links only to an existing account whose email the
    provider verified, in one of ``allowed_domains`` (accounts/sso.py). Password sign-in stays for everyone.
    """

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft (Entra ID)"
        GOOGLE = "google", "Google Workspace"
        OIDC = "openid_connect", "Another OpenID Connect provider"

    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="single_sign_ons"
    )
    trust = models.ForeignKey(
        "schools.Trust", null=True, blank=True, on_delete=models.PROTECT, related_name="single_sign_ons"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    label = models.CharField(
        max_length=80, blank=True, help_text='Shown on the button, "Sign in with …". Blank: Microsoft or Google.'
    )
    tenant = models.CharField(
        max_length=200,
        blank=True,
        help_text="Microsoft: the directory (tenant) ID of the school's Microsoft 365. Google: the Workspace domain.",
    )
    server_url = models.URLField(
        blank=True, help_text="OpenID Connect only: the issuer URL (where /.well-known/openid-configuration is)."
    )
    client_id = models.CharField(max_length=200)
    client_secret = models.CharField(
        max_length=500, blank=True, help_text="Or leave blank and name an environment variable below."
    )
    client_secret_env = models.CharField(
        "client secret environment variable",
        max_length=100,
        blank=True,
        help_text="The name of the environment variable holding the secret on the portal's servers.",
    )
    allowed_domains = models.CharField(
        max_length=500, help_text="Email domains that may sign in this way, separated by commas: oak.sch.uk"
    )
    accept_provider_mfa = models.BooleanField(
        "accept the provider's multi-factor sign-in",
        default=False,
        help_text="Roles that need two-factor sign-in skip the portal's code when the provider says it asked for "
        "a second factor (the amr claim). Otherwise they type the portal's code after signing in.",
    )
    mfa_choice_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    mfa_choice_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = "single sign-on"
        constraints = [
            models.CheckConstraint(
                name="sso_for_a_school_or_a_trust",
                condition=Q(school__isnull=False, trust__isnull=True) | Q(school__isnull=True, trust__isnull=False),
            ),
            models.CheckConstraint(
                name="sso_oidc_has_a_server_url",
                condition=~Q(kind="openid_connect") | ~Q(server_url=""),
            ),
            models.CheckConstraint(name="sso_has_allowed_domains", condition=~Q(allowed_domains="")),
        ]

    def __str__(self) -> str:
        return f"{self.button_label} for {self.school or self.trust}"

    def clean(self) -> None:
        super().clean()
        if bool(self.school_id) == bool(self.trust_id):
            raise ValidationError("Choose a school or a trust, not both.")
        if self.kind == self.Kind.OIDC and not self.server_url:
            raise ValidationError({"server_url": "An OpenID Connect provider needs its issuer URL."})
        if self.kind == self.Kind.MICROSOFT and self.tenant.strip().lower() in (
            "",
            "common",
            "organizations",
            "consumers",
        ):
            # A multi-tenant sign-in would let any Microsoft account in; the school's own directory only.
            raise ValidationError({"tenant": "Give the school's own directory (tenant) ID."})
        if not self.domains:
            raise ValidationError({"allowed_domains": "Name at least one email domain."})
        if self.accept_provider_mfa and self.kind in (self.Kind.MICROSOFT, self.Kind.GOOGLE):
            # Entra ID's v2.0 tokens carry no amr (allauth's Microsoft provider reads Graph's profile anyway), nor
            # do Google's ID tokens: the box would look like a choice and change nothing.
            raise ValidationError(
                {
                    "accept_provider_mfa": (
                        f"{self.get_kind_display()} never sends a multi-factor claim the portal can read, "
                        "so staff who need two-factor sign-in type the portal's code. "
                        "Only an OpenID Connect provider that sends amr can stand for it."
                    )
                }
            )
        if self.client_secret_env:
            if self.client_secret:
                raise ValidationError({"client_secret": "Type the secret or name an environment variable, not both."})
            if self.client_secret_env not in os.environ:
                # Found out now, not at a teacher's first sign-in (the provider would refuse an empty secret).
                raise ValidationError(
                    {
                        "client_secret_env": (
                            f"The portal's server has no environment variable {self.client_secret_env}. "
                            "Set it where the portal runs and restart it, or type the secret instead."
                        )
                    }
                )

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.allowed_domains.replace(";", ",").split(",") if d.strip()]

    @property
    def provider_id(self) -> str:
        """allauth's provider id: fixed for Microsoft and Google, one per configuration for OIDC."""
        return f"sso-{self.pk}" if self.kind == self.Kind.OIDC else self.kind

    @property
    def button_label(self) -> str:
        if self.label:
            return self.label
        return {"microsoft": "Microsoft", "google": "Google"}.get(self.kind, "your school account")

    @property
    def where(self) -> str:
        return str(self.school or self.trust)

    def secret(self) -> str:
        if self.client_secret_env:
            return os.environ.get(self.client_secret_env, "")
        return self.client_secret
