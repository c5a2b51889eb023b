from django import forms
from django.forms import inlineformset_factory

from .models import SafeguardingContact, School, Term


class SchoolDetailsForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "local_authority", "address", "phone"]


ContactFormSet = inlineformset_factory(
    School, SafeguardingContact, fields=["kind", "name", "phone", "email", "notes"], extra=2, can_delete=True
)


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["academic_year", "name", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


TermFormSet = inlineformset_factory(School, Term, form=TermForm, extra=3, can_delete=True)
