from __future__ import annotations

from django import forms

from incidents.categories import Category

from .csvimport import FIELDS
from .models import Outcome, Vendor


class UploadForm(forms.Form):
    vendor = forms.ChoiceField(label="Monitoring product", choices=Vendor.choices)
    file = forms.FileField(label="CSV export", help_text="All rows are imported, or none.")


class MappingForm(forms.Form):
    """One text box per field: the heading of the column that holds it in this product's export."""

    def __init__(self, *args, columns: dict[str, str], severities_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, required, _ in FIELDS:
            self.fields[key] = forms.CharField(
                label=label, required=required, max_length=100, initial=columns.get(key, "")
            )
        self.fields["severities"] = forms.CharField(
            label="The product's levels",
            required=False,
            widget=forms.Textarea(attrs={"rows": 6}),
            initial=severities_text,
            help_text="One per line: the product's level, an equals sign, then low, medium, high or critical "
            "(for example “Level 5 = critical”). Levels not listed use the portal's defaults.",
        )

    def severities(self) -> dict[str, str]:
        found = {}
        for line in self.cleaned_data.get("severities", "").splitlines():
            if "=" in line:
                level, _, severity = line.partition("=")
                found[level.strip().casefold()] = severity.strip().casefold()
        return found


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[(Outcome.NFA, Outcome.NFA.label), (Outcome.FALSE_POSITIVE, Outcome.FALSE_POSITIVE.label)],
    )
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class EscalateForm(forms.Form):
    case = forms.CharField(
        label="Add to an existing case (its reference)",
        required=False,
        max_length=24,
        help_text="Leave empty to open a new case.",
    )
    category = forms.ChoiceField(
        label="Kind of concern (for a new case)",
        required=False,
        choices=[("", "Suggested from the alert")] + [c for c in Category.choices if c[0] != Category.STAFF_CONDUCT],
        # form-select keeps the long category names inside a phone's width.
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="Note for the case", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class UsernameForm(forms.Form):
    username = forms.CharField(label="User name or email the product reports", max_length=200)
    pupil = forms.IntegerField(label="Pupil", widget=forms.Select)


class WebhookForm(forms.Form):
    vendor = forms.ChoiceField(label="Monitoring product", choices=Vendor.choices)
