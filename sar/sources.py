"""What the portal holds about a person, gathered for a subject access request.

A domain app declares its part in ``<app>/sar_sources.py`` (found at start-up, like reminders)::

    from sar.sources import Passage, Record, source

    @source("monitoring.alerts", label="Monitoring alerts", order=30)
    def alerts(*, portal, subject) -> list[Record]:
        ...

Each function gets the reviewer's ``portal`` (so it reads through the app's own selectors and visibility
rules) and the ``Subject`` (a pupil or a member of staff) and returns records. A record is a heading and its
passages; every passage has a key that stays the same from one gathering to the next, so the DSL's redaction
marks (which name keys) apply to the disclosure built later.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from safeguarding_portal.core import plugins


@dataclass(frozen=True)
class Subject:
    pupil: object | None = None  # schools.Pupil
    staff: object | None = None  # accounts.User

    @property
    def is_pupil(self) -> bool:
        return self.pupil is not None


def anchor(key: str) -> str:
    """An HTML id for a key ("incidents.entry:4/text" -> "p-incidents-entry-4-text")."""
    return "p-" + "".join(ch if ch.isalnum() else "-" for ch in key)


@dataclass
class Passage:
    key: str
    label: str
    text: str

    @property
    def anchor(self) -> str:
        return anchor(self.key)


@dataclass
class Record:
    key: str
    title: str
    at: datetime.datetime | datetime.date | None
    passages: list[Passage] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.key)


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    order: int
    fn: Callable[..., list[Record]]


def source(name: str, *, label: str, order: int = 50):
    """Declare a function of an app's ``sar_sources.py`` as what that app holds about a person (core.plugins kind
    ``sar_source``, discovered like every other plug-in)."""

    def register(fn: Callable[..., list[Record]]) -> Callable[..., list[Record]]:
        plugins.register("sar_source", name, Source(name, label, order, fn), order=order)
        return fn

    return register


def sources() -> list[Source]:
    """Every app's sources, in their declared order."""
    return list(plugins.values("sar_source"))


def text_passages(prefix: str, fields: list[tuple[str, str, str]]) -> list[Passage]:
    """Passages from (name, label, text) triples, leaving out empty ones."""
    return [Passage(f"{prefix}/{name}", label, text) for name, label, text in fields if (text or "").strip()]
