from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record

from . import services
from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["role", "school", "trust", "job_title", "is_safeguarding_governor", "is_chair", "started_on", "ended_on"]
    autocomplete_fields = ["school"]
    can_delete = False  # end a membership with "ended on"; who held a role stays answerable


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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

    @admin.action(description="Reset two-factor sign-in (lost phone); recorded in the audit log")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.two_factor_reset(user=user, by=request.user, reason="Reset from the admin", request=request)
        messages.success(request, f"Two-factor sign-in reset for {queryset.count()} account(s). "
                                  "They will set up a new phone at their next sign-in.")

    def save_formset(self, request, form, formset, change):
        # Role changes made in the admin are recorded like any other.
        changed = {f.instance.pk: f.changed_data for f in formset.forms if f.instance.pk}
        for obj in formset.save(commit=False):
            is_new = obj.pk is None
            obj.save()
            if isinstance(obj, Membership):
                ended = not is_new and "ended_on" in changed.get(obj.pk, []) and obj.ended_on
                audit_record(
                    action=AuditAction.ROLE_ENDED if ended else AuditAction.ROLE_GRANTED,
                    request=request, school=obj.school, obj=obj,
                    summary=f"{obj.user.email}: {obj.get_role_display()} at {obj.school or obj.trust}"
                    + (f", ended {obj.ended_on}" if ended else "" if is_new else " (changed)"),
                )
        formset.save_m2m()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "trust", "started_on", "ended_on"]
    list_filter = ["role", "school"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "school"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditAction.ROLE_ENDED if change and "ended_on" in form.changed_data and obj.ended_on else AuditAction.ROLE_GRANTED
        audit_record(action=action, request=request, school=obj.school, obj=obj,
                     summary=f"{obj.user.email}: {obj.get_role_display()} at {obj.school or obj.trust}"
                     + (f", ended {obj.ended_on}" if obj.ended_on else ""))
