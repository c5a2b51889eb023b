"""The agreements section of the governors' report: coverage by audience and photo consents, counts only."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from safeguarding_portal.core import plugins
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.reports.sections import Section

from .figures import CHILD_AUDIENCES, agreement_coverage
from .models import (
    PUPIL_AUDIENCES,
    Agreement,
    Audience,
    Consent,
    EventKind,
    Signature,
    SignatureEvent,
)

if TYPE_CHECKING:
    from safeguarding_portal.schools.models import School


def _rag(pct: float | None) -> str:
    if pct is None:
        return "red"
    return "green" if pct >= 95 else ("amber" if pct >= 75 else "red")


def governor_section(*, school: School, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """A fixed number of queries whatever the school's size: grouped counts, never a row per person."""
    coverage = _coverage(school)
    consents = list(
        Consent.objects.filter(school=school)
        .values("label")
        .annotate(n_given=Count("pk", filter=Q(given=True)), n_refused=Count("pk", filter=Q(given=False)))
        .order_by("label")
    )
    withdrawals = SignatureEvent.objects.filter(
        school=school, kind=EventKind.WITHDRAWN, at__date__gte=start, at__date__lte=end
    ).count()
    by_label = {c["audience"]: c for c in coverage}
    staff_row = by_label[Audience.STAFF.label]
    parent_row = by_label[Audience.PARENT.label]
    return {
        "title": "Acceptable use agreements and photo consent",
        "anchor": "agreements",
        "template": "aup/_governor_section.html",
        "summary": [
            {
                "label": "Staff signed (current version)",
                "value": f"{staff_row['percent'] or 0}%",
                "rag": staff_row["rag"],
            },
            {
                "label": "Children with a parents' agreement",
                "value": f"{parent_row['percent'] or 0}%",
                "rag": parent_row["rag"],
            },
            {"label": "Photo consents withdrawn this period", "value": small_count(withdrawals), "rag": "green"},
        ],
        "evidence": _evidence(school=school, end=end, by_label=by_label),
        "actions": _actions(coverage),
        "coverage": coverage,
        "consents": [
            {"label": c["label"], "given": small_count(c["n_given"]), "refused": small_count(c["n_refused"])}
            for c in consents
        ],
        "withdrawals": small_count(withdrawals),
    }


def _coverage(school: School) -> list[dict[str, Any]]:
    """A row for each audience the school has: who signed the current version, of whom."""
    published = dict(
        Agreement.objects.filter(school=school, versions__published_at__isnull=False)
        .values_list("audience")
        .annotate(last=Count("versions"))
    )
    # The same coverage as the office's home panel and the trust report (aup.figures): the people there now.
    figures = agreement_coverage(school_ids=[school.pk])[school.pk]
    coverage = []
    for audience, label in Audience.choices:
        if audience not in figures:
            continue
        cover = figures[audience]
        # "Fewer than 3" for children only: a count of staff or governors identifies no child.
        shown = small_count if audience in CHILD_AUDIENCES else int
        coverage.append(
            {
                "audience": label,
                "signed": shown(cover.signed),
                # Parents' agreements signed on paper and recorded by the office (counted within "signed").
                "on_paper": small_count(cover.on_paper) if audience == Audience.PARENT else None,
                "total": cover.total,
                "population": "children on roll"
                if audience in CHILD_AUDIENCES
                else ("current staff" if audience == Audience.STAFF else "current governors"),
                "percent": cover.percent,
                "rag": _rag(cover.percent) if audience in published else "red",
                "published": audience in published,
            }
        )
    return coverage


def _evidence(*, school: School, end: datetime.date, by_label: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    staff_row = by_label[Audience.STAFF.label]
    parent_row = by_label[Audience.PARENT.label]
    last_signed = (
        Signature.objects.filter(school=school, signed_at__date__lte=end)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    return [
        {
            "standard": "kcsie.aup",
            "what": f"Staff acceptable use agreement signed by {staff_row['percent'] or 0}% of staff",
            "date": last_signed.date() if last_signed else None,
            "ok": staff_row["rag"] == "green",
        },
        {
            "standard": "kcsie.aup",
            "what": "Pupils' agreements recorded by their teachers",
            "date": None,
            "ok": all(by_label[dict(Audience.choices)[a]]["rag"] != "red" for a in PUPIL_AUDIENCES),
        },
        {
            "standard": "kcsie.parents",
            "what": f"Parents' agreement signed for {parent_row['percent'] or 0}% of children"
            + (f" ({parent_row['on_paper']} on paper)" if parent_row["on_paper"] else ""),
            "date": last_signed.date() if last_signed else None,
            "ok": parent_row["rag"] != "red",
        },
    ]


def _actions(coverage: list[dict[str, Any]]) -> list[str]:
    actions = []
    for row in coverage:
        if not row["published"]:
            actions.append(f"Ask the school to publish the {row['audience'].lower()} agreement.")
        elif row["rag"] != "green":
            actions.append(
                f"Ask how the school will reach the rest of {row['audience'].lower()} ({row['percent'] or 0}% signed)."
            )
    return actions


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "aup",
    Section(
        "Acceptable use agreements and consents",
        "aup",
        ("kcsie.aup", "kcsie.parents"),
        "acceptable use agreements signed by staff, pupils, parents and visitors, and photo consents",
        build=governor_section,
    ),
    order=20,
)
