from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safeguarding_portal.schools.models import YearGroup

from .models import Campaign
from .services import drawn_signature_problem


class DraftForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}), help_text="One paragraph per line works best on a phone."
    )
    consent_items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        label="Consent questions",
        help_text="Parents' agreement only: one question a line, each answered yes or no for each child.",
    )
    requires_resign = forms.BooleanField(
        required=False,
        label="Everyone must sign this version again",
        help_text="Signatures of earlier versions stop counting as current when you publish.",
    )
    summary = forms.CharField(max_length=300, required=False, label="What changed")


class TranslationForm(forms.Form):
    """A translation of the current published version, in one of the languages the school offers."""

    language = forms.ChoiceField(label="Language")
    title = forms.CharField(max_length=200, required=False, label="Title in that language")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        label="The agreement's text in that language",
        help_text="Have it translated and checked by a fluent speaker; it is frozen once uploaded.",
    )
    consent_labels = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Consent questions in that language",
        help_text="One a line, in the order of the English questions. Leave empty to show them in English.",
    )

    def __init__(self, *args, language_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices


class CampaignForm(forms.Form):
    scope = forms.ChoiceField(choices=Campaign.Scope.choices, label="Who is asked to sign")
    year_group = forms.ChoiceField(choices=[("", "—"), *list(YearGroup.choices)], required=False)
    class_name = forms.ChoiceField(choices=[("", "—")], required=False, label="Class")
    joined_since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Joined on or after"
    )
    closes_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Closes on")
    remind_every_days = forms.IntegerField(
        min_value=1, max_value=28, initial=7, label="Chase the unsigned every (days)"
    )

    def __init__(self, *args, classes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_name"].choices = [("", "—")] + [(c, c) for c in classes]
        self.fields["closes_on"].initial = timezone.localdate() + datetime.timedelta(days=21)

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        needed = {
            Campaign.Scope.YEAR: "year_group",
            Campaign.Scope.CLASS: "class_name",
            Campaign.Scope.JOINED_SINCE: "joined_since",
        }.get(scope)
        if needed and not data.get(needed):
            self.add_error(needed, "Choose which ones.")
        if data.get("closes_on") and data["closes_on"] < timezone.localdate():
            self.add_error("closes_on", "That day has passed.")
        return data

    def scope_value(self) -> str:
        data = self.cleaned_data
        return {
            Campaign.Scope.YEAR: data.get("year_group") or "",
            Campaign.Scope.CLASS: data.get("class_name") or "",
            Campaign.Scope.JOINED_SINCE: data["joined_since"].isoformat() if data.get("joined_since") else "",
        }.get(data["scope"], "")


class SignForm(forms.Form):
    """What every signer gives: a typed full name, an optional drawn signature, and the confirmation."""

    full_name = forms.CharField(
        max_length=200, label=_("Your full name"), widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("I have read and agree to this agreement"),
        error_messages={"required": _("Tick the box to confirm you have read and agree.")},
    )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 3 or " " not in name:
            raise forms.ValidationError(_("Type your full name (first name and surname)."))
        return name

    def clean_drawn_signature(self):
        value = self.cleaned_data.get("drawn_signature", "")
        problem = drawn_signature_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class VisitorForm(SignForm):
    organisation = forms.CharField(max_length=200, label="Organisation (or 'none')")
    submission_token = forms.UUIDField(widget=forms.HiddenInput)


class PupilRecordForm(forms.Form):
    agreed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date talked through"
    )

    def clean_agreed_on(self):
        day = self.cleaned_data["agreed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("That date is in the future.")
        return day


class VerifyForm(forms.Form):
    code = forms.CharField(max_length=40, required=False, label=_("Verification code"))
    pdf = forms.FileField(required=False, label=_("…or the certificate PDF"))

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("pdf"):
            raise forms.ValidationError(_("Type the code printed on the certificate, or choose the PDF."))
        return data


class PaperAgreementForm(forms.Form):
    """The parents' agreement signed on paper: who signed, when, the paper's answers and its scan."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    guardian = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Signed by")
    signer_name = forms.CharField(
        max_length=200,
        required=False,
        label="Name as written on the paper",
        help_text="Leave empty when it is the name above.",
    )
    signed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date written on the paper"
    )
    scan = forms.FileField(
        label="Scan or photo of the signed paper copy",
        help_text="PDF, PNG or JPEG, up to 10 MB. Every page, with the signature visible.",
    )
    confirm = forms.BooleanField(label="I have checked that the paper copy is signed and is the current version")

    ANSWERS = [("yes", "Yes"), ("no", "No")]

    def __init__(self, *args, guardians, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [(g.pk, f"{g.full_name} ({label})") for g, label in guardians]
        if len(guardians) == 1:
            self.fields["guardian"].initial = guardians[0][0].pk
        self.items = items
        for item in items:
            self.fields[f"consent_{item['key']}"] = forms.ChoiceField(
                choices=self.ANSWERS,
                widget=forms.RadioSelect,
                label=item["label"],
                error_messages={"required": "Enter the answer ticked on the paper."},
            )

    def consent_fields(self):
        return [self[f"consent_{item['key']}"] for item in self.items]

    def answers(self) -> dict[str, bool]:
        return {item["key"]: self.cleaned_data[f"consent_{item['key']}"] == "yes" for item in self.items}

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("That date is in the future.")
        return value
