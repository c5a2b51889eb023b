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
    return [Entry(kind=k, years=saved[k.name].years if k.name in saved else k.years, period=saved.get(k.name))
            for k in kinds()]


def schedules(*, school_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each school's periods that it has set itself, for many schools in one query."""
    found: dict[int, dict[str, int]] = {sid: {} for sid in school_ids}
    for school_id, kind, years in RetentionPeriod.objects.filter(school_id__in=school_ids).values_list(
            "school_id", "kind", "years"):
        found[school_id][kind] = years
    return found
