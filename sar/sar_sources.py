"""The pupil's own record and vulnerability flags (the foundation's schools app, which cannot import this
domain app), for a subject access request."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.schools.models import PupilFlag

from .sources import Passage, Record, Subject, source


@source("schools.pupil", label="The pupil's record", order=1)
def pupil_record(*, portal, subject: Subject) -> list[Record]:
    if not subject.is_pupil:
        return []
    p = subject.pupil
    prefix = f"schools.pupil:{p.pk}"
    facts = [
        (
            "name",
            "Name",
            f"{p.legal_forename} {p.surname}" + (f" (known as {p.preferred_forename})" if p.preferred_forename else ""),
        ),
        ("born", "Date of birth", f"{p.date_of_birth:%-d %B %Y}"),
        ("upn", "UPN", p.upn),
        (
            "year",
            "Year group and class",
            p.get_year_group_display() + (f", {p.registration_group}" if p.registration_group else ""),
        ),
        ("roll", "On roll", f"Left on {p.left_on:%-d %B %Y}" if p.left_on else "On roll"),
    ]
    return [Record(prefix, "Details held", None, [Passage(f"{prefix}/{k}", label, text) for k, label, text in facts])]


@source("schools.flags", label="Vulnerability flags", order=20)
def flags(*, portal, subject: Subject) -> list[Record]:
    if not subject.is_pupil or not portal.can(Cap.VIEW_VULNERABILITY_FLAGS):
        return []
    found = PupilFlag.objects.filter(pupil=subject.pupil).order_by("starts_on", "pk")
    records = []
    for f in found:
        prefix = f"schools.flag:{f.pk}"
        period = f"From {f.starts_on:%-d %b %Y}" + (f" to {f.ends_on:%-d %b %Y}" if f.ends_on else ", current")
        records.append(
            Record(
                prefix,
                f.get_kind_display(),
                f.starts_on,
                [Passage(f"{prefix}/period", "Period", f"{period} ({f.get_source_display()})")],
            )
        )
    return records
