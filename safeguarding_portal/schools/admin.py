from django.contrib import admin

from safeguarding_portal.audit.admin_audit import AuditedAdmin

from .models import Guardian, Pupil, PupilGuardian, SafeguardingContact, School, Term, Trust

# Every change made here, and every pupil or parent opened or listed, is an audit event at the record's school.


@admin.register(Trust)
class TrustAdmin(AuditedAdmin):
    search_fields = ["name"]

    def audit_school(self, obj):
        return None


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


class ContactInline(admin.TabularInline):
    model = SafeguardingContact
    extra = 0


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "urn", "local_authority", "trust", "reference_prefix"]
    list_filter = ["trust"]
    search_fields = ["name", "urn"]
    inlines = [TermInline, ContactInline]

    def audit_school(self, obj):
        return obj

    def has_delete_permission(self, request, obj=None):
        return False  # every safeguarding record points at its school


class GuardianLinkInline(admin.TabularInline):
    model = PupilGuardian
    extra = 0
    autocomplete_fields = ["guardian"]


def _link_label(link: PupilGuardian) -> str:
    return f"{link.guardian.full_name} ({link.relationship or 'contact'}) for pupil {link.pupil.upn}"


@admin.register(Pupil)
class PupilAdmin(AuditedAdmin):
    list_display = ["surname", "legal_forename", "upn", "year_group", "registration_group", "school", "left_on"]
    list_filter = ["school", "year_group"]
    search_fields = ["surname", "legal_forename", "upn"]
    inlines = [GuardianLinkInline]
    audit_views = True
    inline_labels = {PupilGuardian: _link_label}

    def audit_label(self, obj):
        return f"Pupil {obj.upn}"

    def has_delete_permission(self, request, obj=None):
        return False  # a pupil who leaves is marked as left (the MIS import does it); their records stay


@admin.register(Guardian)
class GuardianAdmin(AuditedAdmin):
    list_display = ["full_name", "email", "school"]
    list_filter = ["school"]
    search_fields = ["full_name", "email"]
    raw_id_fields = ["user"]
    audit_views = True

    def audit_label(self, obj):
        return f"Parent or carer {obj.full_name}"

    def has_delete_permission(self, request, obj=None):
        return False  # signatures and consents name them
