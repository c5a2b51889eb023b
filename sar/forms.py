from __future__ import annotations

from django import forms

from .models import Exemption, Relationship


class DateInput(forms.DateInput):
    """A date picker: its value must be ISO (the site's dd/mm/yyyy would show the date as empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


class RequestForm(forms.Form):
    requester_name = forms.CharField(label="Who asked", max_length=200)
    relationship = forms.ChoiceField(label="Their relationship to the person", choices=Relationship.choices)
    about = forms.ChoiceField(
        label="The request is about",
        choices=[("pupil", "A pupil (on roll or left)"), ("staff", "A member of staff")],
        widget=forms.RadioSelect,
        initial="pupil",
    )
    subject_pupil = forms.ModelChoiceField(label="Pupil", queryset=None, required=False)
    subject_staff = forms.ModelChoiceField(label="Member of staff", queryset=None, required=False)
    received_on = forms.DateField(label="Received on", widget=DateInput)
    identity_check = forms.CharField(
        label="How the requester's identity (and authority to ask) was verified",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: passport seen at the office; parental responsibility checked against the MIS.",
    )

    def __init__(self, *args, pupils, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_pupil"].queryset = pupils
        self.fields["subject_pupil"].label_from_instance = lambda p: (
            f"{p.surname}, {p.forename} ({p.get_year_group_display()})"
            + (f", left {p.left_on:%-d %b %Y}" if p.left_on else "")
        )
        self.fields["subject_staff"].queryset = staff
        self.fields["subject_staff"].label_from_instance = lambda u: u.full_name or u.email
        # Chosen through the search (sar:subject_search), never listed whole: a school has a thousand pupils.
        for name in ("subject_pupil", "subject_staff"):
            self.fields[name].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if data.get("about") == "pupil":
            data["subject_staff"] = None
            if not data.get("subject_pupil"):
                self.add_error("subject_pupil", "Choose the pupil.")
        else:
            data["subject_pupil"] = None
            if not data.get("subject_staff"):
                self.add_error("subject_staff", "Choose the member of staff.")
        return data


class ExtendForm(forms.Form):
    to = forms.DateField(label="New deadline", widget=DateInput)
    reason = forms.CharField(label="Reason (told to the requester)", widget=forms.Textarea(attrs={"rows": 2}))


class MarkForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput, max_length=120)
    phrase = forms.CharField(
        label="Only these words (leave empty to withhold the whole passage)", max_length=300, required=False
    )
    everywhere = forms.BooleanField(label="Withhold these words in every passage of the pack", required=False)
    exemption = forms.ChoiceField(label="Exemption", choices=[("", "Choose…"), *Exemption.choices])
    reason = forms.CharField(label="Reason", max_length=1000)


class WithdrawForm(forms.Form):
    mark = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why withdraw it", max_length=1000)


class SentForm(forms.Form):
    sent_on = forms.DateField(label="Sent on", widget=DateInput)
    sent_how = forms.CharField(
        label="How it was sent",
        max_length=200,
        help_text="For example: secure email to the address on file; collected in person.",
    )
