"""Helpers for report tests: concerns recorded at a given time and walked through the DSL's steps."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

from incidents import services
from incidents.categories import Category
from incidents.models import EntryKind, Status

LONDON = ZoneInfo("Europe/London")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), LONDON)


def concern(
    *,
    school,
    reporter,
    day: datetime.date,
    category=Category.CYBERBULLYING,
    pupils=(),
    dsl=None,
    ack_minutes: int | None = None,
    refer_to: str | None = None,
    close: bool = False,
    urgent: bool = False,
    description: str = "Something worrying was seen on a tablet.",
):
    reported = at(day)
    incident = services.incident_report(
        school=school,
        reporter=reporter,
        occurred_at=reported - datetime.timedelta(hours=1),
        reported_at=reported,
        location="on_site",
        category=category,
        description=description,
        device="school",
        immediate_risk=urgent,
        notify=False,
        pupils=[services.PupilInvolvement(p.pk, "harmed") for p in pupils],
    )
    if dsl is None or ack_minutes is None:
        return incident
    clock = reported + datetime.timedelta(minutes=ack_minutes)
    with services.backdated(clock):
        services.case_acknowledge(incident=incident, by=dsl)
    if refer_to:
        clock += datetime.timedelta(hours=2)
        with services.backdated(clock):
            services.case_record(
                incident=incident,
                by=dsl,
                kind=EntryKind.REFERRAL,
                text="Referred.",
                data={"agency": refer_to, "when": clock.isoformat()},
            )
    if close:
        clock += datetime.timedelta(hours=3)
        with services.backdated(clock):
            if not refer_to:
                services.case_record(
                    incident=incident, by=dsl, kind=EntryKind.NO_REFERRAL, text="Threshold not met; managed in school."
                )
            for step in incident.steps.filter(done_entry__isnull=True, mandatory=True):
                services.case_step_done(step=step, by=dsl, note="Done at the review meeting.")
            services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved in school.")
    return incident


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
