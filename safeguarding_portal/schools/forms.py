from django import forms
from django.forms import inlineformset_factory

from . import languages
from .models import SafeguardingContact, School, Term, VulnerabilityFlag


class SchoolDetailsForm(forms.ModelForm):
    parent_languages = forms.MultipleChoiceField(
        choices=languages.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Languages offered to parents, besides English",
        help_text="The signing, consent and verify pages and the parents' emails. A parent's language comes from "
        "the MIS home language or their choice on the page. Give each agreement a translation too "
        "(Agreements → the parents' agreement).",
    )

    class Meta:
        model = School
        fields = ["name", "local_authority", "address", "phone", "parent_languages"]

    def clean_parent_languages(self) -> list[str]:
        return languages.offered(self.cleaned_data.get("parent_languages"))[1:]


ContactFormSet = inlineformset_factory(
    School, SafeguardingContact, fields=["kind", "name", "phone", "email", "notes"], extra=2, can_delete=True
)


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["academic_year", "name", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


TermFormSet = inlineformset_factory(School, Term, form=TermForm, extra=3, can_delete=True)


class NewSchoolForm(forms.ModelForm):
    """A school joining the trust, added by the trust lead (schools.services.school_add)."""

    staff_file = forms.FileField(
        required=False,
        label="Staff list from the MIS (optional)",
        help_text="A CSV in the staff import's format (the import page's template); checked and applied as a whole, "
        "or not at all, like any import. You can also import later.",
    )

    class Meta:
        model = School
        fields = ["name", "urn", "local_authority", "reference_prefix", "address", "phone"]


NewTermFormSet = inlineformset_factory(School, Term, form=TermForm, extra=3, can_delete=False)
NewContactFormSet = inlineformset_factory(
    School, SafeguardingContact, fields=["kind", "name", "phone", "email", "notes"], extra=2, can_delete=False
)


class FlagForm(forms.Form):
    """A flag period as the DSL team enters or corrects it (the model's clean() checks overlaps)."""

    kind = forms.ChoiceField(label="Flag", choices=VulnerabilityFlag.choices)
    starts_on = forms.DateField(label="Started", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # A date input takes only an ISO value: the site's dd/mm/yyyy would leave a saved date showing empty.
    ends_on = forms.DateField(
        label="Ended",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty while it applies.",
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "A flag cannot end before it starts.")
        return data


class FlagDatesForm(FlagForm):
    """Changing one period's dates: its kind stays."""

    kind = None
