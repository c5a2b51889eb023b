from __future__ import annotations

from typing import cast

from django import forms

from safeguarding_portal.schools.models import Pupil

from .models import HoldReason, HoldScope
from .registry import kinds


class HoldForm(forms.Form):
    scope = forms.ChoiceField(label="The hold covers", choices=HoldScope.choices, widget=forms.RadioSelect)
    pupil = forms.ModelChoiceField(
        label="Pupil",
        queryset=Pupil.objects.none(),
        required=False,
        help_text="For a hold on every record about a pupil (pupils who left included).",
    )
    kind = forms.ChoiceField(
        label="Kind of record", required=False, help_text="For a hold on one record, or on everything of a kind."
    )
    record_label = forms.CharField(
        label="Record reference",
        max_length=100,
        required=False,
        help_text=(
            "For a hold on one record: a case reference (OAK-2026-0042), an agreement's verification code, a "
            "training record (TR-12) or a filtering change (FC-0042), as the disposal review lists them."
        ),
    )
    reason = forms.ChoiceField(label="Reason", choices=HoldReason.choices)
    detail = forms.CharField(
        label="Which inquiry, claim or request",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Its name and reference: the hold is reviewed against it.",
    )
    ends_on = forms.DateField(
        label="Ends on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: until someone lifts it.",
    )

    def __init__(self, *args, school, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pupil = cast(forms.ModelChoiceField, self.fields["pupil"])
        pupil.queryset = Pupil.objects.filter(school=school).order_by("surname", "legal_forename")
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "—"), *[(k.name, k.label) for k in kinds()]]


class LiftForm(forms.Form):
    reason = forms.CharField(label="Why the hold is lifted", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label="Why this record is kept", max_length=500)
