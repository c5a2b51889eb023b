"""Disposing of training records under the retention schedule (``safeguarding_portal/retention/disposal.py`` has
the design: the sweep, holds, four eyes, tombstones).

A training record is the unit: one course a member of staff or governor completed. It is due the school's period
after the person's last role at the school ended (``Membership.ended_on``; someone still in any role there is
never due). Training records are about staff, not pupils: a pupil's legal hold does not reach them, a hold on the
kind (or on one record, named "TR-<number>") does.

Disposal deletes the uploaded certificate (the file, through the storage API once the transaction commits, and its
name and type, which can carry the person's details) and keeps the skeleton the training figures count: who, which
requirement, the course and provider, when and how many hours. The record is not chained; its tombstone is what
says it was disposed of, when, under which rule and approved by whom.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction

from safeguarding_portal.retention.registry import Due

from .models import TrainingRecord

BLANKED = {"certificate": "", "certificate_name": "", "certificate_type": ""}


def label_of(pk: int) -> str:
    return f"TR-{pk}"


class TrainingDisposal:
    """``retention.registry.Disposal`` for training records (``curriculum.training``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import staff_gone, years_after, years_before

        if not school_ids:
            return []
        cutoff = years_before(today, years)
        records = TrainingRecord.objects.filter(school_id__in=school_ids)
        for ids in excluded:
            records = records.exclude(pk__in=ids)
        standing, left_on = staff_gone(cutoff=cutoff)
        rows = (
            records.exclude(standing)
            .annotate(left=left_on)
            .filter(left__lte=cutoff)
            .order_by()
            .values_list("school_id", "pk", "recorded_at", "left")
        )
        return [
            Due(school_id=sid, record_id=pk, label=label_of(pk), made_at=made, due_on=years_after(left, years))
            for sid, pk, made, left in rows.iterator(chunk_size=5000)
        ]

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        return {}  # about staff: no pupil's hold reaches them

    def find(self, *, school, label: str) -> int | None:
        number = re.fullmatch(r"\s*(?:TR-?)?(\d+)\s*", label, flags=re.IGNORECASE)
        if number is None:
            return None
        return TrainingRecord.objects.filter(school=school, pk=int(number[1])).values_list("pk", flat=True).first()

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank

        record = TrainingRecord.objects.get(pk=record_id, school=school)
        name, storage = record.certificate.name, record.certificate.storage
        tombstone(record, made_at=record.recorded_at)
        blank(record, BLANKED)
        if name:
            # Once the blanking has committed: a rolled-back disposal keeps its file.
            transaction.on_commit(partial(storage.delete, name))
        return 1
