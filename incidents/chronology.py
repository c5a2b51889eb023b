"""A pupil's chronology: every case involving them that the viewer may see, oldest first, with its timeline.

The same reading feeds the page, the chronology PDF for a referral and the child-protection file sent to a
new school. Visibility is always ``access.case_visibility``: an allegation the DSL team cannot open is
never in a chronology, on screen or on paper.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from safeguarding_portal.accounts.context import PersonAtSchool
from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.schools.models import Pupil

from . import access, corrections
from .models import Incident, IncidentPupil, TimelineEntry

# Other apps add sections beside the cases (monitoring alerts...): ``fn(*, portal, pupil) -> dict | None``, the
# dict holding at least ``template`` (included on the page with the dict as ``section``). Registered from the
# app's ready(), so this app imports none of them.
_SECTIONS: list[Callable[..., dict | None]] = []


def register_section(fn: Callable[..., dict | None]) -> None:
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)


def other_sections(*, portal: PersonAtSchool, pupil: Pupil) -> list[dict]:
    return [s for fn in _SECTIONS if (s := fn(portal=portal, pupil=pupil)) is not None]


@dataclass
class ChronologyItem:
    link: IncidentPupil
    incident: Incident
    entries: list[TimelineEntry]
    report: list[dict]  # the report's fields as reported, each with its correction if any


def pupil_for_chronology(*, portal, pupil_id: int) -> Pupil | None:
    if portal.school is None:
        return None
    return Pupil.objects.filter(school=portal.school, pk=pupil_id).first()


def pupil_chronology(*, portal: PersonAtSchool, pupil: Pupil) -> list[ChronologyItem]:
    """Three queries however many cases and entries: links+cases, then every entry of those cases."""
    entries = TimelineEntry.objects.select_related("corrects").order_by("at", "id")
    links = (
        IncidentPupil.objects.current()
        .filter(
            pupil=pupil,
            incident__in=Incident.objects.filter(access.case_visibility(portal)).values("pk"),
        )
        .select_related("incident", "incident__reported_by", "incident__assigned_to")
        .prefetch_related(Prefetch("incident__entries", queryset=entries))
        .order_by("incident__occurred_at", "incident__pk")
    )
    items = []
    for link in links:
        entries_of_case = corrections.annotate(list(link.incident.entries.all()))
        reported = next((e for e in entries_of_case if e.kind == "reported"), None)
        items.append(
            ChronologyItem(
                link=link,
                incident=link.incident,
                entries=entries_of_case,
                report=corrections.report_fields(incident=link.incident, reported=reported),
            )
        )
    return items


def pdf_context(*, school, pupil: Pupil, items: list[ChronologyItem], user, title: str, at: datetime.datetime) -> dict:
    return {
        "school": school,
        "pupil": pupil,
        "items": items,
        "title": title,
        "generated_by": user.get_full_name() or user.email,
        "generated_by_email": user.email,
        "generated_at": timezone.localtime(at),
    }


def chronology_pdf(*, portal, pupil: Pupil, user, at: datetime.datetime | None = None) -> tuple[bytes, int]:
    items = pupil_chronology(portal=portal, pupil=pupil)
    context = pdf_context(
        school=portal.school, pupil=pupil, items=items, user=user, title="Chronology", at=at or timezone.now()
    )
    return render_pdf(template="incidents/pdf/chronology.html", context=context).content, len(items)
