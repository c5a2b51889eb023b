"""The kinds of record the portal keeps and how long each is kept by default (issue 17, section 2).

The foundation imports no domain app: each app declares its own kinds in ``<app>/retention_kinds.py``::

    register(RecordKind(name="incidents.cp_records", label="Child protection records", trigger=Trigger.BIRTH,
                        years=25, source="IRMS toolkit for schools: ..."))

A kind's period counts from one event (its ``trigger``), fixed by what the record is; a school may change only
the number of years (``RetentionPeriod``). A kind whose records the portal can dispose of also names its
``disposal`` (a ``Disposal``): which records are due, which pupils each is about, and how one is blanked. The
sweep, the holds, the four-eyes approval and the tombstones are ``disposal.py``'s, the same for every kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models

from safeguarding_portal.core import plugins

MIN_YEARS, MAX_YEARS = 1, 100


class Trigger(models.TextChoices):
    BIRTH = "birth", "the pupil's date of birth"
    LEFT = "left", "leaving the school (a pupil off roll, a member of staff gone)"
    MADE = "made", "the date the record was made"


@dataclass(frozen=True)
class RecordKind:
    name: str  # "<app>.<what>", stored on a school's period
    label: str  # "Child protection records"
    trigger: str  # a Trigger
    years: int  # the default period
    covers: str = ""  # which records, in words, for the school's page
    source: str = ""  # where the default comes from, shown on the page
    disposal: Disposal | None = None  # how the portal disposes of these records (none yet: the schedule only)

    @property
    def trigger_words(self) -> str:
        return Trigger(self.trigger).label


@dataclass(frozen=True)
class Due:
    """A record due for disposal, as the sweep lists it: nothing of its content, no name."""

    school_id: int
    record_id: int
    label: str  # how the school finds it: a case reference
    made_at: datetime.datetime
    due_on: datetime.date


class Disposal(Protocol):
    """What a domain app tells the disposal machinery about one kind of record (see ``disposal.py``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        """Records of these schools (which keep the kind ``years``) due on ``today``, in set-based queries: not
        those whose ids are in any of the ``excluded`` subqueries, nor any about a pupil in ``held_pupils``."""

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        """Which pupils each record is about (a pupil's legal hold keeps them)."""

    def find(self, *, school, label: str) -> int | None:
        """The record the school names ``label`` (a case reference), for a legal hold on one record."""

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        """Blank the record's personal content: for every row blanked, first ``tombstone(row, residue=...)``
        then ``disposal.blank(row, values)``, the record's own row last (the review page shows the last tombstone
        of each record as the record's). Returns the number of rows blanked."""


# Kind ``retention_kind`` of core.plugins, discovered in every app's ``retention_kinds.py`` on first use.
KINDS = plugins.KindView("retention_kind")


def register(kind: RecordKind) -> RecordKind:
    if not MIN_YEARS <= kind.years <= MAX_YEARS:
        raise ValueError(f"{kind.name}: a default of {kind.years} years is out of range.")
    return plugins.register("retention_kind", kind.name, kind)


def kinds() -> list[RecordKind]:
    """In a fixed order (by label), so the page and the template's text come out the same every time."""
    return sorted(KINDS.values(), key=lambda k: k.label)


def defaults() -> dict[str, int]:
    return {k.name: k.years for k in KINDS.values()}
