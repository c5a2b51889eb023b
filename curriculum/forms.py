from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from incidents.categories import Category
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import YearGroup
from safeguarding_portal.schools.selectors import staff_users

from .constants import TRAINED_ROLES, Strand
from .models import Event, Policy, TrainingRequirement, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ROLE_CHOICES = [(r.value, r.label) for r in TRAINED_ROLES]


def _not_future(day: datetime.date | None, what: str) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(f"That date is in the future: record {what} once it has happened.")
    return day


class TrainingRecordForm(forms.Form):
    requirement = forms.ModelChoiceField(queryset=TrainingRequirement.objects.none(), label="Which training")
    course = forms.CharField(max_length=200, label="Course title")
    provider = forms.CharField(max_length=160, help_text="For example the local authority, NSPCC Learning, in school.")
    completed_on = forms.DateField(label="Date completed", widget=DATE, input_formats=DATE_FORMATS)
    hours = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("99"), decimal_places=1, initial=1)
    certificate = forms.FileField(required=False, help_text="PDF, PNG or JPEG, up to 10 MB (optional).")

    def __init__(self, *args, school, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = TrainingRequirement.objects.filter(school=school, active=True).order_by("order", "name")
        if roles is not None:
            qs = [r for r in qs if set(r.roles) & set(roles)]
            self.fields["requirement"].queryset = TrainingRequirement.objects.filter(
                pk__in=[r.pk for r in qs]
            ).order_by("order", "name")
        else:
            self.fields["requirement"].queryset = qs

    def clean_completed_on(self):
        return _not_future(self.cleaned_data.get("completed_on"), "training")


class BriefingForm(forms.Form):
    requirement = forms.ModelChoiceField(
        queryset=TrainingRequirement.objects.none(), label="Which training it counts as"
    )
    title = forms.CharField(max_length=200, initial="Whole-staff safeguarding and online safety update")
    provider = forms.CharField(max_length=160, initial="Designated Safeguarding Lead, in school")
    delivered_on = forms.DateField(label="Date", widget=DATE, input_formats=DATE_FORMATS)
    hours = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("99"), decimal_places=1, initial=1)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes (topics covered)")
    attendees = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Who attended")

    def __init__(self, *args, school, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = TrainingRequirement.objects.filter(school=school, active=True)
        self.fields["attendees"].choices = [
            (str(uid), f"{u.full_name} ({title or ', '.join(Role(r).label for r in roles)})")
            for uid, (u, roles, title) in people.items()
        ]

    def clean_delivered_on(self):
        return _not_future(self.cleaned_data.get("delivered_on"), "a briefing")


class RequirementForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = TrainingRequirement
        fields = ["name", "roles", "renew_months", "guidance", "active"]
        labels = {"renew_months": "Renew every (months)"}
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}


class LessonForm(forms.Form):
    taught_on = forms.DateField(label="Date taught", widget=DATE, input_formats=DATE_FORMATS)
    year_group = forms.ChoiceField(choices=[("", "Choose"), *YearGroup.choices])
    class_name = forms.CharField(label="Class (optional)", max_length=40, required=False)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label="Unit (optional)", empty_label="No planned unit"
    )
    strands = forms.MultipleChoiceField(
        choices=Strand.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Strands covered",
        error_messages={"required": "Tick at least one strand the lesson covered."},
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes (optional)")

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(school=school, active=True).order_by("title")

    def clean_taught_on(self):
        return _not_future(self.cleaned_data.get("taught_on"), "a lesson")


class UnitForm(forms.ModelForm):
    year_groups = forms.MultipleChoiceField(choices=YearGroup.choices, widget=forms.CheckboxSelectMultiple)
    strands = forms.MultipleChoiceField(choices=Strand.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Unit
        fields = ["title", "programme", "year_groups", "strands", "summary", "active"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.ModelForm):
    year_groups = forms.MultipleChoiceField(
        choices=YearGroup.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    strands = forms.MultipleChoiceField(choices=Strand.choices, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Event
        fields = ["kind", "title", "held_on", "audience", "year_groups", "strands", "attendance", "notes"]
        widgets = {"held_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class MappingForm(forms.Form):
    threshold = forms.IntegerField(
        min_value=1, max_value=50, label="Incidents in one category, one year group, one term"
    )

    def __init__(self, *args, mapping: dict[str, list[str]], threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].initial = threshold
        for category in Category:
            self.fields[f"map_{category.value}"] = forms.MultipleChoiceField(
                choices=Strand.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=category.label,
                initial=mapping.get(category.value, []),
            )

    def mapping(self) -> dict[str, list[str]]:
        return {c.value: self.cleaned_data.get(f"map_{c.value}", []) for c in Category}


class PolicyForm(forms.ModelForm):
    document_upload = forms.FileField(
        required=False,
        label="Current document",
        help_text="PDF or Word (.docx), up to 10 MB. Replaces the current one.",
    )

    class Meta:
        model = Policy
        fields = ["title", "kind", "approved_by", "approved_on", "review_months", "review_by", "responsible", "notes"]
        widgets = {"approved_on": DATE, "review_by": DATE, "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"review_months": "Review cycle", "review_by": "Or review by (a set date)"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["responsible"].queryset = staff_users(school=school)
        self.fields["review_months"].required = False


class TrustStandardForm(forms.Form):
    """A training requirement the trust sets for its schools (curriculum.services.standard_publish)."""

    name = forms.CharField(max_length=160)
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Who must have it"
    )
    renew_months = forms.IntegerField(
        required=False, min_value=1, max_value=60, label="Renew every (months)", help_text="Empty: once, at induction."
    )
    guidance = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why")
