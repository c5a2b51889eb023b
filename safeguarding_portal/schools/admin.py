from django.contrib import admin

from .models import Guardian, Pupil, PupilGuardian, SafeguardingContact, School, Term, Trust


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


class ContactInline(admin.TabularInline):
    model = SafeguardingContact
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "local_authority", "trust", "reference_prefix"]
    list_filter = ["trust"]
    search_fields = ["name", "urn"]
    inlines = [TermInline, ContactInline]


class GuardianLinkInline(admin.TabularInline):
    model = PupilGuardian
    extra = 0
    autocomplete_fields = ["guardian"]


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["surname", "legal_forename", "upn", "year_group", "registration_group", "school", "left_on"]
    list_filter = ["school", "year_group"]
    search_fields = ["surname", "legal_forename", "upn"]
    inlines = [GuardianLinkInline]


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "school"]
    list_filter = ["school"]
    search_fields = ["full_name", "email"]
    raw_id_fields = ["user"]
