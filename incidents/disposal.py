"""Disposing of child protection records under the retention schedule (``safeguarding_portal/retention/disposal.py``
has the design: the sweep, holds, four eyes, tombstones).

A case is the unit: it is due when its youngest pupil (of every pupil ever on it) reaches the school's period
after their date of birth, or, for a case about no pupil, that period after it was reported. Only closed cases
are listed. Disposal blanks the personal content of the case (what was reported), of every entry of its
timeline (the text, and the details except a status change's from/to, which the case's status projection is
checked against), the names of others involved and its attachments (the file is deleted once the transaction
commits); the links, dates, kinds and ids stay, each blanked row with its tombstone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q

from safeguarding_portal.retention.registry import Due

from .models import Attachment, EntryKind, Incident, IncidentOther, IncidentPupil, Status, TimelineEntry

# A pupil who told us gave their name (raised_by_name): personal content like the rest of the report.
INCIDENT_BLANKED = {
    "description": "",
    "action_taken": "",
    "others_involved": "",
    "location_detail": "",
    "device_detail": "",
    "raised_by_name": "",
}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    from safeguarding_portal.retention.disposal import years_before

    return years_before(day, years)


class CaseDisposal:
    """``retention.registry.Disposal`` for child protection records (``incidents.cp_records``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import years_after

        if not school_ids:
            return []
        cutoff = _years_before(today, years)
        cases = Incident.objects.filter(school_id__in=school_ids, status=Status.CLOSED)
        for ids in excluded:
            cases = cases.exclude(pk__in=ids)
        rows = (
            cases.exclude(Exists(IncidentPupil.objects.filter(incident=OuterRef("pk"), pupil_id__in=held_pupils)))
            .annotate(youngest=Max("pupil_links__pupil__date_of_birth"))
            .filter(Q(youngest__lte=cutoff) | Q(youngest__isnull=True, reported_at__date__lte=cutoff))
            .order_by()
            .values_list("school_id", "pk", "reference", "reported_at", "youngest")
        )
        return [
            Due(
                school_id=sid,
                record_id=pk,
                label=reference,
                made_at=reported_at,
                due_on=years_after(youngest or reported_at.date(), years),
            )
            for sid, pk, reference, reported_at, youngest in rows.iterator(chunk_size=5000)
        ]

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for incident_id, pupil_id in IncidentPupil.objects.filter(incident_id__in=record_ids).values_list(
            "incident_id", "pupil_id"
        ):
            found[incident_id].add(pupil_id)
        return found

    def find(self, *, school, label: str) -> int | None:
        return (
            Incident.objects.filter(school=school, reference__iexact=label.strip()).values_list("pk", flat=True).first()
        )

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of

        incident = Incident.objects.get(pk=record_id, school=school)
        rows = 0
        for entry in TimelineEntry.objects.filter(incident=incident).order_by("seq"):
            kept = (
                {k: entry.data[k] for k in ("from", "to") if k in entry.data} if entry.kind == EntryKind.STATUS else {}
            )
            values = {"text": "", "data": kept}
            tombstone(entry, residue=residue_of(entry, values), made_at=entry.at)
            blank(entry, values)
            rows += 1
        for attachment in Attachment.objects.filter(incident=incident):
            tombstone(attachment, made_at=attachment.uploaded_at)
            name, storage = attachment.file.name, attachment.file.storage
            blank(attachment, {"file": "", "original_name": ""})
            if name:
                # Once the blanking has committed: a rolled-back disposal keeps its file.
                transaction.on_commit(partial(storage.delete, name))
            rows += 1
        # Not an append-only table: who else was involved is kept by the timeline, which is blanked above.
        IncidentOther.objects.filter(incident=incident).update(name="", part="")
        tombstone(incident, made_at=incident.reported_at)
        blank(incident, INCIDENT_BLANKED)
        return rows + 1
