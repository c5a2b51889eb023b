"""Corrections that point at exactly what they correct: one field of the report, of a timeline entry, or a
pupil's part in the case. The original is never changed; the page, the chronology and the PDFs strike
through only that field and show the correction beside it.

A CORRECTION entry's ``data`` holds ``field`` (a key below, or "pupil:<id>" for a pupil's part), ``was`` and
``now``; its ``text`` is why. Its ``corrects`` is the entry that recorded the original (the report's own
REPORTED entry for the report's fields).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .categories import Category
from .models import Agency, Device, EntryKind, Incident, Location, TimelineEntry

# The report's fields a correction may point at, in the order the report shows them.
REPORT_FIELDS: dict[str, str] = {
    "category": "Category",
    "occurred_at": "When it happened",
    "location": "Where",
    "location_detail": "Where, in detail",
    "description": "What was seen or said",
    "device": "Device",
    "device_detail": "Device, in detail",
    "action_taken": "What the reporter had already done",
    "others_involved": "Others involved",
}
# An entry's own fields: its text, and the structured details some kinds carry.
ENTRY_FIELDS: dict[str, str] = {
    "text": "Text",
    "agency": "Agency",
    "when": "When",
    "who": "Who was contacted",
    "how": "How",
    "reference": "Agency reference",
    "outcome": "Outcome",
    "sanction": "Sanction",
}
CHOICES = {"category": Category, "location": Location, "device": Device, "agency": Agency}
NOT_CORRECTABLE = {EntryKind.CORRECTION, EntryKind.ALERT, EntryKind.STEP_DONE}


def fields_of(entry: TimelineEntry) -> dict[str, str]:
    """What a correction of ``entry`` may point at."""
    if entry.kind in NOT_CORRECTABLE:
        return {}
    if entry.kind == EntryKind.REPORTED:
        return dict(REPORT_FIELDS)
    present = {k: v for k, v in ENTRY_FIELDS.items() if k != "text" and entry.data.get(k)}
    return ({"text": ENTRY_FIELDS["text"]} if entry.text else {}) | present


def current_value(*, incident: Incident, entry: TimelineEntry, name: str) -> str:
    if entry.kind == EntryKind.REPORTED:
        value = getattr(incident, name)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        return str(value or "")
    return entry.text if name == "text" else str(entry.data.get(name, ""))


def clean_value(name: str, value: str) -> str:
    """The corrected value, checked as the original field would be."""
    value = value.strip()
    if not value and name not in ("location_detail", "device_detail", "action_taken", "others_involved"):
        raise ValidationError({"value": "Give the correct value."})
    if name in CHOICES and value not in CHOICES[name].values:
        raise ValidationError({"value": "Choose one of the listed values."})
    if name == "category" and value == Category.STAFF_CONDUCT:
        raise ValidationError({"value": "An allegation about staff goes to the headteacher: report it as one."})
    if name in ("occurred_at", "when"):
        moment = parse_datetime(value)
        if moment is None:
            raise ValidationError({"value": "Give a date and time."})
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if name == "occurred_at" and moment > timezone.now():
            raise ValidationError({"value": "That time is in the future."})
    return value


def display(name: str, value: str) -> str:
    """A stored value as the page shows it."""
    if name in CHOICES and value in CHOICES[name].values:
        return str(CHOICES[name](value).label)
    if name in ("occurred_at", "when"):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%-d %b %Y %H:%M")
    return value


@dataclass
class Corrected:
    """The latest correction of one field, for the templates."""

    entry: TimelineEntry
    label: str
    was: str
    now: str


@dataclass
class EntryCorrections:
    by_field: dict[str, Corrected] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def __getitem__(self, name: str) -> Corrected | None:
        return self.by_field.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field


def annotate(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Set ``e.field_corrections`` on each entry (which of its fields were corrected, by which later entry),
    reading only the entries given: the case page and the chronology already hold all of a case's."""
    by_id = {e.pk: e for e in entries}
    for e in entries:
        e.field_corrections = EntryCorrections()
        # The report's own fields are corrected from the report's section of the page, not the timeline.
        e.correctable_fields = {} if e.kind == EntryKind.REPORTED else fields_of(e)
    for e in entries:
        if e.kind != EntryKind.CORRECTION or e.corrects_id not in by_id:
            continue
        name = e.data.get("field", "text")  # corrections made before fields were named corrected the text
        target = by_id[e.corrects_id]
        label = REPORT_FIELDS.get(name) or ENTRY_FIELDS.get(name) or e.data.get("label", name)
        target.field_corrections.by_field[name] = Corrected(
            e, label, display(name, str(e.data.get("was", ""))), display(name, str(e.data.get("now", e.text)))
        )
    return entries


def report_fields(*, incident: Incident, reported: TimelineEntry | None) -> list[dict]:
    """The report as the page shows it: each field's value as reported and, if corrected, the correction."""
    corrections = getattr(reported, "field_corrections", None) or EntryCorrections()
    original_category = (reported.data.get("category") if reported is not None else None) or incident.category
    rows = []
    for name, label in REPORT_FIELDS.items():
        corrected = corrections[name]
        if name == "category":
            value = display(name, corrected.was if corrected else original_category)
        elif corrected:
            value = corrected.was
        else:
            value = display(name, current_value(incident=incident, entry=reported, name=name)) if reported else ""
        rows.append({"name": name, "label": label, "value": value, "corrected": corrected})
    return rows
