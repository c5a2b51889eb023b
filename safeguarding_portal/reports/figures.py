"""Figures other surfaces take from the domain apps' own selectors: each app's ``figures`` module registers
the columns it adds to the trust report, computed by the same selector its home panel and governor section
use (one number, everywhere). The foundations discover them here and import no domain app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    values: dict[int, str]  # school id -> the figure as shown
    rag: dict[int, str]  # school id -> red / amber / green ("" for none)


TrustColumns = Callable[..., list[Column]]
_REGISTERED: list[tuple[int, TrustColumns]] = []


def trust_columns(order: int) -> Callable[[TrustColumns], TrustColumns]:
    """Register ``fn(*, school_ids, start, end, today) -> list[Column]``; columns show in ``order``."""
    def register(fn: TrustColumns) -> TrustColumns:
        if fn not in [f for _, f in _REGISTERED]:
            _REGISTERED.append((order, fn))
        return fn

    return register


def columns_for(*, school_ids: Iterable[int], start: datetime.date, end: datetime.date,
                today: datetime.date) -> list[Column]:
    autodiscover_modules("figures")
    ids = list(school_ids)
    found: list[Column] = []
    for _, fn in sorted(_REGISTERED, key=lambda item: item[0]):
        found += fn(school_ids=ids, start=start, end=end, today=today)
    return found


def rag_percent(percent: int | None, *, green: int = 95, amber: int = 75) -> str:
    if percent is None:
        return ""
    return "green" if percent >= green else ("amber" if percent >= amber else "red")


def as_percent(percent: int | None) -> str:
    return "—" if percent is None else f"{percent}%"
