from __future__ import annotations

import datetime
import uuid

from django import forms
from django.utils import timezone

from safeguarding_portal.accounts.models import User

from . import pupil_reports
from .categories import NO_ATTACHMENT_CATEGORIES, Category, categories_by_four_c
from .models import (
    Agency,
    ConcernType,
    Device,
    DeviceOutcome,
    EntryKind,
    Location,
    PupilRole,
    SearchAuthority,
    SearchGrounds,
    Severity,
    Status,
)

SEARCH_AUTHORITY_CHOICES = SearchAuthority.choices
SEARCH_GROUNDS_CHOICES = SearchGrounds.choices
DEVICE_OUTCOME_CHOICES = DeviceOutcome.choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


YES_NO = [("yes", "Yes"), ("no", "No")]


class ReportForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    immediate_risk = forms.ChoiceField(
        label="Is a child at immediate risk of harm?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether a child is at immediate risk."},
    )
    occurred_at = forms.DateTimeField(
        label="When did it happen (or when did you find out)?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    location = forms.ChoiceField(label="Where?", choices=Location.choices, widget=forms.RadioSelect)
    location_detail = forms.CharField(
        label="Where exactly (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. ICT suite, on the bus, at home"}),
    )
    category = forms.ChoiceField(label="What kind of concern is it?", choices=[("", "Choose the closest match")])
    about_staff = forms.BooleanField(label="This concern is about the conduct of a member of staff", required=False)
    subject_staff = forms.ModelChoiceField(label="Which member of staff?", queryset=User.objects.none(), required=False)
    description = forms.CharField(
        label="What did you see or hear? Use your own words and the child's words where you can.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    others_involved = forms.CharField(
        label="Anyone else involved (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "e.g. a parent, a pupil at another school, an online account name"}
        ),
    )
    staff_involved = forms.ModelMultipleChoiceField(
        label="Staff involved or who witnessed it (optional)", queryset=User.objects.none(), required=False
    )
    device = forms.ChoiceField(label="Which device was used?", choices=Device.choices, widget=forms.RadioSelect)
    device_detail = forms.CharField(
        label="Which one (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. class iPad 12, pupil's own phone"}),
    )
    action_taken = forms.CharField(
        label="What have you already done?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. took the device, reassured the child, told the class teacher"}
        ),
    )
    attachments = MultipleFileField(
        label="Screenshots or documents (optional)",
        required=False,
        help_text="PNG, JPEG, GIF, WebP or PDF, up to 10 MB each, at most 5.",
    )

    def __init__(self, *args, school, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["category"].choices = [("", "Choose the closest match"), *categories_by_four_c()]
        self.fields["subject_staff"].queryset = staff_queryset
        self.fields["staff_involved"].queryset = staff_queryset
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_occurred_at(self) -> datetime.datetime:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError("That time is in the future. When did it happen?")
        if value < timezone.now() - datetime.timedelta(days=366 * 5):
            raise forms.ValidationError("That is more than five years ago. Check the year.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("about_staff") or data.get("category") == Category.STAFF_CONDUCT:
            if not data.get("subject_staff"):
                self.add_error("subject_staff", "Choose the member of staff the concern is about.")
            data["about_staff"] = True
        elif data.get("subject_staff"):
            data["about_staff"] = True
        if data.get("category") in NO_ATTACHMENT_CATEGORIES and data.get("attachments"):
            self.add_error(
                "attachments",
                "Files cannot be attached to this kind of concern. Do not copy or forward "
                "the image: secure the device and tell the DSL.",
            )
        return data


class _CaseForm(forms.Form):
    """The case page shows several forms at once: each gets its own id prefix so labels stay unique."""

    id_prefix = "case"

    template_name_div = "incidents/_case_form_div.html"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        # Bootstrap classes set here so the page can use Django's own rendering: the case page shows six
        # forms, and crispy's per-field templates were almost half of its time.
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class TransitionForm(_CaseForm):
    id_prefix = "transition"
    to = forms.ChoiceField(choices=Status.choices, label="New status")
    text = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(
        label="Outcome (needed to close)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lessons = forms.CharField(label="Lessons learnt", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(_CaseForm):
    id_prefix = "assign"

    to = forms.ModelChoiceField(queryset=User.objects.none(), label="Assign to")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = team


class ClassifyForm(_CaseForm):
    id_prefix = "classify"

    severity = forms.ChoiceField(choices=Severity.choices, label="Risk level")
    concern_type = forms.ChoiceField(
        choices=[c for c in ConcernType.choices if c[0] != ConcernType.UNCLASSIFIED], label="Type of concern"
    )
    text = forms.CharField(label="Reason (needed when the risk level changes)", required=False)


RECORD_CHOICES = [
    (EntryKind.NOTE, "Note"),
    (EntryKind.PARENT_CONTACT, "Parent or carer contacted"),
    (EntryKind.PARENT_NOT_INFORMED, "Decision not to inform parents (with reason)"),
    (EntryKind.REFERRAL, "Referral to an agency"),
    (EntryKind.REFERRAL_OUTCOME, "Outcome from an agency"),
    (EntryKind.NO_REFERRAL, "Decision not to refer (with reason)"),
    (EntryKind.SANCTION, "Sanction under the AUP or behaviour policy"),
    (EntryKind.SUPPORT, "Support offered"),
    (EntryKind.DEVICE_SECURED, "Device secured"),
    (EntryKind.RISK_ASSESSMENT, "Risk assessment"),
    (EntryKind.DEBRIEF, "Debrief or review (lessons learnt)"),
]


class RecordForm(_CaseForm):
    id_prefix = "record"

    kind = forms.ChoiceField(choices=RECORD_CHOICES, label="What are you recording?")
    text = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agency = forms.ChoiceField(choices=[("", "—"), *Agency.choices], required=False, label="Agency")
    reference = forms.CharField(required=False, max_length=100, label="Agency reference")
    outcome = forms.CharField(required=False, max_length=500, label="Agency outcome")
    who = forms.CharField(required=False, max_length=200, label="Who was contacted")
    how = forms.ChoiceField(
        choices=[("", "—"), ("phone", "Phone"), ("in_person", "In person"), ("email", "Email"), ("letter", "Letter")],
        required=False,
        label="How",
    )
    when = forms.DateTimeField(
        required=False,
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    sanction = forms.CharField(
        required=False,
        max_length=200,
        label="Sanction",
        widget=forms.TextInput(attrs={"placeholder": "e.g. internet access suspended for a week"}),
    )

    def entry_data(self) -> dict:
        d = self.cleaned_data
        data = {k: d.get(k) for k in ("agency", "reference", "outcome", "who", "how", "sanction")}
        if d.get("when"):
            data["when"] = d["when"].isoformat()
        return data


class TaskForm(_CaseForm):
    id_prefix = "task"

    title = forms.CharField(max_length=200, label="Task")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Owner")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Due")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class CorrectionForm(_CaseForm):
    id_prefix = "correction"

    entry = forms.IntegerField(widget=forms.HiddenInput)
    field = forms.CharField(max_length=40, initial="text", label="What is wrong")
    value = forms.CharField(label="What it should say", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label="Why (optional)", required=False, max_length=500)


class PupilAddForm(_CaseForm):
    id_prefix = "pupil_add"

    pupil = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=PupilRole.choices, label="Their part")
    text = forms.CharField(label="Why they are added (optional)", required=False, max_length=500)


class PupilChangeForm(_CaseForm):
    """Take a pupil off the case, or change their part: both need a reason."""

    id_prefix = "pupil_change"

    link = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=[("", "—"), *PupilRole.choices], required=False, label="Their part")
    text = forms.CharField(label="Reason", max_length=500)


class PersonForm(_CaseForm):
    """Add a member of staff as involved, or share the case with one: a person of the school and a reason."""

    id_prefix = "person"

    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Member of staff")
    text = forms.CharField(label="Reason", required=False, max_length=500)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class OtherPersonForm(_CaseForm):
    """Someone involved who is neither a pupil on roll nor on the staff: their name and their part."""

    id_prefix = "other"

    name = forms.CharField(label="Name", max_length=150)
    part = forms.CharField(label="Who they are and their part", max_length=300, required=False)


class FurtherInformationForm(forms.Form):
    text = forms.CharField(
        label="What else do you want the safeguarding team to know?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


PUPIL_ROLE_CHOICES = PupilRole.choices


# --- Searching devices ---------------------------------------------------------------------------------------

_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class _PupilField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.surname}, {obj.forename} ({obj.get_year_group_display()})"


class DeviceSearchForm(forms.Form):
    """A search of a pupil's device, in the order the DfE guidance asks for it. Words only: no file field."""

    pupil = _PupilField(queryset=None, label="Whose device was searched?")
    searched_at = forms.DateTimeField(label="When was it searched?", widget=_WHEN, input_formats=_WHEN_FORMATS)
    device = forms.CharField(
        max_length=200,
        label="Which device?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. the pupil's own phone"}),
    )
    authority = forms.ChoiceField(label="Authorised by", choices=SEARCH_AUTHORITY_CHOICES, widget=forms.RadioSelect)
    authorised_by = _PersonField(queryset=None, label="Who authorised the search?")
    searched_by = _PersonField(queryset=None, label="Who searched?")
    witness = _PersonField(queryset=None, required=False, label="Witness (another member of staff)")
    no_witness_reason = forms.CharField(max_length=300, required=False, label="If there was no witness, why not?")
    grounds = forms.ChoiceField(
        label="Grounds for the search", choices=SEARCH_GROUNDS_CHOICES, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="The reason, in your words", widget=forms.Textarea(attrs={"rows": 3}))
    looked_at = forms.CharField(
        label="What was looked at (apps, folders, messages)", widget=forms.Textarea(attrs={"rows": 2})
    )
    found = forms.CharField(
        label="What was found (describe it; never copy, photograph or screenshot it)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    child_at_risk = forms.TypedChoiceField(
        label="Could a child be at risk from what was found?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    case = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="reference",
        label="Link to an existing case (optional)",
        empty_label="No case",
    )
    new_case_category = forms.ChoiceField(
        required=False,
        label="If there is no case yet: what kind of concern is it?",
        help_text="The DSL team gets it as a new case, with you as the reporter.",
    )
    immediate_risk = forms.BooleanField(required=False, label="A child is at immediate risk of harm")
    deleted = forms.TypedChoiceField(
        label="Was any data or file deleted?",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        initial="no",
    )
    deleted_what = forms.CharField(required=False, label="What was deleted", widget=forms.Textarea(attrs={"rows": 2}))
    deletion_reason = forms.CharField(
        required=False, label="Why it was deleted (the good reason)", widget=forms.Textarea(attrs={"rows": 2})
    )
    parents_informed = forms.TypedChoiceField(
        label="Have the parents or carers been informed?",
        choices=[("yes", "Yes"), ("no", "Not yet")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    parents_note = forms.CharField(max_length=300, required=False, label="Who was told, when and how")
    outcome = forms.ChoiceField(
        label="What happened to the device?", choices=DEVICE_OUTCOME_CHOICES, widget=forms.RadioSelect
    )

    def __init__(self, *args, pupils, people, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        for name in ("authorised_by", "searched_by", "witness"):
            self.fields[name].queryset = people
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: f"{c.reference}: {c.get_category_display()}"
        self.fields["new_case_category"].choices = [
            ("", "Choose the closest match"),
            *[
                (label, [(v, lbl) for v, lbl in items if v != Category.STAFF_CONDUCT])
                for label, items in categories_by_four_c()
            ],
        ]

    def clean(self):
        data = super().clean()
        if data.get("child_at_risk") and data.get("deleted"):
            self.add_error("deleted", "Nothing is deleted where a child may be at risk: the search goes to the DSL.")
        if data.get("child_at_risk") and not data.get("case") and not data.get("new_case_category"):
            self.add_error("new_case_category", "Link the case, or say what kind of concern it is for a new one.")
        return data


class DeviceSearchFollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("parents", "Parents informed"), ("outcome", "Device"), ("note", "Note")], widget=forms.HiddenInput
    )
    outcome = forms.ChoiceField(
        required=False,
        label="What happened to the device?",
        choices=[("", "Choose")] + [c for c in DEVICE_OUTCOME_CHOICES if c[0] != "held"],
    )
    text = forms.CharField(required=False, label="Details", widget=forms.Textarea(attrs={"rows": 2}))


# --- A pupil tells someone (incidents.pupil_reports) ---------------------------------------------------------


class PupilTellForm(forms.Form):
    """The pupil's form: short, plain words, no file field. ``website`` is a honeypot: hidden from people (and
    from screen readers), filled in only by bots; a form that fills it is thanked and dropped."""

    about = forms.ChoiceField(
        label="What was it about?",
        widget=forms.RadioSelect,
        choices=[(key, label) for key, label, _category in pupil_reports.ABOUT],
        # Said plainly, as the page promises who reads it: an adult at school is not the safeguarding team's to read.
        help_text="If it's about an adult at school, the headteacher reads it instead "
        "(or the chair of governors, if it's about the headteacher).",
        error_messages={"required": "Choose what it was about (pick “Something else” if you're not sure)."},
    )
    description = forms.CharField(
        label="What happened?",
        max_length=pupil_reports.MAX_DESCRIPTION,
        help_text="Write it in your own words. You don't have to give names if you don't want to. "
        "Please don't send pictures or screenshots.",
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "true"}),
        error_messages={"required": "Tell us what happened, in a few words is fine."},
    )
    when = forms.ChoiceField(
        label="When did it happen, roughly?",
        widget=forms.RadioSelect,
        choices=[(key, label) for key, label, _ago in pupil_reports.WHEN],
        error_messages={"required": "Choose roughly when (pick “I'm not sure” if you don't know)."},
    )
    still_happening = forms.ChoiceField(
        label="Is it still happening?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No"), ("unsure", "I'm not sure")],
    )
    name = forms.CharField(
        label="Your name and form or year (optional)",
        required=False,
        max_length=pupil_reports.MAX_NAME,
        help_text="Leave this empty to tell us without saying who you are.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)

    def still_happening_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("still_happening") or "")


class PupilAcceptForm(_CaseForm):
    id_prefix = "pupil_accept"
    category = forms.ChoiceField(
        label="Category",
        choices=[c for c in Category.choices if c[0] != Category.STAFF_CONDUCT],
        help_text="The pupil's own choice is kept on the timeline.",
    )
    text = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, allegation: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if allegation:
            # About an adult at school: accepted as the allegation it is (pupil_reports.pupil_report_accept).
            category = self.fields["category"]
            category.choices = [(Category.STAFF_CONDUCT, Category.STAFF_CONDUCT.label)]
            category.help_text = "A pupil's report about an adult at school is an allegation about staff."


class PupilDismissForm(_CaseForm):
    id_prefix = "pupil_dismiss"
    reason_kind = forms.ChoiceField(label="Why dismiss it", choices=pupil_reports.DismissReason.choices)
    reason = forms.CharField(
        label="Reason (recorded on the timeline)", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
