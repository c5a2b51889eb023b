from __future__ import annotations

from django import forms
from django.utils import timezone

from safeguarding_portal.schools.models import Term

from .figures import measures_for
from .models import TrustThresholds

# The browser's date picker speaks ISO dates.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportRequestForm(forms.Form):
    term = forms.ModelChoiceField(
        queryset=Term.objects.none(),
        required=False,
        empty_label="Choose dates instead",
        label="Term",
        help_text="A term of the school's, or choose dates below.",
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


def dashboard_measures() -> list:
    """The dashboard's measures with their default thresholds (computed for no school: no figures needed)."""
    today = timezone.localdate()
    return measures_for(school_ids=[], start=today, end=today, today=today, previous=[])


class ThresholdsForm(forms.Form):
    """The trust's red/amber/green thresholds, two numbers per measure. For a figure where more is better (a
    percentage in date) a school is amber below the amber figure and red below the red one; for one where
    fewer is better (overdue actions) amber at or above the amber figure and red at or above the red one."""

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)

        row = TrustThresholds.objects.filter(trust=trust).first()
        stored = row.values if row is not None else {}
        self.measures = [m for m in dashboard_measures() if m.kind != "state"]
        self.groups: list[tuple[str, list[tuple]]] = []
        for m in self.measures:
            limits = stored.get(m.key, {})
            word = "below" if m.higher_is_better else "at or above"
            unit = "%" if m.kind == "percent" else ""
            bound = {"min_value": 0, "max_value": 100} if m.kind == "percent" else {"min_value": 0}
            self.fields[f"{m.key}__amber"] = forms.IntegerField(
                label=f"{m.label}: amber {word}{' (' + unit + ')' if unit else ''}",
                initial=limits.get("amber", m.amber),
                **bound,
            )
            self.fields[f"{m.key}__red"] = forms.IntegerField(
                label=f"{m.label}: red {word}{' (' + unit + ')' if unit else ''}",
                initial=limits.get("red", m.red),
                **bound,
            )
            group = next((g for g in self.groups if g[0] == m.area), None)
            if group is None:
                group = (m.area, [])
                self.groups.append(group)
            group[1].append((m, self[f"{m.key}__amber"], self[f"{m.key}__red"]))

    def clean(self):
        data = super().clean()
        for m in self.measures:
            amber, red = data.get(f"{m.key}__amber"), data.get(f"{m.key}__red")
            if amber is None or red is None:
                continue
            if m.higher_is_better and red > amber:
                self.add_error(f"{m.key}__red", "Red must be at or below amber: more is better here.")
            if not m.higher_is_better and red < amber:
                self.add_error(f"{m.key}__red", "Red must be at or above amber: fewer is better here.")
        return data

    def values(self) -> dict[str, dict[str, int]]:
        return {
            m.key: {"amber": self.cleaned_data[f"{m.key}__amber"], "red": self.cleaned_data[f"{m.key}__red"]}
            for m in self.measures
        }
