"""What the incidents app holds about a person, for a subject access request (sar.sources): the cases they are
on (as the reviewer may see them, through the chronology's reading) with the report and every timeline entry,
and searches of a pupil's devices."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from safeguarding_portal.accounts import policy
from sar.sources import Passage, Record, Subject, source, text_passages

from . import access, chronology, corrections, searches
from .models import EntryKind, Incident, IncidentStaff, TimelineEntry

# Timeline data worth printing beside an entry's text (what the entry recorded, not the machinery).
_DATA_LABELS = {
    "agency": "Agency",
    "outcome": "Outcome",
    "who": "Who was contacted",
    "method": "How",
    "status": "Status",
    "severity": "Severity",
    "title": "Task",
    "pupil_name": "Pupil",
    "name": "Name",
    "reason": "Reason",
}


def _entry_passage(entry: TimelineEntry) -> Passage:
    lines = [
        f"{label}: {entry.data[key]}"
        for key, label in _DATA_LABELS.items()
        if isinstance(entry.data.get(key), str) and entry.data.get(key)
    ]
    if entry.text:
        lines.append(entry.text)
    label = f"{timezone.localtime(entry.at):%-d %b %Y %H:%M} · {entry.get_kind_display()} · {entry.author_name}"
    return Passage(f"incidents.entry:{entry.pk}", label, "\n".join(lines) or "—")


def _case_record(incident: Incident, entries: list[TimelineEntry], report: list[dict]) -> Record:
    prefix = f"incidents.case:{incident.pk}"
    passages = text_passages(
        prefix,
        [
            (f["name"], f"Report: {f['label']}", str(f["value"] or ""))
            for f in report
            if f["name"] not in ("category", "occurred_at")
        ],
    )
    passages += [_entry_passage(e) for e in entries if e.kind != EntryKind.ALERT]
    return Record(
        prefix, f"Case {incident.reference}: {incident.get_category_display()}", incident.occurred_at, passages
    )


@source("incidents.cases", label="Safeguarding cases and their timelines", order=10)
def cases(*, portal, subject: Subject) -> list[Record]:
    if subject.is_pupil:
        return [
            _case_record(item.incident, item.entries, item.report)
            for item in chronology.pupil_chronology(portal=portal, pupil=subject.pupil)
        ]
    # A member of staff: allegations about them, and cases they are named on, as the reviewer may see them.
    named = IncidentStaff.objects.current().filter(user=subject.staff).values("incident_id")
    found = (
        Incident.objects.filter(access.case_visibility(portal))
        .filter(Q(subject_staff=subject.staff) | Q(pk__in=named))
        .select_related("reported_by")
        .order_by("occurred_at", "pk")
    )
    records = []
    for incident in found:
        entries = corrections.annotate(list(incident.entries.select_related("corrects").order_by("at", "id")))
        reported = next((e for e in entries if e.kind == EntryKind.REPORTED), None)
        records.append(_case_record(incident, entries, corrections.report_fields(incident=incident, reported=reported)))
    return records


@source("incidents.device_searches", label="Searches of the pupil's devices", order=40)
def device_searches(*, portal, subject: Subject) -> list[Record]:
    if not subject.is_pupil or not portal.can(policy.Cap.DEVICE_SEARCHES):
        return []
    found = searches.searches(school=portal.school).filter(pupil=subject.pupil).order_by("searched_at", "pk")
    records = []
    for s in found:
        prefix = f"incidents.search:{s.pk}"
        records.append(
            Record(
                prefix,
                f"Search of {s.device}",
                s.searched_at,
                text_passages(
                    prefix,
                    [
                        ("reason", "Why", s.reason),
                        ("looked_at", "What was looked at", s.looked_at),
                        ("found", "What was found", s.found),
                        ("deleted", "What was deleted", s.deleted_what),
                        ("parents", "Parents", s.parents_note),
                    ],
                ),
            )
        )
    return records
