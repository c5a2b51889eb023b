from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from incidents.models import Device as IncidentDevice
from incidents.models import Location as IncidentLocation

from .models import (
    Action,
    CheckLocation,
    CheckMethod,
    DeviceType,
    ResponsibilityRole,
    ReviewKind,
    ReviewTrigger,
    RiskRating,
    RiskView,
    Scope,
    TargetKind,
    UserGroup,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChangeRequestForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=Action.choices, widget=forms.RadioSelect, label="Do you need something allowed or blocked?"
    )
    target_kind = forms.ChoiceField(choices=TargetKind.choices, label="What is it?")
    target = forms.CharField(
        max_length=500,
        label="The address, site, category, keyword or app",
        help_text="For example https://www.bbc.co.uk/bitesize or “Social networking”.",
    )
    scope = forms.ChoiceField(choices=Scope.choices, label="For whom?")
    scope_detail = forms.CharField(max_length=120, required=False, label="Which year group or device group?")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Educational reason",
        help_text="Which lesson or task needs it, and why nothing else will do.",
    )
    needed_until = forms.DateField(
        required=False,
        widget=DATE,
        label="Needed until",
        help_text="Allows are temporary: give the last day it is needed.",
    )

    def clean_needed_until(self):
        value = self.cleaned_data.get("needed_until")
        if value and value < timezone.localdate():
            raise forms.ValidationError("That date has passed.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("action") == Action.ALLOW and not data.get("needed_until"):
            self.add_error("needed_until", "Say until when the site is needed: allows are temporary.")
        if data.get("scope") in (Scope.YEAR_GROUP, Scope.DEVICE_GROUP) and not data.get("scope_detail", "").strip():
            self.add_error("scope_detail", "Say which year group or device group.")
        return data


class ReportSiteForm(forms.Form):
    BREACH = "breach"
    OVERBLOCK = "overblock"
    token = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What happened?",
        choices=[
            (BREACH, "A site got through that should have been blocked"),
            (OVERBLOCK, "A block is stopping teaching or learning"),
        ],
    )
    url = forms.CharField(
        max_length=500,
        label="The web address (URL)",
        help_text="Copy it from the address bar if you can. Do not go back to the site.",
    )
    occurred_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        label="When?",
    )
    location = forms.ChoiceField(choices=IncidentLocation.choices, initial=IncidentLocation.ON_SITE, label="Where?")
    location_detail = forms.CharField(max_length=200, required=False, label="Which room?")
    device = forms.ChoiceField(choices=IncidentDevice.choices, initial=IncidentDevice.SCHOOL, label="Which device?")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was seen, or what it stops",
        help_text="Do not name pupils here if a pupil saw something: the DSL will ask.",
    )
    immediate_risk = forms.BooleanField(required=False, label="A child may be at immediate risk")
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.ALL_PUPILS, label="Who is affected?")

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError("That time is in the future.")
        return value


class AssessForm(forms.Form):
    view = forms.ChoiceField(choices=RiskView.choices, label="Which view")
    rating = forms.ChoiceField(choices=RiskRating.choices, label="Risk rating")
    assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Assessment",
        help_text="What could go wrong, for whom, and how likely.",
    )
    mitigations = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Mitigations")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the decision")
    expires_on = forms.DateField(
        required=False,
        widget=DATE,
        label="Expires on",
        help_text="Required for an allow, unless you record why it is permanent.",
    )
    permanent_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why it is permanent (allows without an expiry only)",
    )
    longer_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why it should last beyond the date asked for",
        help_text="Only for an expiry after the “needed until” date. The requester reads this.",
    )

    def __init__(self, *args, needed_until: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if needed_until is not None:
            self.fields[
                "longer_reason"
            ].help_text = f"Asked for until {needed_until:%d %b %Y}. Only for a later expiry; the requester reads this."


class ApplyForm(forms.Form):
    vendor_reference = forms.CharField(
        max_length=120, label="Filtering product's reference", help_text="The change or ticket number the filter shows."
    )
    applied_at = forms.DateTimeField(
        required=False,
        label="Applied at (if not just now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class RevertForm(forms.Form):
    vendor_reference = forms.CharField(max_length=120, required=False, label="Filtering product's reference")
    note = forms.CharField(max_length=500, required=False, label="Note")


class ResponsibilityForm(forms.Form):
    role = forms.ChoiceField(choices=ResponsibilityRole.choices)
    user = forms.ModelChoiceField(queryset=None, required=False, label="Portal account (if they have one)")
    name = forms.CharField(
        max_length=200,
        required=False,
        help_text="Filled from the account when one is chosen; needed for the IT provider.",
    )
    organisation = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    starts_on = forms.DateField(widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("user") and not data.get("name"):
            data["name"] = data["user"].full_name
            if not data.get("email"):
                data["email"] = data["user"].email
        if not data.get("name"):
            self.add_error("name", "Give the person's name or choose their account.")
        return data


class CheckForm(forms.Form):
    checked_on = forms.DateField(widget=DATE, initial=timezone.localdate, label="Checked on")
    method = forms.ChoiceField(choices=CheckMethod.choices, label="How")
    device_type = forms.ChoiceField(choices=DeviceType.choices, label="Device")
    location = forms.ChoiceField(choices=CheckLocation.choices)
    user_group = forms.ChoiceField(choices=UserGroup.choices, label="User group")
    passed = forms.TypedChoiceField(
        choices=[("yes", "Passed"), ("no", "Failed")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        label="Result",
    )
    what_was_tested = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What was tested")
    failures = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What failed")
    actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Actions that followed")
    certificate = forms.FileField(
        required=False, label="Certificate (PDF or image)", help_text="For example the SWGfL Test Filtering result."
    )


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(choices=ReviewKind.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(widget=DATE, label="Held on")
    trigger = forms.ChoiceField(
        choices=[("", "—"), *ReviewTrigger.choices], required=False, label="Trigger (out-of-cycle reviews)"
    )
    trigger_detail = forms.CharField(max_length=300, required=False, label="What happened")
    senior_leader = forms.CharField(max_length=200, required=False)
    dsl = forms.CharField(max_length=200, required=False, label="DSL")
    it_provider = forms.CharField(max_length=200, required=False, label="IT provider")
    governor = forms.CharField(max_length=200, required=False)
    others = forms.CharField(max_length=300, required=False, label="Others who took part")
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    ACTION_ROWS = 4

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.ACTION_ROWS):
            self.fields[f"action_{i}_text"] = forms.CharField(max_length=300, required=False, label=f"Action {i + 1}")
            self.fields[f"action_{i}_owner"] = forms.ModelChoiceField(queryset=people, required=False, label="Owner")
            self.fields[f"action_{i}_due"] = forms.DateField(required=False, widget=DATE, label="Due")

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReviewKind.OUT_OF_CYCLE and not data.get("trigger"):
            self.add_error("trigger", "Say what triggered this review.")
        actions = []
        for i in range(self.ACTION_ROWS):
            text, owner, due = (
                data.get(f"action_{i}_text"),
                data.get(f"action_{i}_owner"),
                data.get(f"action_{i}_due"),
            )
            if not (text or owner or due):
                continue
            if not text:
                self.add_error(f"action_{i}_text", "Say what the action is.")
            if not owner:
                self.add_error(f"action_{i}_owner", "Every action needs an owner.")
            if not due:
                self.add_error(f"action_{i}_due", "Every action needs a due date.")
            if text and owner and due:
                actions.append({"text": text, "owner": owner, "due_on": due})
        data["actions"] = actions
        return data

    def action_rows(self):
        return [
            (self[f"action_{i}_text"], self[f"action_{i}_owner"], self[f"action_{i}_due"])
            for i in range(self.ACTION_ROWS)
        ]


class VendorImportForm(forms.Form):
    file = forms.FileField(label="The filtering product's audit log (CSV or Excel workbook)")
    sheet = forms.CharField(
        max_length=100,
        required=False,
        label="Which sheet of the workbook",
        help_text="Only for a workbook with several sheets: the one that holds the log.",
    )
    product = forms.CharField(max_length=100, required=False, label="Product")
    timestamp_column = forms.CharField(max_length=100, required=False, label="Column with the time")
    user_column = forms.CharField(max_length=100, required=False, label="Column with the user")
    action_column = forms.CharField(max_length=100, required=False, label="Column with the action")
    target_column = forms.CharField(max_length=100, required=False, label="Column with the target")
    reference_column = forms.CharField(max_length=100, required=False, label="Column with the reference (optional)")


# --- Following up a vendor change nobody approved ------------------------------------------------------------
# The follow-up page shows three forms at once; each has its own prefix, so their fields' ids stay unique.


class RetrospectiveForm(forms.Form):
    prefix = "retro"
    action = forms.ChoiceField(choices=Action.choices, widget=forms.RadioSelect, label="The change made was")
    target_kind = forms.ChoiceField(choices=TargetKind.choices, label="What it changes")
    scope = forms.ChoiceField(choices=Scope.choices, label="For whom")
    scope_detail = forms.CharField(max_length=120, required=False, label="Which year group or device group?")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Educational reason",
        help_text="Why it was needed, as far as you know. The approver decides whether it "
        "stays; if it is rejected, the technician undoes it in the filter.",
    )
    needed_until = forms.DateField(required=False, widget=DATE, label="Needed until (allows)")

    def clean(self):
        data = super().clean()
        if data.get("action") == Action.ALLOW and not data.get("needed_until"):
            self.add_error("needed_until", "Say until when it is needed: allows are temporary.")
        if data.get("scope") in (Scope.YEAR_GROUP, Scope.DEVICE_GROUP) and not data.get("scope_detail", "").strip():
            self.add_error("scope_detail", "Say which year group or device group.")
        return data


class VendorIncidentForm(forms.Form):
    prefix = "incident"
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you know",
        help_text="The concern goes to the DSL team with the vendor's row attached. "
        "Do not name pupils here: the DSL will ask.",
    )
    immediate_risk = forms.BooleanField(required=False, label="A child may be at immediate risk")


class ExplainForm(forms.Form):
    prefix = "explain"
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        label="What explains the change",
        help_text="For example: the vendor's own update of its category lists, ticket 4471.",
    )
