"""The governors' report section of the duty app: the DSL on duty, Operation Encompass notifications (counts
only, "fewer than 3" when small: each is a child's family) and AI tools assessed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.words import counted
from safeguarding_portal.reports.privacy import small_count, small_share
from safeguarding_portal.reports.sections import Section

from . import figures
from .models import RotaSlot


def governor_section(*, school, start: datetime.date, end: datetime.date) -> dict:
    today = min(end, timezone.localdate())
    enc = figures.encompass_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
    rota_days = RotaSlot.objects.filter(school=school, period="school_day").count()
    ai = figures.ai_tools_assessed(school_ids=[school.pk])[school.pk]
    all_seen = enc.seen_in_time == enc.notifications
    summary = [
        {
            "label": "School days with a DSL named on the duty rota",
            "value": f"{rota_days} of 5",
            "rag": "green" if rota_days == 5 else ("amber" if rota_days else "red"),
        },
        {
            "label": "Police notifications (Operation Encompass)",
            "value": small_count(enc.notifications) if enc.notifications else "None",
            "rag": "green",
        },
        {
            "label": "Seen before the next school day",
            "value": small_share(enc.seen_in_time, enc.notifications) if enc.notifications else "None received",
            "rag": "green" if all_seen else "red",
        },
        {
            "label": "AI tools assessed against the DfE product safety standards",
            "value": f"{ai['assessed']} of {ai['total']}" if ai["total"] else "None registered",
            "rag": "green" if ai["assessed"] == ai["total"] else "amber",
        },
    ]
    evidence = [
        {
            "standard": "kcsie.concerns",
            "date": today,
            "ok": all_seen and rota_days == 5,
            "what": f"DSL on duty named for {rota_days} of 5 school days; police notifications acknowledged before "
            f"the next school day: {small_share(enc.seen_in_time, enc.notifications)}",
        },
    ]
    if ai["total"]:
        evidence.append(
            {
                "standard": "fm.review",
                "date": today,
                "ok": ai["assessed"] == ai["total"],
                "what": f"AI tools register: {ai['assessed']} of {counted(ai['total'], 'tool')} assessed, "
                "each opening an out-of-cycle review of filtering and monitoring",
            }
        )
    actions = []
    if not all_seen:
        actions.append(
            "Ask why a police notification was not seen before the start of the next school day, and "
            "how the duty rota and escalation reach the DSL team."
        )
    if ai["assessed"] < ai["total"]:
        actions.append(
            "Ask for every AI tool on the register to be assessed against the DfE product safety "
            "standards before it is used."
        )
    if rota_days < 5:
        actions.append(
            f"Ask the DSL to name someone on duty for every school day ({counted(5 - rota_days, 'day')} without)."
        )
    return {
        "title": "DSL on duty, police notifications and AI tools",
        "anchor": "duty",
        "template": "duty/_governor_section.html",
        "summary": summary,
        "evidence": evidence,
        "actions": actions,
        "encompass": {"notifications": small_count(enc.notifications), "seen": small_count(enc.seen_in_time)},
        "rota_days": rota_days,
        "ai": ai if ai["total"] else None,
        "start": start,
        "end": end,
    }


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "duty",
    Section(
        "DSL on duty, police notifications and AI tools",
        "duty",
        ("kcsie.concerns", "fm.review"),
        "the DSL duty rota, Operation Encompass notifications and the AI tools register",
        build=governor_section,
    ),
    order=60,
)
