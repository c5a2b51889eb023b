from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.audit.admin_audit import AuditedAdmin
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record, origin_of, request_school

from . import services
from .forms import TwoFactorResetForm
from .models import Membership, SingleSignOn, User

# Who holds which role where is history: a saved membership keeps its role and place; a change of role is
# the old membership ended and a new one granted, so the audit log and the memberships both say when.
FIXED_ONCE_SAVED = ("user", "role", "school", "trust")


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "user",
            "role",
            "school",
            "trust",
            "job_title",
            "is_safeguarding_governor",
            "is_chair",
            "started_on",
            "ended_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in FIXED_ONCE_SAVED:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "To change this, end the membership and add a new one."


def _record_membership_save(request, membership: Membership, *, created: bool, changed: list[str]) -> None:
    if not created and not changed:
        return  # saved without a change: nothing happened to anyone's role
    services.membership_recorded_from_admin(
        membership=membership,
        created=created,
        ended_now=not created and "ended_on" in changed and membership.ended_on is not None,
        by=request.user,
        school=request_school(request),
        origin=origin_of(request),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    extra = 0
    fields = ["role", "school", "trust", "job_title", "is_safeguarding_governor", "is_chair", "started_on", "ended_on"]
    autocomplete_fields = ["school"]
    can_delete = False  # end a membership with "ended on"; who held a role stays answerable


# Who may use the admin, and who may do anything in it: each change is its own audit event.
RIGHTS = {
    "is_superuser": ("became a superuser", "is no longer a superuser"),
    "is_staff": ("was given admin site access", "lost admin site access"),
}


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    actions = ["reset_two_factor"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit entries point at the account

    def audit_school(self, obj):
        return None  # accounts are not a school's: the global chain

    def audit_label(self, obj):
        return f"Account {obj.email}"

    def record_saved(self, request, obj, *, created, changes):
        rights = {name: changes.pop(name) for name in RIGHTS if name in changes}
        super().record_saved(request, obj, created=created, changes=changes)
        if rights:
            said = [RIGHTS[name][0 if after else 1] for name, (_before, after) in rights.items()]
            audit_record(
                action=AuditAction.ADMIN_RIGHTS_CHANGED,
                request=request,
                school=None,
                obj=obj,
                summary=f"{obj.email} {' and '.join(said)}",
                detail={"via": "admin", "changes": rights},
            )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            audit_record(
                action=AuditAction.PASSWORD_CHANGED,
                request=request,
                school=None,
                obj=user,
                summary=f"Password of {user.email} set in the admin",
                detail={"via": "admin"},
            )
        return response

    @admin.action(
        description="Reset two-factor sign-in (lost phone); recorded in the audit log", permissions=["change"]
    )
    def reset_two_factor(self, request, queryset):
        # A page asking why comes first; the reason is kept with the audit entry.
        form = TwoFactorResetForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            users = list(queryset)
            for user in users:
                services.two_factor_reset(
                    user=user,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    school=request_school(request),
                    origin=origin_of(request),
                )
            messages.success(
                request,
                f"Two-factor sign-in reset for {len(users)} account(s). "
                "They will set up a new phone at their next sign-in.",
            )
            return None
        return TemplateResponse(
            request,
            "accounts/admin_reset_two_factor.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reset two-factor sign-in",
                "opts": self.model._meta,
                "users": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def save_formset(self, request, form, formset, change):
        # Role changes made in the admin are recorded like any other.
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = {f.instance.pk: f.changed_data for f in formset.forms if f.instance.pk}
        for obj in formset.save(commit=False):
            created = obj.pk is None
            obj.save()
            _record_membership_save(request, obj, created=created, changed=changed.get(obj.pk, []))
        formset.save_m2m()
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "role", "school", "trust", "started_on", "ended_on"]
    list_filter = ["role", "school"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "school"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _record_membership_save(request, obj, created=not change, changed=form.changed_data)


class SingleSignOnForm(forms.ModelForm):
    class Meta:
        model = SingleSignOn
        fields = [
            "school",
            "trust",
            "kind",
            "label",
            "tenant",
            "server_url",
            "client_id",
            "client_secret",
            "client_secret_env",
            "allowed_domains",
            "accept_provider_mfa",
            "is_enabled",
        ]
        widgets = {"client_secret": forms.PasswordInput(render_value=True)}

    server_url = forms.URLField(
        required=False, assume_scheme="https", help_text=SingleSignOn._meta.get_field("server_url").help_text
    )


@admin.register(SingleSignOn)
class SingleSignOnAdmin(AuditedAdmin):
    """A school's or trust's single sign-on (accounts/sso.py). The secret never enters the audit log."""

    form = SingleSignOnForm
    list_display = ["__str__", "kind", "allowed_domains", "accept_provider_mfa", "mfa_choice_by", "is_enabled"]
    list_filter = ["kind", "is_enabled", "accept_provider_mfa"]
    readonly_fields = ["mfa_choice_by", "mfa_choice_at", "redirect_uri"]
    autocomplete_fields = ["school"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off with "is enabled": sign-ins it linked stay answerable

    @admin.display(description="Redirect URI to register with the provider")
    def redirect_uri(self, obj):
        if obj is None or not obj.pk:
            return "Shown once saved."
        if obj.kind == SingleSignOn.Kind.OIDC:
            path = reverse("openid_connect_callback", kwargs={"provider_id": obj.provider_id})
        else:
            path = reverse(f"{obj.kind}_callback")
        return f"{settings.SITE_URL}{path}"

    def save_model(self, request, obj, form, change):
        if "accept_provider_mfa" in form.changed_data or (not change and obj.accept_provider_mfa):
            # Who chose to let the provider's multi-factor claim stand for the portal's code, and when.

            obj.mfa_choice_by = request.user
            obj.mfa_choice_at = timezone.now()
        super().save_model(request, obj, form, change)


# allauth's own admin pages: its apps and tokens are not used (the configurations above are the only apps, and no
# provider token is kept), nor its email addresses. A person's links to a provider stay visible; removing one
# (so the next sign-in links afresh, with the rules checked again) is recorded like every other admin change.
def _unregister_allauth() -> None:
    for model in (SocialApp, SocialToken, EmailAddress, SocialAccount):
        if admin.site.is_registered(model):
            admin.site.unregister(model)

    @admin.register(SocialAccount)
    class SingleSignOnLinkAdmin(AuditedAdmin):
        list_display = ["user", "provider", "uid", "date_joined", "last_login"]
        search_fields = ["user__email", "uid"]
        readonly_fields = ["user", "provider", "uid", "date_joined", "last_login", "extra_data"]

        def has_add_permission(self, request):
            return False

        def audit_school(self, obj):
            return None


_unregister_allauth()
