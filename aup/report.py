"""The agreements section of the governors' report: coverage by audience and photo consents, counts only."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import STAFF_ROLES, Role
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.schools.models import Pupil

from .models import (
    PUPIL_AUDIENCES,
    YOUNGER_YEAR_GROUPS,
    Agreement,
    Audience,
    Consent,
    EventKind,
    Signature,
    SignatureEvent,
    SignMethod,
)


def _rag(pct: float | None) -> str:
    if pct is None:
        return "red"
    return "green" if pct >= 95 else ("amber" if pct >= 75 else "red")


def governor_section(*, school, start: datetime.date, end: datetime.date) -> dict:
    """A fixed number of queries whatever the school's size: grouped counts, never a row per person."""
    agreements = {a.audience: a for a in Agreement.objects.filter(school=school)}
    published = dict(
        Agreement.objects.filter(school=school, versions__published_at__isnull=False)
        .values_list("audience")
        .annotate(last=Count("versions"))
    )
    # Distinct people (or children) with a current signature, per audience, in one query.
    current = Q()
    for a in agreements.values():
        current |= Q(version__agreement=a, version__number__gte=a.current_from)
    signed_rows = (
        Signature.objects.filter(current, school=school)
        .values("audience")
        .annotate(
            people=Count("user", distinct=True),
            children=Count("pupil", distinct=True),
            visitors=Count("pk", filter=Q(audience=Audience.VISITOR)),
            on_paper=Count("pupil", distinct=True, filter=Q(method=SignMethod.PAPER)),
        )
        if agreements
        else []
    )
    signed = {r["audience"]: r for r in signed_rows}
    staff_total = (
        Membership.objects.current().filter(school=school, role__in=list(STAFF_ROLES)).values("user").distinct().count()
    )
    governor_total = (
        Membership.objects.current().filter(school=school, role=Role.GOVERNOR).values("user").distinct().count()
    )
    pupils = (
        Pupil.objects.filter(school=school)
        .on_roll()
        .aggregate(all=Count("pk"), younger=Count("pk", filter=Q(year_group__in=YOUNGER_YEAR_GROUPS)))
    )
    totals = {
        Audience.STAFF: staff_total,
        Audience.GOVERNOR: governor_total,
        Audience.PARENT: pupils["all"],
        Audience.PUPIL_YOUNGER: pupils["younger"],
        Audience.PUPIL_OLDER: pupils["all"] - pupils["younger"],
    }
    coverage = []
    for audience, label in Audience.choices:
        if audience in (Audience.VISITOR, Audience.SOCIAL_MEDIA):
            continue
        row = signed.get(audience, {})
        n = (
            row.get("children", 0)
            if audience == Audience.PARENT or audience in PUPIL_AUDIENCES
            else row.get("people", 0)
        )
        total = totals[audience]
        pct = round(100 * n / total) if total else None
        coverage.append(
            {
                "audience": label,
                "signed": small_count(n),
                # Parents' agreements signed on paper and recorded by the office (counted within "signed").
                "on_paper": small_count(row.get("on_paper", 0)) if audience == Audience.PARENT else None,
                "total": total,
                "percent": pct,
                "rag": _rag(pct) if audience in published else "red",
                "published": audience in published,
            }
        )
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
    last_signed = (
        Signature.objects.filter(school=school, signed_at__date__lte=end)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    evidence = [
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
    actions = []
    for row in coverage:
        if not row["published"]:
            actions.append(f"Ask the school to publish the {row['audience'].lower()} agreement.")
        elif row["rag"] != "green":
            actions.append(
                f"Ask how the school will reach the rest of {row['audience'].lower()} ({row['percent'] or 0}% signed)."
            )
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
        "evidence": evidence,
        "actions": actions,
        "coverage": coverage,
        "consents": [
            {"label": c["label"], "given": small_count(c["n_given"]), "refused": small_count(c["n_refused"])}
            for c in consents
        ],
        "withdrawals": small_count(withdrawals),
    }
