"""Operation Encompass notifications naming a pupil, for a subject access request (sar.sources). They are
confidential (the school does not share them with parents): the DSL weighs each against the exemptions."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap
from sar.sources import Record, Subject, source, text_passages

from .models import EncompassChild


@source("duty.encompass", label="Police notifications (Operation Encompass)", order=35)
def encompass(*, portal, subject: Subject) -> list[Record]:
    if not subject.is_pupil or portal.school is None or not portal.can(Cap.VIEW_ENCOMPASS):
        return []
    links = (
        EncompassChild.objects.filter(school=portal.school, pupil=subject.pupil)
        .select_related("notification")
        .order_by("notification__notified_at", "pk")
    )
    records = []
    for link in links:
        n = link.notification
        prefix = f"duty.encompass:{n.pk}"
        records.append(
            Record(
                prefix,
                f"Police notification of an incident on {n.incident_on:%-d %b %Y}",
                n.notified_at,
                text_passages(
                    prefix,
                    [
                        ("police", "Police reference and officer", f"{n.police_reference}, {n.officer_name}"),
                        ("support", "Support the school gives", n.support),
                    ],
                ),
            )
        )
    return records
