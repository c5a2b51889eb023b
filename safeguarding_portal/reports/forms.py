from __future__ import annotations

from django import forms
from django.utils import timezone

from safeguarding_portal.schools.models import Term

# The browser's date picker speaks ISO dates.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportRequestForm(forms.Form):
    term = forms.ModelChoiceField(
        queryset=Term.objects.none(), required=False, empty_label="Choose dates instead",
        label="Term", help_text="A term of the school's, or choose dates below.",
    )
    starts_on = forms.DateField(required=False, label="From", widget=DATE)
    ends_on = forms.DateField(required=False, label="To (inclusive)", widget=DATE)

    def __init__(self, *args, school, term_view=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["term"].queryset = Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on")
        if term_view is not None and term_view.term is not None and not self.is_bound:
            self.fields["term"].initial = term_view.term.pk  # the term in view: the current one, or the last

    def clean(self):
        data = super().clean()
        term = data.get("term")
        if term is not None:
            data["starts_on"], data["ends_on"] = term.starts_on, term.ends_on
        elif not (data.get("starts_on") and data.get("ends_on")) and not self.errors:
            raise forms.ValidationError("Choose a term, or enter both a start and an end date.")
        return data
