"""Disposing of old audit events under the retention schedule (``safeguarding_portal/retention/disposal.py`` has
the design: the sweep, holds, four eyes, tombstones). A foundation: it imports no domain app.

What is disposed of, and why
============================

The audit log is itself a hash chain per school, so an event is never deleted: a hole would break every later
link, and the log would stop proving that nothing was taken out. An event older than the school's period (six
years by default: ``retention_kinds.py``) keeps its place in the chain (links, hash), its time, who acted (the
account and the address it had: staff, whose accountability is the log's purpose), the school, the action and the
kind of record it was about. What goes is the personal detail around it: the IP address and the browser's user
agent (which identify a person's device and whereabouts), the summary and the details (free text that can name a
pupil: "CP file produced for pupil ..."), and, for an event about a pupil, which pupil. Each event gets its
tombstone first, whose residue lets ``audit.chain.verify`` check what is left; writing into it later is a break.

Never disposed of, whatever their age: the events of the retention machinery itself (``retention.*``: a schedule
changed, a hold placed or lifted, a batch listed, an item taken off, an approval, a disposal). They are the only
evidence that a disposal was lawful (who approved it, under which rule, what a hold kept), and they are what a
tombstone's ``approved_by`` is checked against; disposing of them would let a disposal erase its own trail. The
tombstones are not audit events (they are their own chain, ``retention.Tombstone``) and have no ``Disposal``, so no
sweep ever lists them. A pupil's legal hold keeps the events about that pupil.

Events with no school (the "global" chain: sign-ins before a school is chosen, failures for unknown accounts) are
not listed: the schedule and the four-eyes approval are a school's, and no school can approve another's records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from safeguarding_portal.retention.registry import Due

from .models import AuditEvent

PUPIL_OBJECT = "schools.pupil"
NEVER_DISPOSED_PREFIX = "retention."
BLANKED: dict[str, Any] = {"ip": None, "user_agent": "", "summary": "", "detail": {}}


def label_of(pk: int) -> str:
    return f"AUD-{pk}"


class AuditDisposal:
    """``retention.registry.Disposal`` for the audit log (``audit.log``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import years_after, years_before

        if not school_ids:
            return []
        events = AuditEvent.objects.filter(school_id__in=school_ids, at__date__lte=years_before(today, years)).exclude(
            action__startswith=NEVER_DISPOSED_PREFIX
        )
        # The few pupils under a hold, as the text the log stores their ids in.
        held = [str(pk) for pk in held_pupils.values_list("pupil_id", flat=True)]
        if held:
            events = events.exclude(object_type=PUPIL_OBJECT, object_id__in=held)
        for ids in excluded:
            events = events.exclude(pk__in=ids)
        rows = events.order_by().values_list("school_id", "pk", "at")
        return [
            Due(school_id=sid, record_id=pk, label=label_of(pk), made_at=at, due_on=years_after(at.date(), years))
            for sid, pk, at in rows.iterator(chunk_size=5000)
        ]

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for pk, object_id in AuditEvent.objects.filter(pk__in=record_ids, object_type=PUPIL_OBJECT).values_list(
            "pk", "object_id"
        ):
            if object_id.isdigit():
                found[pk].add(int(object_id))
        return found

    def find(self, *, school: Any, label: str) -> int | None:
        number = label.strip().upper().removeprefix("AUD-")
        if not number.isdigit():
            return None
        return AuditEvent.objects.filter(school=school, pk=int(number)).values_list("pk", flat=True).first()

    def dispose(self, *, school: Any, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of

        event = AuditEvent.objects.get(pk=record_id, school=school)
        if event.action.startswith(NEVER_DISPOSED_PREFIX):  # never listed; refused here too
            return 0
        values: dict[str, Any] = dict(BLANKED)
        if event.object_type == PUPIL_OBJECT:
            values["object_id"] = ""
        tombstone(event, residue=residue_of(event, values), made_at=event.at)
        blank(event, values)
        return 1
