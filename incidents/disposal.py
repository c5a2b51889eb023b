"""Disposing of child protection records under the retention schedule (``safeguarding_portal/retention/disposal.py``
has the design: the sweep, holds, four eyes, tombstones).

A case is the unit: it is due when its youngest pupil (of every pupil ever on it) reaches the school's period
after their date of birth, or, for a case about no pupil, that period after it was reported. Only closed cases
are listed. Disposal blanks the personal content of the case (what was reported), of every entry of its
timeline (the text, and the details except a status change's from/to, which the case's status projection is
checked against), the names of others involved and its attachments (the file is deleted once the transaction
commits); the links, dates, kinds and ids stay, each blanked row with its tombstone.

What else the case reaches goes with it, so that nothing of the child is left reachable from the case:

* Its pupils. The links (``IncidentPupil``) are deleted: the hold logic reads them only before disposal (a pupil's
  hold keeps the case off the list and ``pupils_of`` checks again item by item); once disposed, the case is never
  listed again (``retention.disposal._taken``), so nothing needs to know which pupils it was about, and a link
  kept would name the child on the case page, the pupil's chronology and the next transfer bundle.
* Its device searches (chained, append-only): the search's words, device and pupil are blanked, its entries' text
  too, each with its tombstone; who authorised, searched and witnessed, the grounds, the outcome and the dates
  stay (the governors' counts read them).
* The CP file PDFs and signed transfer bundles produced for its pupils since it was reported (each holds the
  case's content): the stored files are deleted once the transaction commits, and the transfer record keeps when
  it was produced, sent and confirmed and to which school, not its notes, contact or who signed for it. A bundle
  already received by another school is that school's record now, under its own schedule.
* Its tasks' titles. A procedure step's text is the school's procedure (the same words on every case of its
  category), not what happened, and stays; so do the staff involved and shared with (staff, not the child).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Value, When

from safeguarding_portal.retention.registry import Due

from .models import (
    Attachment,
    CaseTask,
    CPFileTransfer,
    DeviceSearch,
    DeviceSearchEntry,
    EntryKind,
    Incident,
    IncidentOther,
    IncidentPupil,
    Status,
    TimelineEntry,
    TransferBundle,
)

# A pupil who told us gave their name (raised_by_name): personal content like the rest of the report.
INCIDENT_BLANKED = {
    "description": "",
    "action_taken": "",
    "others_involved": "",
    "location_detail": "",
    "device_detail": "",
    "raised_by_name": "",
}


# Words a database constraint needs non-empty (a deletion says what, a search without a witness says why): the
# words go, the constraint still holds.
DISPOSED_WORDS = "(disposed of)"
# Who signed for a confirmed file is required (a constraint): their name goes, the confirmation stays.
TRANSFER_BLANKED = {
    "pdf": "",
    "receiving_contact": "",
    "notes": "",
    "confirmed_by_name": Case(When(confirmed_at__isnull=False, then=Value(DISPOSED_WORDS)), default=Value("")),
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
        CaseTask.objects.filter(incident=incident).update(title="")
        rows += self._dispose_searches(incident, tombstone)
        rows += self._dispose_transfers(incident)
        # Last: the transfers above are found through the pupils the case was about.
        IncidentPupil.objects.filter(incident=incident).delete()
        tombstone(incident, made_at=incident.reported_at)
        blank(incident, INCIDENT_BLANKED)
        return rows + 1

    @staticmethod
    def _dispose_searches(incident: Incident, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of

        rows = 0
        for search in DeviceSearch.objects.filter(incident=incident).order_by("seq"):
            for entry in DeviceSearchEntry.objects.filter(search=search).order_by("seq"):
                blanked = {"text": ""}
                tombstone(entry, residue=residue_of(entry, blanked), made_at=entry.at)
                blank(entry, blanked)
                rows += 1
            values: dict[str, Any] = {
                "pupil": None,
                "device": "",
                "reason": "",
                "looked_at": "",
                "found": "",
                "no_witness_reason": DISPOSED_WORDS if search.no_witness_reason else "",
                "deleted_what": DISPOSED_WORDS if search.deleted_what else "",
                "deletion_reason": DISPOSED_WORDS if search.deletion_reason else "",
                "parents_note": "",
            }
            tombstone(search, residue=residue_of(search, values), made_at=search.recorded_at)
            blank(search, values)
            rows += 1
        return rows

    @staticmethod
    def _dispose_transfers(incident: Incident) -> int:
        """The CP files (and their bundles) of the case's pupils produced since the case was reported: each
        holds the case. Not append-only tables (the models refuse delete(); nothing refuses this update)."""
        pupils = IncidentPupil.objects.filter(incident=incident).values("pupil_id")
        transfers = list(
            CPFileTransfer.objects.filter(
                school_id=incident.school_id, pupil_id__in=pupils, produced_at__gte=incident.reported_at
            )
        )
        bundles = list(TransferBundle.objects.filter(transfer__in=transfers))
        files = [f for t in transfers for f in (t.pdf,) if f.name]
        files += [f for b in bundles for f in (b.file, b.encrypted_file) if f.name]
        CPFileTransfer.objects.filter(pk__in=[t.pk for t in transfers]).update(**TRANSFER_BLANKED)
        TransferBundle.objects.filter(pk__in=[b.pk for b in bundles]).update(
            file="", encrypted_file="", downloaded_ip=None
        )
        for f in files:
            # Once the blanking has committed: a rolled-back disposal keeps its files.
            transaction.on_commit(partial(f.storage.delete, f.name))
        return len(transfers) + len(bundles)
