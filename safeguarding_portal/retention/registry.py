"""The kinds of record the portal keeps and how long each is kept by default (issue 17, section 2).

The foundation imports no domain app: each app declares its own kinds in ``<app>/retention_kinds.py``::

    register(RecordKind(name="incidents.cp_records", label="Child protection records", trigger=Trigger.BIRTH,
                        years=25, source="IRMS toolkit for schools: ..."))

A kind's period counts from one event (its ``trigger``), fixed by what the record is; a school may change only
the number of years (``RetentionPeriod``). This is the schedule only: nothing here disposes of anything.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def trigger_words(self) -> str:
        return Trigger(self.trigger).label


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
