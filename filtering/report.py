"""The web filtering section of the governors' termly report (rendered by the reports app).

Figures only: change requests name sites and staff, never a child. Query count does not grow with the data.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.words import counted
from safeguarding_portal.reports.sections import Section

from . import selectors
from .figures import request_figures
from .models import ChangeRequest, FilterCheck, FilterEvent, FilterReview, ReviewKind, State


def governor_section(*, school, start: datetime.date, end: datetime.date) -> dict:
    today = min(end, timezone.localdate())
    in_period = Q(requested_at__date__gte=start, requested_at__date__lte=end)
    # The same figures as the home page and the trust report (filtering.figures). Requests, checks and
    # actions identify no child: shown as they are, not as "fewer than 3".
    f = request_figures(school_ids=[school.pk], start=start, end=end, today=today)[school.pk]
    figures = {
        "requested": f.requested,
        "approved": f.approved,
        "rejected": f.rejected,
        "refused": f.refused,
        "applied": f.applied,
        "reverted": f.reverted,
        "awaiting": f.awaiting,
        "to_apply": f.to_apply,
        "overdue": f.past_expiry,
        "permanent": ChangeRequest.objects.filter(
            school=school, state=State.APPLIED, expires_on__isnull=True, action="allow"
        ).count(),
    }
    by_state = {
        row["state"]: row["n"]
        for row in ChangeRequest.objects.filter(school=school).filter(in_period).values("state").annotate(n=Count("pk"))
    }
    checks = FilterCheck.objects.filter(school=school, checked_on__gte=start, checked_on__lte=end).aggregate(
        n=Count("pk"), failed=Count("pk", filter=Q(passed=False))
    )
    last_check = FilterCheck.objects.filter(school=school, checked_on__lte=end).order_by("-checked_on").first()
    grid = selectors.coverage(school=school, start=start, end=end)
    roles = selectors.responsibilities(school=school, on=today)
    missing = [r.label for r in roles if r.missing]
    last_review = (
        FilterReview.objects.filter(school=school, kind=ReviewKind.ANNUAL, held_on__lte=end)
        .order_by("-held_on")
        .first()
    )
    review_due, review_rag = selectors.annual_review_due(school=school, today=today)
    out_of_cycle = list(
        FilterReview.objects.filter(
            school=school, kind=ReviewKind.OUT_OF_CYCLE, held_on__gte=start, held_on__lte=end
        ).order_by("held_on")
    )
    open_actions = selectors.open_actions(school=school).aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    last_event = FilterEvent.objects.filter(chain=f"school:{school.pk}").order_by("-seq").only("at").first()

    def rag(bad: bool, warn: bool = False) -> str:
        return "red" if bad else ("amber" if warn else "green")

    summary = [
        {"label": "Responsibilities named", "value": f"{4 - len(missing)} of 4", "rag": rag(bool(missing))},
        {"label": "Changes requested this period", "value": figures["requested"], "rag": "green"},
        {"label": "Changes approved", "value": figures["approved"], "rag": "green"},
        {"label": "Refused (protected lists)", "value": figures["refused"], "rag": "green"},
        {"label": "Temporary allows past expiry", "value": figures["overdue"], "rag": rag(figures["overdue"] > 0)},
        {"label": "Checks recorded", "value": checks["n"], "rag": rag(checks["n"] == 0)},
        {
            "label": "Untested combinations",
            "value": f"{grid['untested']} of {grid['cells']}",
            "rag": rag(grid["untested"] == grid["cells"], grid["untested"] > 0),
        },
        {
            "label": "Annual review",
            "value": f"{last_review.held_on:%d %b %Y}" if last_review else "never held",
            "rag": review_rag,
        },
    ]
    evidence = [
        {
            "standard": "fm.roles",
            "what": "Named senior leader, governor, DSL and IT provider contact"
            + (f"; missing: {', '.join(missing)}" if missing else ""),
            "date": today,
            "ok": not missing,
        },
        {
            "standard": "fm.review",
            "what": f"Annual review of filtering and monitoring (next due {review_due:%d %b %Y})"
            if review_due
            else "No annual review recorded",
            "date": last_review.held_on if last_review else None,
            "ok": review_rag != "red",
        },
        {
            "standard": "fm.block",
            "what": f"{counted(figures['requested'], 'change request')} risk-assessed and decided by a "
            f"senior leader; {counted(figures['overdue'], 'temporary allow')} past expiry",
            "date": last_event.at.date() if last_event else None,
            "ok": figures["overdue"] == 0,
        },
        {
            "standard": "fm.monitor",
            "what": f"{counted(checks['n'], 'filtering check')}, {checks['failed']} failed; "
            f"{grid['untested']} of {grid['cells']} combinations untested",
            "date": last_check.checked_on if last_check else None,
            "ok": checks["n"] > 0 and grid["untested"] == 0,
        },
    ]
    actions = []
    if missing:
        actions.append(f"Name the {', '.join(m.lower() for m in missing)}.")
    if figures["overdue"]:
        actions.append("Ask why temporary allows past their expiry have not been reverted.")
    if review_rag != "green":
        actions.append(
            "Schedule the annual review of filtering and monitoring with the senior leader, DSL, IT "
            "provider and a governor."
        )
    if grid["untested"]:
        actions.append("Ask for the untested device, location and user-group combinations to be checked.")
    return {
        "title": "Web filtering and monitoring",
        "anchor": "filtering",
        "template": "filtering/_governor_section.html",
        "summary": summary,
        "evidence": evidence,
        "actions": actions,
        "figures": figures,
        "by_state": [(label, by_state.get(value, 0)) for value, label in State.choices],
        "roles": roles,
        "checks": {"n": checks["n"], "failed": checks["failed"]},
        "coverage": grid,
        "last_review": last_review,
        "out_of_cycle": out_of_cycle,
        "open_actions": {"n": open_actions["n"], "overdue": open_actions["overdue"]},
        "start": start,
        "end": end,
    }


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "filtering",
    Section(
        "Filtering and monitoring",
        "filtering",
        ("fm.roles", "fm.review", "fm.block", "fm.monitor"),
        "filtering and monitoring responsibilities, changes, checks and the annual review",
        build=governor_section,
    ),
    order=30,
)
