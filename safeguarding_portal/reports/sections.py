"""The governor report's sections, found by importing ``<app>.report`` in a fixed order.

Each domain app provides ``governor_section(*, school, start, end) -> dict`` (see the contract in the
developer guide). An app whose module is not there yet (not merged, or not built) still gets its place in
the report, marked "not yet recorded in the portal", and the standards it would evidence show as gaps:
governors must see what is missing rather than a shorter report that looks complete.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from dataclasses import dataclass

from .standards import STANDARD_KEYS, STANDARDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    app: str
    title: str
    anchor: str
    # The standards this app's records evidence: shown as gaps while the app has no section.
    standards: tuple[str, ...]
    what_to_record: str


SLOTS: tuple[Slot, ...] = (
    Slot("incidents", "Online-safety concerns", "incidents", ("kcsie.concerns",),
         "online-safety concerns and what was done about them"),
    Slot("aup", "Acceptable use agreements and consents", "aup", ("kcsie.aup", "kcsie.parents"),
         "acceptable use agreements signed by staff, pupils, parents and visitors, and photo consents"),
    Slot("filtering", "Filtering and monitoring", "filtering", ("fm.roles", "fm.review", "fm.block", "fm.monitor"),
         "filtering and monitoring responsibilities, changes, checks and the annual review"),
    Slot("curriculum", "Training, curriculum and the policy register", "curriculum",
         ("kcsie.curriculum", "kcsie.policy", "kcsie.staff_training", "kcsie.dsl_training",
          "kcsie.governor_training"),
         "staff, DSL and governor training, online-safety teaching and policy reviews"),
    Slot("monitoring", "Monitoring alerts", "monitoring", ("fm.monitor",),
         "the monitoring product's alerts and what the DSL team did about each"),
    Slot("duty", "DSL on duty, police notifications and AI tools", "duty", ("kcsie.concerns", "fm.review"),
         "the DSL duty rota, Operation Encompass notifications and the AI tools register"),
)

NOT_RECORDED = "Not yet recorded in the portal"
REQUIRED_KEYS = ("title", "anchor", "template", "summary", "evidence", "actions")


def _load(app: str):
    """The app's ``report`` module, or None when the app or its module does not exist."""
    name = f"{app}.report"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # Only a missing ``<app>`` or ``<app>.report`` means "not there yet"; a missing import *inside*
        # the module is a bug and must not be hidden as a gap.
        if exc.name in (app, name):
            return None
        raise


def missing_section(slot: Slot) -> dict:
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
        "actions": [f"Ask the school to record {slot.what_to_record} in the portal, so the next report can "
                    "evidence them."],
    }


def _checked(section: dict, slot: Slot) -> dict:
    absent = [k for k in REQUIRED_KEYS if k not in section]
    if absent:
        raise ValueError(f"{slot.app}.report.governor_section() returned no {', '.join(absent)}")
    evidence = []
    for item in section["evidence"]:
        if item.get("standard") not in STANDARD_KEYS:
            log.warning("%s section: evidence for unknown standard %r left out", slot.app, item.get("standard"))
            continue
        evidence.append(item)
    for item in section["summary"]:
        if item.get("rag") not in ("red", "amber", "green"):
            item["rag"] = "amber"
    return {**section, "evidence": evidence, "app": slot.app, "missing": False}


def collect(*, school, start: datetime.date, end: datetime.date) -> list[dict]:
    """Every slot's section, in the fixed order, each checked against the contract."""
    sections = []
    for slot in SLOTS:
        module = _load(slot.app)
        builder = getattr(module, "governor_section", None) if module is not None else None
        if builder is None:
            sections.append(missing_section(slot))
            continue
        sections.append(_checked(builder(school=school, start=start, end=end), slot))
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
        items = sorted(by_key[standard.key], key=lambda i: (i["date"] is None, i["date"] or datetime.date.min),
                       reverse=False)
        met = any(i["ok"] for i in items)
        rows.append({"standard": standard, "items": items, "met": met,
                     "rag": "green" if met and all(i["ok"] for i in items) else ("amber" if met else "red")})
    return rows
