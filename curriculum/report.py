"""The training, curriculum and policy section of the governors' termly report.

Aggregates only: training by requirement (and so by role), never by person, since the brief does not name
staff to governors here; incident figures behind gaps go through ``small_count``; no child appears at all.
A fixed number of queries whatever the size of the school.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q

from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.core import plugins
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.reports.sections import Section
from safeguarding_portal.schools.calendar import academic_year_label, academic_year_of

from . import figures, selectors
from .constants import Strand
from .models import Event, Gap, Lesson, Policy, TrainingRecord

if TYPE_CHECKING:
    from safeguarding_portal.schools.models import School

DSL_ROLES = {Role.DSL, Role.DEPUTY_DSL}


def _rag(percent: int | None) -> str:
    if percent is None:
        return "amber"
    return "green" if percent >= 95 else "amber" if percent >= 80 else "red"


def _percent(ok: int, total: int) -> int | None:
    return None if not total else round(100 * ok / total)


@dataclass
class _Training:
    rows: list[dict[str, Any]]  # one a requirement
    staff_pc: int | None  # in date, as a percentage of those required, by who the requirement is for
    dsl_pc: int | None
    gov_pc: int | None
    dates: dict[str, datetime.date | None]  # the last training completed, by group


def governor_section(*, school: School, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    training = _training(school=school, end=end)
    heat = selectors.heatmap(school=school, academic_year=academic_year_of(end))
    lessons = Lesson.objects.filter(school=school, taught_on__range=(start, end)).aggregate(
        n=Count("pk"), last=Max("taught_on")
    )
    events = list(Event.objects.filter(school=school, held_on__range=(start, end)).order_by("held_on"))
    gaps = list(
        Gap.objects.filter(Q(status=Gap.Status.OPEN) | Q(raised_on__range=(start, end)), school=school).select_related(
            "term"
        )
    )
    gap_rows = [
        {
            "year_group": g.get_year_group_display(),
            "strand": g.get_strand_display(),
            "category": g.get_category_display(),
            "incidents": small_count(g.incident_count),
            "term": str(g.term) if g.term_id else "",
            "open": g.is_open,
            "closed_on": g.closed_on,
        }
        for g in sorted({g.pk: g for g in gaps}.values(), key=lambda g: (not g.is_open, g.raised_on))
    ]
    # The same figures as the home page and the trust report (curriculum.figures).
    open_gaps = figures.open_gaps(school_ids=[school.pk])[school.pk]
    compliance = figures.training_compliance(school_ids=[school.pk], on=end)[school.pk]

    policies = selectors.policy_register(school=school, today=end)
    policy_rows = [
        {
            "title": p.title,
            "kind": p.get_kind_display(),
            "approved_by": p.approved_by,
            "approved_on": p.approved_on,
            "next_review": p.next_review_due,
            "state": state,
            "has_document": bool(p.document),
        }
        for p, state in policies
    ]
    online_safety = [p for p, _ in policies if p.kind == Policy.Kind.ONLINE_SAFETY]
    overdue = sum(1 for _, s in policies if s == "overdue")
    return {
        "title": "Training, curriculum and policies",
        "anchor": "training-curriculum",
        "template": "curriculum/_governor_section.html",
        "summary": _summary(training, compliance, heat, open_gaps, overdue),
        "evidence": _evidence(
            training, lessons, heat.covered_percent, open_gaps, online_safety[0] if online_safety else None, end
        ),
        "actions": _actions(training, open_gaps, overdue),
        "training_rows": training.rows,
        "as_of": end,
        "heatmap_rows": [(label, [(c.lessons, c.gap is not None) for c in cells]) for _, label, cells in heat.rows()],
        "strands": [str(Strand(s).label) for s in heat.strands],
        "year_label": academic_year_label(heat.academic_year),
        "lessons_in_period": lessons["n"],
        "events": [
            {
                "title": e.title,
                "kind": e.get_kind_display(),
                "held_on": e.held_on,
                "audience": e.get_audience_display(),
                "attendance": e.attendance,
            }
            for e in events
        ],
        "event_attendance": sum(e.attendance for e in events),
        "gap_rows": gap_rows,
        "policy_rows": policy_rows,
    }


def _training(*, school: School, end: datetime.date) -> _Training:
    """Training by requirement, and in date by who it is for (staff, the DSL team, governors): never by person."""
    result = selectors.matrix(school=school, today=end)
    rows = []
    groups = {"staff": [0, 0], "dsl": [0, 0], "governor": [0, 0]}
    latest = dict(
        TrainingRecord.objects.filter(school=school, completed_on__lte=end)
        .values("requirement_id")
        .annotate(last=Max("completed_on"))
        .values_list("requirement_id", "last")
        .order_by()
    )
    group_dates: dict[str, datetime.date | None] = {"staff": None, "dsl": None, "governor": None}
    for item in result.by_requirement():
        req = item["requirement"]
        ok = item["current"] + item["due"]
        percent = _percent(ok, item["required"])
        rows.append(
            {
                "name": req.name,
                "who": ", ".join(req.role_labels()),
                "cycle": req.cycle_label,
                "required": item["required"],
                "current": item["current"],
                "due": item["due"],
                "expired": item["expired"],
                "missing": item["missing"],
                "percent": percent,
                "rag": _rag(percent),
            }
        )
        roles = set(req.roles)
        group = "governor" if roles == {Role.GOVERNOR} else "dsl" if roles <= DSL_ROLES else "staff"
        groups[group][0] += ok
        groups[group][1] += item["required"]
        done = latest.get(req.pk)
        last = group_dates[group]
        if done and (last is None or done > last):
            group_dates[group] = done
    return _Training(
        rows=rows,
        staff_pc=_percent(*groups["staff"]),
        dsl_pc=_percent(*groups["dsl"]),
        gov_pc=_percent(*groups["governor"]),
        dates=group_dates,
    )


def _summary(training: _Training, compliance: Any, heat: Any, open_gaps: int, overdue: int) -> list[dict[str, Any]]:
    staff_pc, dsl_pc, gov_pc = training.staff_pc, training.dsl_pc, training.gov_pc
    covered = heat.covered_percent
    return [
        {
            "label": "All required training in date",
            "value": f"{compliance.percent}% ({compliance.valid} of {compliance.required})"
            if compliance.percent is not None
            else "none required",
            "rag": _rag(compliance.percent),
        },
        {
            "label": "Staff training in date",
            "value": f"{staff_pc}%" if staff_pc is not None else "no staff",
            "rag": _rag(staff_pc),
        },
        {
            "label": "DSL team training in date",
            "value": f"{dsl_pc}%" if dsl_pc is not None else "no DSL recorded",
            "rag": "green" if dsl_pc == 100 else "red",
        },
        {
            "label": "Governor training in date",
            "value": f"{gov_pc}%" if gov_pc is not None else "no governors",
            "rag": _rag(gov_pc),
        },
        {
            "label": f"Strand coverage {academic_year_label(heat.academic_year)}",
            "value": f"{covered}%" if covered is not None else "no year groups",
            "rag": "green" if (covered or 0) >= 75 else "amber" if (covered or 0) >= 40 else "red",
        },
        {
            "label": "Open curriculum gaps raised by incidents",
            "value": open_gaps,
            "rag": "green" if not open_gaps else "amber",
        },
        {"label": "Policies overdue for review", "value": overdue, "rag": "green" if not overdue else "red"},
    ]


def _evidence(
    training: _Training,
    lessons: dict[str, Any],
    covered: int | None,
    open_gaps: int,
    policy: Policy | None,
    end: datetime.date,
) -> list[dict[str, Any]]:
    staff_pc, dsl_pc, gov_pc = training.staff_pc, training.dsl_pc, training.gov_pc
    staff_what = (
        f"Staff safeguarding and online-safety training: {staff_pc}% in date"
        if staff_pc is not None
        else "No staff training requirements apply"
    )
    dsl_what = (
        f"DSL and deputies: DSL training, refresher and Prevent {dsl_pc}% in date"
        if dsl_pc is not None
        else "No DSL or deputy recorded"
    )
    gov_what = f"Governors' induction and updates: {gov_pc}% in date" if gov_pc is not None else "No governors recorded"
    curriculum_what = (
        f"{lessons['n']} online-safety lessons logged this period; "
        f"{covered if covered is not None else 0}% of year group x strand cells taught this year; "
        f"{open_gaps} open gap{'s' if open_gaps != 1 else ''} raised by incidents"
    )
    policy_what = "No online safety policy in the register"
    if policy is not None:
        policy_what = (
            f"Online safety policy approved {policy.approved_on:%-d %B %Y}, "
            f"review due {policy.next_review_due:%-d %B %Y}"
        )
    return [
        {
            "standard": "kcsie.staff_training",
            "what": staff_what,
            "date": training.dates["staff"],
            "ok": staff_pc is not None and staff_pc >= 95,
        },
        {"standard": "kcsie.dsl_training", "what": dsl_what, "date": training.dates["dsl"], "ok": dsl_pc == 100},
        {
            "standard": "kcsie.governor_training",
            "what": gov_what,
            "date": training.dates["governor"],
            "ok": gov_pc is not None and gov_pc >= 95,
        },
        {
            "standard": "kcsie.curriculum",
            "what": curriculum_what,
            "date": lessons["last"],
            "ok": bool(lessons["n"]) and not open_gaps,
        },
        {
            "standard": "kcsie.policy",
            "what": policy_what,
            "date": policy.approved_on if policy else None,
            "ok": policy is not None and policy.next_review_due >= end,
        },
    ]


def _actions(training: _Training, open_gaps: int, overdue: int) -> list[str]:
    actions = []
    if training.staff_pc is not None and training.staff_pc < 95:
        actions.append("Ask the headteacher for a plan to bring expired and missing staff training up to date.")
    if training.dsl_pc is not None and training.dsl_pc < 100:
        actions.append("Confirm dates for the DSL team's outstanding training (KCSiE Annex C).")
    if training.gov_pc is not None and training.gov_pc < 95:
        actions.append("Book safeguarding training for governors whose induction or update is outstanding.")
    if open_gaps:
        actions.append(
            f"Ask the online safety lead how the {open_gaps} open curriculum gap"
            f"{'s' if open_gaps != 1 else ''} raised by incidents will be taught this term."
        )
    if overdue:
        actions.append(f"Review and approve the {overdue} overdue polic{'ies' if overdue != 1 else 'y'}.")
    return actions


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "curriculum",
    Section(
        "Training, curriculum and the policy register",
        "curriculum",
        ("kcsie.curriculum", "kcsie.policy", "kcsie.staff_training", "kcsie.dsl_training", "kcsie.governor_training"),
        "staff, DSL and governor training, online-safety teaching and policy reviews",
        build=governor_section,
    ),
    order=40,
)
