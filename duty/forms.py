from __future__ import annotations

from django import forms

from .models import WEEKDAYS, DutySettings, Period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PatternForm(forms.Form):
    """The weekly pattern: one choice of person per weekday and period."""

    def __init__(self, *args, people=(), slots=None, out_of_hours: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Nobody")] + [(str(u.pk), u.full_name or u.email) for u in people]
        self.people = {str(u.pk): u for u in people}
        self.rows = []
        slots = slots or {}
        for day in range(7):
            row = []
            for period in Period:
                if (period == Period.SCHOOL_DAY and day > 4) or (period == Period.OUT_OF_HOURS and not out_of_hours):
                    row.append(None)
                    continue
                name = f"{period.value}_{day}"
                current = slots.get((day, period.value))
                self.fields[name] = forms.ChoiceField(
                    choices=choices, required=False, label=f"{WEEKDAYS[day]}, {period.label.lower()}",
                    initial=str(current.pk) if current else "",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
                row.append(name)
            if any(row):
                self.rows.append((WEEKDAYS[day], [self[n] if n else None for n in row]))

    def assignments(self):
        for name, value in self.cleaned_data.items():
            period, day = name.rsplit("_", 1)
            yield int(day), period, self.people.get(value)


class SwapForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Day")
    period = forms.ChoiceField(choices=Period.choices, initial=Period.SCHOOL_DAY)
    person = forms.ChoiceField(label="Who covers it")
    reason = forms.CharField(max_length=200, label="Why (holiday, absence, course...)")

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.fields["person"].choices = [(str(u.pk), u.full_name or u.email) for u in people]

    def clean_person(self):
        return self.people[self.cleaned_data["person"]]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DutySettings
        fields = ["day_starts", "day_ends", "out_of_hours_cover", "team_after_minutes", "head_after_minutes",
                  "sms_enabled"]
        widgets = {"day_starts": TIME, "day_ends": TIME}
        labels = {"team_after_minutes": "Tell the rest of the DSL team after (minutes)",
                  "head_after_minutes": "Tell the headteacher after (minutes)",
                  "sms_enabled": "Send text messages too"}


class MobileForm(forms.Form):
    number = forms.RegexField(regex=r"^\s*(\+44\s?7|07)[\d\s]{9,12}$", required=False, label="Your mobile number",
                              help_text="For urgent texts only. Leave empty to stop them.",
                              widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
