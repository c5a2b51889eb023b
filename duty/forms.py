from __future__ import annotations

from django import forms

from safeguarding_portal.schools.selectors import pupils as pupils_of

from .models import WEEKDAYS, AIDecision, AIRating, AIStandard, AIToolStatus, AIUsers, DutySettings, Period

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
                    choices=choices,
                    required=False,
                    label=f"{WEEKDAYS[day]}, {period.label.lower()}",
                    initial=str(current.pk) if current else "",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
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
        fields = [
            "day_starts",
            "day_ends",
            "out_of_hours_cover",
            "team_after_minutes",
            "head_after_minutes",
            "sms_enabled",
        ]
        widgets = {"day_starts": TIME, "day_ends": TIME}
        labels = {
            "team_after_minutes": "Tell the rest of the DSL team after (minutes)",
            "head_after_minutes": "Tell the headteacher after (minutes)",
            "sms_enabled": "Send text messages too",
        }


class MobileForm(forms.Form):
    number = forms.RegexField(
        regex=r"^\s*(\+44\s?7|07)[\d\s]{9,12}$",
        required=False,
        label="Your mobile number",
        help_text="For urgent texts only. Leave empty to stop them.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EncompassForm(forms.Form):
    """A police notification as the officer gives it; each child is matched to a pupil by name and birth date."""

    CHILD_ROWS = 4

    notified_at = forms.DateTimeField(
        widget=DATETIME, label="When the police notified the school", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    incident_on = forms.DateField(widget=DATE, label="Date of the incident")
    police_reference = forms.CharField(max_length=60, label="Police reference")
    officer_name = forms.CharField(max_length=150, label="Officer's name")
    officer_contact = forms.CharField(max_length=200, label="Officer's phone or email")
    support = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Support the school will give")

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        for i in range(self.CHILD_ROWS):
            self.fields[f"child_{i}_name"] = forms.CharField(
                max_length=200, required=False, label=f"Child {i + 1}: name"
            )
            self.fields[f"child_{i}_dob"] = forms.DateField(required=False, widget=DATE, label="Date of birth")

    @property
    def child_rows(self):
        return [(self[f"child_{i}_name"], self[f"child_{i}_dob"]) for i in range(self.CHILD_ROWS)]

    def clean(self):
        data = super().clean()
        pupils = []
        for i in range(self.CHILD_ROWS):
            name, dob = data.get(f"child_{i}_name", "").strip(), data.get(f"child_{i}_dob")
            if not name and not dob:
                continue
            if not (name and dob):
                self.add_error(f"child_{i}_name", "Give the child's name and date of birth as the police did.")
                continue
            found = list(pupils_of(school=self.school, query=name).filter(date_of_birth=dob)[:2])
            if len(found) != 1:
                self.add_error(
                    f"child_{i}_name",
                    f"No single pupil on roll matches “{name}” born {dob:%-d %b %Y}: "
                    "check the spelling or the date with the officer.",
                )
                continue
            pupils.append(found[0])
        if not pupils and not self.errors:
            self.add_error(None, "Name at least one child.")
        data["pupils"] = pupils
        return data


class AskActionForm(forms.Form):
    assignee = forms.ChoiceField(label="Who")
    pupil = forms.ChoiceField(label="For which child", required=False)
    text = forms.CharField(
        max_length=300,
        label="What you ask them to do",
        help_text="They see this and the child's name only, never the police notification.",
    )

    def __init__(self, *args, people=(), pupils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.pupils = {str(p.pk): p for p in pupils}
        self.fields["assignee"].choices = [(k, u.full_name or u.email) for k, u in self.people.items()]
        self.fields["pupil"].choices = [("", "—")] + [(k, p.full_name) for k, p in self.pupils.items()]

    def clean(self):
        data = super().clean()
        data["assignee"] = self.people.get(data.get("assignee"))
        data["pupil"] = self.pupils.get(data.get("pupil") or "")
        return data


class AIToolForm(forms.Form):
    name = forms.CharField(max_length=150, label="Tool")
    supplier = forms.CharField(max_length=150, required=False)
    purpose = forms.CharField(max_length=300, label="What it is used for")
    used_by = forms.ChoiceField(choices=AIUsers.choices, widget=forms.RadioSelect, label="Who uses it")
    age_range = forms.CharField(
        max_length=60,
        required=False,
        label="Which pupils (age range)",
        help_text="For tools pupils use, e.g. Years 5 and 6 (9 to 11).",
    )
    data_seen = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="The data it sees")
    status = forms.ChoiceField(
        choices=[(AIToolStatus.PROPOSED, AIToolStatus.PROPOSED.label), (AIToolStatus.IN_USE, "Already in use")],
        widget=forms.RadioSelect,
        initial=AIToolStatus.PROPOSED,
    )


class AIAssessmentForm(forms.Form):
    """One rating and a note per heading of the DfE generative AI product safety standards."""

    def __init__(self, *args, tool=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        current = tool.assessment if tool is not None else {}
        for standard in AIStandard:
            rating = forms.ChoiceField(
                choices=[("", "—"), *AIRating.choices],
                required=False,
                label=standard.label,
                initial=current.get(standard.value, {}).get("rating", ""),
            )
            notes = forms.CharField(
                required=False,
                max_length=1000,
                label=f"Notes on {standard.label.lower()}",
                initial=current.get(standard.value, {}).get("notes", ""),
                widget=forms.TextInput(),
            )
            self.fields[f"{standard.value}_rating"] = rating
            self.fields[f"{standard.value}_notes"] = notes
            self.rows.append((standard, f"{standard.value}_rating", f"{standard.value}_notes"))

    @property
    def field_rows(self):
        return [(standard, self[r], self[n]) for standard, r, n in self.rows]

    def ratings(self) -> dict[str, tuple[str, str]]:
        return {
            standard.value: (self.cleaned_data.get(r, ""), self.cleaned_data.get(n, "")) for standard, r, n in self.rows
        }


class AIDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in AIDecision.choices if c[0] != AIDecision.PENDING], widget=forms.RadioSelect
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason (and any conditions)")
