"""The incidents section of the termly governor report: counts, never cases.

Only pupils' concerns (the DSL route) are broken down; allegations about staff are one small-count figure,
because a breakdown would reveal them to people who cannot open them. Every figure goes through
``small_count`` (1 and 2 show as "fewer than 3"), and the section runs the same six queries however many
concerns there are: one row per concern of the period, and aggregates for everything else (device searches too).
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, Value, When

from safeguarding_portal.core import plugins
from safeguarding_portal.reports import charts
from safeguarding_portal.reports.periods import Period, period_for, previous_periods
from safeguarding_portal.reports.privacy import small_count, small_share
from safeguarding_portal.reports.sections import Section
from safeguarding_portal.schools.models import FlagGroup, School

from .categories import FOUR_C, Category, FourC
from .figures import ACK_TARGET_HOURS, concern_figures, concerns, flag_group_counts
from .models import Agency, EntryKind, Incident, TimelineEntry
from .searches import figures as search_figures

LONG_OPEN_DAYS = 30


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def _duration(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


@dataclass
class _Read:
    """What the section's queries bring back: the periods, this period's concerns and the aggregates."""

    period: Period
    before: list[Period]
    periods: list[Period]
    t_from: datetime.datetime
    t_to: datetime.datetime
    # This period's concerns: (category, reported_at, acknowledged_at, closed_at, immediate_risk, concern_type).
    rows: list[tuple[Any, ...]]
    earlier: dict[tuple[int, str], int]  # (index of an earlier period, category) -> concerns
    decisions: list[tuple[Any, ...]]  # (kind, agency, how many, last at) of referrals and decisions not to
    handling: dict[str, int]
    figures: Any  # incidents.figures' headline figures for the school


@dataclass
class _Timing:
    ack_hours: list[float]
    close_hours: list[float]
    acked_in_time: int
    urgent: list[tuple[datetime.datetime, datetime.datetime | None]]
    urgent_in_time: int
    urgent_minutes: int
    not_acked: int
    child_protection: int


@dataclass
class _Referrals:
    by_agency: list[tuple[str, int]]  # most first
    total: int
    last: datetime.datetime | None
    no_referral: int
    last_no_referral: datetime.datetime | None


def governor_section(*, school: School, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    read = _read(school=school, start=start, end=end)
    period, periods, figures = read.period, read.periods, read.figures
    total = figures.total  # the same concerns as ``rows``: pupils' concerns reported in the period
    per_period = _per_period(read)
    totals = [sum(p.values()) for p in per_period]
    timing = _timing(read, total)
    referrals = _referrals(read.decisions)
    agency_chart = (
        charts.horizontal_bars(rows=referrals.by_agency, title="Referrals by agency") if referrals.by_agency else None
    )

    # Device searches (Education Act 2011; DfE searching guidance asks for each to be recorded): counts only.
    device_searches = {
        k: small_count(v) for k, v in search_figures(school=school, t_from=read.t_from, t_to=read.t_to).items()
    }
    # Concerns about pupils with vulnerability flags, by flag group: counts only (incidents.figures).
    by_flag = flag_group_counts(school_ids=[school.pk], start=period.start, end=period.end)[school.pk]
    flag_rows = [(FlagGroup(group).label, small_count(n)) for group, n in by_flag.items()]

    ack_pct = _pct(timing.acked_in_time, len(timing.ack_hours) + timing.not_acked)
    decided_pct = _pct(read.handling["closed_decided"], read.handling["closed"])
    return {
        "title": "Online-safety concerns",
        "anchor": "incidents",
        "template": "incidents/_governor_section.html",
        "summary": _summary(read, total, timing, ack_pct, decided_pct),
        "evidence": _evidence(read, total, timing, referrals),
        "actions": _actions(read, totals, timing, ack_pct),
        # Figures for the template
        "period": period,
        "periods": periods,
        "period_totals": [(p.short, small_count(t)) for p, t in zip(periods, totals, strict=True)],
        "total": small_count(total),
        "four_c_chart": _four_c_chart(periods, per_period),
        "category_rows": _category_rows(per_period),
        "agency_chart": agency_chart,
        "agency_rows": [(label, small_count(n)) for label, n in referrals.by_agency],
        "referral_total": small_count(referrals.total),
        "no_referral": small_count(referrals.no_referral),
        "child_protection": small_count(timing.child_protection),
        "allegations": small_count(figures.allegations),
        "open_at_end": small_count(figures.open_at_end),
        "device_searches": device_searches,
        "flag_rows": flag_rows,
        "timing": {
            "ack_median": _duration(statistics.median(timing.ack_hours) if timing.ack_hours else None),
            "ack_pct": ack_pct,
            "not_acked": small_count(timing.not_acked),
            "close_median": _duration(statistics.median(timing.close_hours) if timing.close_hours else None),
            "closed": small_count(len(timing.close_hours)),
            "urgent_in_time_share": small_share(timing.urgent_in_time, len(timing.urgent)),
            "urgent_minutes": timing.urgent_minutes,
        },
    }


def _read(*, school: School, start: datetime.date, end: datetime.date) -> _Read:
    period = period_for(school=school, start=start, end=end)
    before = previous_periods(school=school, start=start, end=end)
    periods: list[Period] = [*before, period]
    t_from, t_to = period.bounds()
    dsl = Incident.objects.filter(concerns(), school=school)

    # 1. This period's concerns, one row each (only the columns the figures need).
    rows = list(
        dsl.filter(reported_at__gte=t_from, reported_at__lt=t_to).values_list(
            "category", "reported_at", "acknowledged_at", "closed_at", "immediate_risk", "concern_type"
        )
    )

    # 2. The previous periods by category: one grouped query.
    span_from, _ = periods[0].bounds()
    which = Case(
        *[
            When(reported_at__gte=p.bounds()[0], reported_at__lt=p.bounds()[1], then=Value(i))
            for i, p in enumerate(before)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    earlier: dict[tuple[int, str], int] = {
        (i, category): n
        for i, category, n in dsl.filter(reported_at__gte=span_from, reported_at__lt=before[-1].bounds()[1])
        .annotate(which=which)
        .values_list("which", "category")
        .annotate(n=Count("pk"))
        .order_by()
        if i >= 0
    }

    # 3. Referrals and decisions not to refer recorded in the period.
    decisions = list(
        TimelineEntry.objects.filter(
            concerns("incident__"),
            school=school,
            kind__in=[EntryKind.REFERRAL, EntryKind.NO_REFERRAL],
            at__gte=t_from,
            at__lt=t_to,
        )
        .values_list("kind", "data__agency")
        .annotate(n=Count("pk"), last=Max("at"))
        .order_by()
    )

    # 4. Case handling: closed with a recorded decision, open at the end of the period, allegations.
    decided = TimelineEntry.objects.filter(
        incident=OuterRef("pk"), kind__in=[EntryKind.REFERRAL, EntryKind.NO_REFERRAL]
    )
    open_at_end = Q(reported_at__lt=t_to) & (Q(closed_at__isnull=True) | Q(closed_at__gte=t_to))
    handling = (
        Incident.objects.filter(school=school)
        .annotate(decided=Exists(decided))
        .aggregate(
            closed=Count("pk", filter=concerns() & Q(closed_at__gte=t_from, closed_at__lt=t_to)),
            closed_decided=Count("pk", filter=concerns() & Q(closed_at__gte=t_from, closed_at__lt=t_to, decided=True)),
            long_open=Count(
                "pk",
                filter=concerns() & open_at_end & Q(reported_at__lt=t_to - datetime.timedelta(days=LONG_OPEN_DAYS)),
            ),
        )
    )
    # The headline figures as the home page and the trust report show them (incidents.figures).
    figures = concern_figures(school_ids=[school.pk], start=period.start, end=period.end)[school.pk]
    return _Read(
        period=period,
        before=before,
        periods=periods,
        t_from=t_from,
        t_to=t_to,
        rows=rows,
        earlier=earlier,
        decisions=decisions,
        handling=handling,
        figures=figures,
    )


def _per_period(read: _Read) -> list[dict[str, int]]:
    """Concerns by category in each period, oldest first, this one last."""
    current: dict[str, int] = {}
    for category, *_ in read.rows:
        current[category] = current.get(category, 0) + 1
    return [{c: read.earlier.get((i, c), 0) for c in Category.values} for i in range(len(read.before))] + [
        {c: current.get(c, 0) for c in Category.values}
    ]


def _four_c_chart(periods: list[Period], per_period: list[dict[str, int]]) -> Any:
    four_c_values = {fc.value: [0] * len(periods) for fc in FourC}
    for i, counts in enumerate(per_period):
        for category, n in counts.items():
            four_c_values[FOUR_C[category]][i] += n
    return charts.grouped_columns(
        groups=[fc.label for fc in FourC],
        series=[charts.Series(p.short, [four_c_values[fc.value][i] for fc in FourC]) for i, p in enumerate(periods)],
        title="Concerns by the 4 Cs, this period and the three before",
    )


def _category_rows(per_period: list[dict[str, int]]) -> list[dict[str, Any]]:
    category_rows: list[dict[str, Any]] = []
    for category in Category:
        if category == Category.STAFF_CONDUCT:
            continue  # allegations about staff are not on the DSL route; counted once below
        values = [counts[category.value] for counts in per_period]
        if not any(values):
            continue
        # Between two small counts (1 and 2) an arrow would tell which is which: no arrow then.
        both_small = all(0 < v < 3 for v in values[-2:])
        change = values[-1] - values[-2]
        category_rows.append(
            {
                "label": category.label,
                "four_c": FourC(FOUR_C[category.value]).label,
                "values": [small_count(v) for v in values],
                "spark": charts.sparkline(values, width=44, height=14),
                "trend": "hidden" if both_small else ("up" if change > 0 else ("down" if change < 0 else "same")),
                "n": values[-1],
            }
        )
    category_rows.sort(key=lambda r: (-r["n"], r["label"]))
    return category_rows


def _timing(read: _Read, total: int) -> _Timing:
    rows, t_to = read.rows, read.t_to
    ack_hours = [_hours(ack - rep) for _, rep, ack, *_ in rows if ack is not None]
    close_hours = [_hours(closed - rep) for _, rep, _, closed, *_ in rows if closed is not None and closed < t_to]
    urgent = [(rep, ack) for _, rep, ack, _, risk, _ in rows if risk]
    urgent_minutes = settings.URGENT_ACK_MINUTES
    return _Timing(
        ack_hours=ack_hours,
        close_hours=close_hours,
        acked_in_time=sum(1 for h in ack_hours if h <= ACK_TARGET_HOURS),
        urgent=urgent,
        urgent_in_time=sum(1 for rep, ack in urgent if ack is not None and _hours(ack - rep) * 60 <= urgent_minutes),
        urgent_minutes=urgent_minutes,
        not_acked=total - len(ack_hours),
        child_protection=sum(1 for *_, concern in rows if concern == "child_protection"),
    )


def _referrals(decisions: list[tuple[Any, ...]]) -> _Referrals:
    referrals: dict[str, int] = {}
    last_referral = None
    no_referral, last_no_referral = 0, None
    for kind, agency, n, last in decisions:
        if kind == EntryKind.REFERRAL:
            label = Agency(agency).label if agency in Agency.values else "Other agency"
            referrals[label] = referrals.get(label, 0) + n
            last_referral = max(filter(None, [last_referral, last]))
        else:
            no_referral += n
            last_no_referral = max(filter(None, [last_no_referral, last]))
    return _Referrals(
        by_agency=sorted(referrals.items(), key=lambda kv: (-kv[1], kv[0])),
        total=sum(referrals.values()),
        last=last_referral,
        no_referral=no_referral,
        last_no_referral=last_no_referral,
    )


def _rag_pct(p: int | None, green: int, amber: int) -> str:
    if p is None:
        return "green"
    return "green" if p >= green else ("amber" if p >= amber else "red")


def _summary(
    read: _Read, total: int, timing: _Timing, ack_pct: int | None, decided_pct: int | None
) -> list[dict[str, Any]]:
    urgent, urgent_in_time, urgent_minutes = timing.urgent, timing.urgent_in_time, timing.urgent_minutes
    long_open = read.handling["long_open"]
    return [
        {"label": "Online-safety concerns recorded", "value": small_count(total), "rag": "green" if total else "amber"},
        {
            "label": f"Acknowledged within {ACK_TARGET_HOURS} hours",
            "value": f"{ack_pct}%" if ack_pct is not None else "No concerns",
            "rag": _rag_pct(ack_pct, 90, 75),
        },
        {
            "label": f"Urgent concerns acknowledged within {urgent_minutes} minutes",
            "value": small_share(urgent_in_time, len(urgent)) if urgent else "None urgent",
            "rag": "green" if urgent_in_time == len(urgent) else "red",
        },
        {
            "label": "Closed cases with the referral decision written down",
            "value": f"{decided_pct}%" if decided_pct is not None else "None closed",
            "rag": _rag_pct(decided_pct, 100, 80),
        },
        {
            "label": f"Cases open more than {LONG_OPEN_DAYS} days at the end of the period",
            "value": small_count(long_open),
            "rag": "green" if long_open == 0 else ("amber" if long_open < 5 else "red"),
        },
    ]


def _evidence(read: _Read, total: int, timing: _Timing, referrals: _Referrals) -> list[dict[str, Any]]:
    handling, period = read.handling, read.period
    urgent, urgent_in_time = timing.urgent, timing.urgent_in_time
    evidence: list[dict[str, Any]] = []
    if total:
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": True,
                "what": f"{small_count(total)} online-safety concerns recorded and triaged in the portal",
                "date": max(rep for _, rep, *_ in read.rows).date(),
            }
        )
    else:
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": False,
                "date": None,
                "what": "No online-safety concerns recorded in this period: check that staff know how to report one",
            }
        )
    if referrals.total and referrals.last is not None:
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": True,
                "date": referrals.last.date(),
                "what": f"{small_count(referrals.total)} referrals to agencies recorded with dates",
            }
        )
    if referrals.no_referral and referrals.last_no_referral is not None:
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": True,
                "date": referrals.last_no_referral.date(),
                "what": f"{small_count(referrals.no_referral)} decisions not to refer written down with reasons",
            }
        )
    if handling["closed"]:
        gaps = handling["closed"] - handling["closed_decided"]
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": gaps == 0,
                "date": period.end,
                "what": "Every closed case has its referral decision written down"
                if gaps == 0
                else f"{small_count(gaps)} closed cases have no referral decision written down",
            }
        )
    if urgent:
        evidence.append(
            {
                "standard": "kcsie.concerns",
                "ok": urgent_in_time == len(urgent),
                "date": period.end,
                "what": f"Urgent concerns acknowledged within {timing.urgent_minutes} minutes: "
                f"{small_share(urgent_in_time, len(urgent))}",
            }
        )
    return evidence


def _actions(read: _Read, totals: list[int], timing: _Timing, ack_pct: int | None) -> list[str]:
    handling = read.handling
    actions = []
    if ack_pct is not None and ack_pct < 90:
        actions.append(
            "Ask the DSL what stops concerns being acknowledged within a working day, and what "
            "cover there is when the DSL team is away."
        )
    if timing.urgent and timing.urgent_in_time < len(timing.urgent):
        actions.append(
            "Ask why an urgent concern waited longer than the agreed time, and how alerts reach the "
            "DSL team out of lessons."
        )
    if handling["closed"] and handling["closed_decided"] < handling["closed"]:
        actions.append(
            "Ask the DSL to record the reason for every decision to refer or not to refer "
            "(KCSiE expects it in writing)."
        )
    if handling["long_open"]:
        actions.append(
            f"Ask about the cases open longer than {LONG_OPEN_DAYS} days: what they wait for and when "
            "they will be reviewed."
        )
    if len(totals) > 1 and totals[-1] > max(totals[:-1]) and totals[-1] >= 3:
        actions.append(
            "Concerns rose above each of the previous three periods: ask the online safety lead "
            "what is behind the rise and whether teaching is responding."
        )
    if not actions:
        actions.append("No action arising from online-safety concerns this period; keep the termly review.")
    return actions


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "incidents",
    Section(
        "Online-safety concerns",
        "incidents",
        ("kcsie.concerns",),
        "online-safety concerns and what was done about them",
        build=governor_section,
    ),
    order=10,
)
