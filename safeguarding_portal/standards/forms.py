from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .registry import Kind


class TemplateForm(forms.Form):
    """One template of a kind: which one (``key``) and its content as text (the kind parses it)."""

    key = forms.ChoiceField()
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why (for the schools)")

    def __init__(self, *args, kind: Kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["key"].choices = kind.keys()
        self.fields["key"].label = kind.key_label
        self.fields["content"].label = kind.content_label
        self.fields["content"].help_text = kind.content_help

    def clean(self):
        data = super().clean()
        if "key" in data and "content" in data:
            try:
                data["parsed"] = self.kind.parse(data["key"], data["content"])
            except ValidationError as exc:
                self.add_error("content", exc)
        return data
