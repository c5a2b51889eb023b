"""Disposing of the filtering log under the retention schedule (``safeguarding_portal/retention/disposal.py`` has
the design: the sweep, holds, four eyes, tombstones).

A change request is the unit, with its risk assessments and its steps in the school's filtering chain. It is due
the school's period after it was made, once it is settled (rejected, refused, or reverted): a change still
awaiting a decision, approved or in force stays, since the filter is set by it and the annual review reads it.

The filtering log is mostly not personal: what was allowed or blocked, for whom, who decided and when. What may
name a pupil is the free text people wrote: the requester's educational reason (a report of an over-block is a
teacher's description), the reasons for a decision, the risk assessments, a revert's note. Disposal blanks those,
in the request, its assessments and the hashed details of its chain events, and keeps the decision skeleton
(action, target, scope, state, who decided, when, vendor references), so the log still reads as a sequence of
decisions and its chain still verifies: each blanked event keeps its hash and links, its tombstone vouching for
it. A request raised from a concern (a site that got through) is about that concern's pupils: a legal hold on
one of them keeps it.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Exists, OuterRef

from incidents.models import IncidentPupil
from safeguarding_portal.retention.registry import Due

from .models import ChangeRequest, FilterEvent, RiskAssessment, State

SETTLED = (State.REJECTED, State.REFUSED, State.REVERTED)
# What a constraint needs non-empty once set (an allow's permanence, an allow longer than asked for) says this.
DISPOSED = "Disposed of under the retention schedule."
# The free text in an event's hashed details (filtering.services): blanked; the rest of the details stay.
FREE_TEXT = ("reason", "permanent_reason", "longer_reason", "assessment", "mitigations", "note", "description")


def _about(held_pupils: Any):
    """The request was raised from a concern about a held pupil."""
    return Exists(
        IncidentPupil.objects.filter(
            incident__school_id=OuterRef("school_id"),
            incident__reference=OuterRef("incident_reference"),
            pupil_id__in=held_pupils,
        )
    )


class FilterLogDisposal:
    """``retention.registry.Disposal`` for the filtering log (``filtering.log``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import years_after, years_before

        if not school_ids:
            return []
        cutoff = years_before(today, years)
        changes = ChangeRequest.objects.filter(
            school_id__in=school_ids, state__in=SETTLED, requested_at__date__lte=cutoff
        )
        for ids in excluded:
            changes = changes.exclude(pk__in=ids)
        rows = changes.exclude(_about(held_pupils))
        return [
            Due(
                school_id=sid,
                record_id=pk,
                label=f"FC-{number:04d}",
                made_at=made,
                due_on=years_after(made.date(), years),
            )
            for sid, pk, number, made in rows.order_by().values_list("school_id", "pk", "number", "requested_at")
        ]

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        refs = ChangeRequest.objects.filter(pk__in=record_ids).exclude(incident_reference="")
        wanted = {(sid, ref): pk for pk, sid, ref in refs.values_list("pk", "school_id", "incident_reference")}
        if not wanted:
            return found
        links = IncidentPupil.objects.filter(
            incident__school_id__in={sid for sid, _ in wanted},
            incident__reference__in={ref for _, ref in wanted},
        ).values_list("incident__school_id", "incident__reference", "pupil_id")
        for sid, ref, pupil_id in links:
            if (sid, ref) in wanted:
                found[wanted[(sid, ref)]].add(pupil_id)
        return found

    def find(self, *, school, label: str) -> int | None:
        number = re.fullmatch(r"\s*(?:FC-?)?(\d+)\s*", label, flags=re.IGNORECASE)
        if number is None:
            return None
        return ChangeRequest.objects.filter(school=school, number=int(number[1])).values_list("pk", flat=True).first()

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of

        change = ChangeRequest.objects.get(pk=record_id, school=school)
        rows = 0
        for event in FilterEvent.objects.filter(change=change).order_by("seq"):
            if not any(key in event.data for key in FREE_TEXT):
                continue  # nothing written by a person: the event stays whole, its own hash intact
            values = {"data": {k: v for k, v in event.data.items() if k not in FREE_TEXT}}
            tombstone(event, residue=residue_of(event, values), made_at=event.at)
            blank(event, values)
            rows += 1
        for assessment in RiskAssessment.objects.filter(change=change):
            tombstone(assessment, made_at=assessment.assessed_at)
            blank(assessment, {"assessment": "", "mitigations": ""})
            rows += 1
        tombstone(change, made_at=change.requested_at)
        blank(
            change,
            {
                "reason": "",
                "decision_reason": "",
                "permanent_reason": DISPOSED if change.permanent_reason else "",
                "longer_reason": DISPOSED if change.longer_reason else "",
            },
        )
        return rows + 1
