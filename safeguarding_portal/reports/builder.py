"""Turning a school and a period into the governor report PDF (sections, summary, evidence, actions)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from safeguarding_portal.core import pdf

from . import sections as section_registry
from .periods import period_for, previous_periods


def context(
    *,
    school,
    start: datetime.date,
    end: datetime.date,
    requested_by: str = "",
    reference: str = "",
    progress: Callable[[int, str], None] | None = None,
) -> dict:
    progress = progress or (lambda pct, stage: None)
    progress(10, "Counting this period's records")
    sections = section_registry.collect(school=school, start=start, end=end)
    progress(55, "Checking the evidence against the standards")
    evidence = section_registry.evidence_table(sections)
    indicators = [item for s in sections for item in s["summary"]]
    tally = {rag: sum(1 for i in indicators if i["rag"] == rag) for rag in ("green", "amber", "red")}
    met = sum(1 for row in evidence if row["met"])
    actions = [{"text": text, "section": s["title"]} for s in sections for text in s["actions"]]
    gaps = [row["standard"].title for row in evidence if not row["met"]]
    if gaps:
        actions.append(
            {
                "text": f"Ask how and by when the school will evidence the {len(gaps)} standard"
                f"{'s' if len(gaps) != 1 else ''} shown in red in the evidence section.",
                "section": "Evidence against the standards",
            }
        )
    return {
        "school": school,
        "period": period_for(school=school, start=start, end=end),
        "compare_periods": previous_periods(school=school, start=start, end=end),
        "sections": sections,
        "n_sections": len(sections),
        "evidence": evidence,
        "evidence_met": met,
        "evidence_rag": "green" if met == len(evidence) else ("amber" if met >= len(evidence) / 2 else "red"),
        "tally": tally,
        "actions": actions,
        "generated_at": timezone.localtime(),
        "requested_by": requested_by,
        "reference": reference,
    }


def render_pdf(ctx: dict) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    made = pdf.render_pdf(template="reports/pdf/governor_report.html", context=ctx, stylesheet="reports/pdf/report.css")
    return made.content, made.pages
