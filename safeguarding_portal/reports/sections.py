"""The governor report's sections: each domain app registers its own (kind ``report_section``, in
``<app>/report.py``) with its place (``order``), title and the standards its records evidence.

A section's ``build(*, school, start, end) -> dict`` follows the contract in the developer guide. A section
registered without ``build`` (not built yet) still gets its place in the report, marked "not yet recorded in
the portal", and the standards it would evidence show as gaps: governors must see what is missing rather than a
shorter report that looks complete.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from safeguarding_portal.core import plugins

from .standards import STANDARD_KEYS, STANDARDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    # The standards this app's records evidence: shown as gaps while the section is not built.
    standards: tuple[str, ...]
    what_to_record: str
    build: Callable[..., dict] | None = None


NOT_RECORDED = "Not yet recorded in the portal"
REQUIRED_KEYS = ("title", "anchor", "template", "summary", "evidence", "actions")


def missing_section(slot: Section) -> dict:
    titles = {s.key: s.title for s in STANDARDS}
    return {
        "title": slot.title,
        "anchor": slot.anchor,
        "template": "reports/pdf/_missing_section.html",
        "missing": True,
        "what_to_record": slot.what_to_record,
        "summary": [{"label": slot.title, "value": NOT_RECORDED, "rag": "red"}],
        "evidence": [],
        "gap_standards": [titles[k] for k in slot.standards],
        "actions": [
            f"Ask the school to record {slot.what_to_record} in the portal, so the next report can evidence them."
        ],
    }


def _checked(section: dict, slot: Section, app: str) -> dict:
    absent = [k for k in REQUIRED_KEYS if k not in section]
    if absent:
        raise ValueError(f"{app}.report.governor_section() returned no {', '.join(absent)}")
    evidence = []
    for item in section["evidence"]:
        if item.get("standard") not in STANDARD_KEYS:
            log.warning("%s section: evidence for unknown standard %r left out", app, item.get("standard"))
            continue
        evidence.append(item)
    for item in section["summary"]:
        if item.get("rag") not in ("red", "amber", "green"):
            item["rag"] = "amber"
    return {**section, "evidence": evidence, "app": app, "missing": False}


def collect(*, school, start: datetime.date, end: datetime.date) -> list[dict]:
    """Every registered section, in its declared order, each checked against the contract."""
    sections = []
    for entry in plugins.entries("report_section"):
        slot = entry.value
        if slot.build is None:
            sections.append(missing_section(slot))
            continue
        sections.append(_checked(slot.build(school=school, start=start, end=end), slot, entry.name))
    return sections


def evidence_table(sections: list[dict]) -> list[dict]:
    """Every standard with the dated records that evidence it; a standard with none (or none that is ok)
    is a gap."""
    by_key: dict[str, list[dict]] = {s.key: [] for s in STANDARDS}
    for section in sections:
        for item in section["evidence"]:
            by_key[item["standard"]].append({**item, "section": section["title"], "anchor": section["anchor"]})
    rows = []
    for standard in STANDARDS:
        items = sorted(
            by_key[standard.key], key=lambda i: (i["date"] is None, i["date"] or datetime.date.min), reverse=False
        )
        met = any(i["ok"] for i in items)
        rows.append(
            {
                "standard": standard,
                "items": items,
                "met": met,
                "rag": "green" if met and all(i["ok"] for i in items) else ("amber" if met else "red"),
            }
        )
    return rows
