"""The duty app's figures every surface shows (governor report, trust report): Operation Encompass
notifications and how many were seen before the next school day, and AI tools assessed. One school or a
whole trust in the same few queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from safeguarding_portal.reports.figures import Column, as_percent, rag_percent, trust_columns
from safeguarding_portal.reports.privacy import small_share

from . import ai, encompass


@dataclass(frozen=True)
class EncompassFigures:
    notifications: int = 0
    seen_in_time: int = 0  # acknowledged before the start of the next school day

    @property
    def percent(self) -> int | None:
        return round(100 * self.seen_in_time / self.notifications) if self.notifications else None


def encompass_figures(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, EncompassFigures]:
    ids = list(school_ids)
    return {
        sid: EncompassFigures(*pair) for sid, pair in encompass.figures(school_ids=ids, start=start, end=end).items()
    }


def ai_tools_assessed(*, school_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """AI tools on the register and how many are assessed, approved and refused (no child in them)."""
    return ai.figures(school_ids=school_ids)


@trust_columns(order=50)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    enc = encompass_figures(school_ids=school_ids, start=start, end=end)
    tools = ai_tools_assessed(school_ids=school_ids)
    return [
        # A count of police notifications is a count of children's families: "fewer than 3" when small.
        Column(
            "encompass",
            "Police notifications seen before the next school day",
            {
                sid: (small_share(f.seen_in_time, f.notifications) if f.notifications else "None")
                for sid, f in enc.items()
            },
            {sid: rag_percent(f.percent, green=100, amber=90) for sid, f in enc.items()},
        ),
        Column(
            "ai_tools",
            "AI tools assessed",
            {sid: f"{t['assessed']} of {t['total']}" if t["total"] else "None registered" for sid, t in tools.items()},
            {
                sid: ("" if not t["total"] else "green" if t["assessed"] == t["total"] else "amber")
                for sid, t in tools.items()
            },
        ),
    ]


__all__ = ["EncompassFigures", "ai_tools_assessed", "as_percent", "encompass_figures"]
