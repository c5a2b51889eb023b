"""Reading a school's retention schedule: each registered kind with the school's period or the default."""

from __future__ import annotations

from dataclasses import dataclass

from .models import RetentionPeriod
from .registry import RecordKind, kinds


@dataclass
class Entry:
    kind: RecordKind
    years: int
    period: RetentionPeriod | None  # the school's own setting, if it has changed this kind

    @property
    def is_default(self) -> bool:
        return self.years == self.kind.years


def schedule(*, school) -> list[Entry]:
    saved = {p.kind: p for p in RetentionPeriod.objects.filter(school=school).select_related("changed_by")}
    return [
        Entry(kind=k, years=saved[k.name].years if k.name in saved else k.years, period=saved.get(k.name))
        for k in kinds()
    ]


def schedules(*, school_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each school's periods that it has set itself, for many schools in one query."""
    found: dict[int, dict[str, int]] = {sid: {} for sid in school_ids}
    for school_id, kind, years in RetentionPeriod.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "kind", "years"
    ):
        found[school_id][kind] = years
    return found


def holds(*, school):
    from .models import LegalHold

    return LegalHold.objects.filter(school=school).select_related("pupil", "placed_by", "lifted_by")


def batches(*, school):
    from django.db.models import Count, Q

    from .models import DisposalBatch, ItemOutcome

    return DisposalBatch.objects.filter(school=school).annotate(
        listed=Count("items", filter=Q(items__outcome=ItemOutcome.LISTED)),
        disposed=Count("items", filter=Q(items__outcome=ItemOutcome.DISPOSED)),
        held=Count("items", filter=Q(items__outcome=ItemOutcome.HELD)),
        removed=Count("items", filter=Q(items__outcome=ItemOutcome.REMOVED)),
    )


def tombstones(*, batch):
    """What is left of the batch's records: one line per record (a case, an agreement...), its own tombstone, with
    its rows counted. A record's own row is the one with the item's id, tombstoned after its parts (the last)."""
    from django.db.models import Count, Exists, Max, OuterRef

    from .models import DisposalItem, Tombstone

    rows = Tombstone.objects.filter(batch=batch)
    counts = {
        (kind, label): n
        for kind, label, n in rows.order_by()
        .values("kind", "record_label")
        .annotate(n=Count("pk"))
        .values_list("kind", "record_label", "n")
    }
    own = rows.filter(
        Exists(DisposalItem.objects.filter(batch=batch, kind=OuterRef("kind"), record_id=OuterRef("record_id")))
    )
    last = own.order_by().values("kind", "record_label").annotate(last=Max("pk")).values("last")
    heads = list(rows.filter(pk__in=last).order_by("kind", "record_label"))
    for t in heads:
        t.rows = counts.get((t.kind, t.record_label), 1)
    return heads
