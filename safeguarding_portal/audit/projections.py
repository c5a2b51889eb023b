"""Checks that the state the pages read agrees with the chains it is a projection of.

A few columns are kept beside a chain so that pages and lists can filter on them (a case's status, a child's
current photo consents). The database triggers cannot tell the service that keeps them from someone typing an
UPDATE, so each app registers a check here that recomputes its projection from the chain and names every row
that differs; ``manage.py verify_chains`` runs them all after the chains themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from safeguarding_portal.core import plugins


@dataclass(frozen=True)
class Mismatch:
    record: str  # how a person finds it: "case OAK-2026-0042", "pupil 17's consent 'press'"
    field: str
    stored: object
    from_chain: object

    def __str__(self) -> str:
        return f"{self.record}: {self.field} is {self.stored!r} but the chain says {self.from_chain!r}"


@dataclass(frozen=True)
class Check:
    label: str  # "case status and sharing"
    agrees_with: str  # "the timelines"
    run: Callable[[], Iterable[Mismatch]]


# Kind ``projection_check`` of core.plugins, discovered in every app's ``integrity.py`` on first use.
CHECKS = plugins.KindView("projection_check")


def register(
    name: str,
    *,
    label: str,
    agrees_with: str,
    run: Callable[[], Iterable[Mismatch]],
    order: int = plugins.DEFAULT_ORDER,
) -> None:
    """Called at the end of a domain app's ``integrity.py``: foundations never import the domain apps."""
    plugins.register("projection_check", name, Check(label, agrees_with, run), order=order)
