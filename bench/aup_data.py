"""Bench data for agreements: a school of N pupils with about 1.5 parents each, and published agreements."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from aup import services
from aup.models import Audience
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian

from .generator import BuildResult, build_trust


def build_families(*, schools: int, pupils: int, label: str, progress: Callable[[str], None]) -> BuildResult:
    """The generator's trust (one carer per pupil), plus a second carer for every other pupil."""
    data = build_trust(schools=schools, pupils=pupils, label=label, progress=progress)
    with transaction.atomic():
        if Guardian.objects.filter(school__trust=data.trust, email__startswith="second.").exists():
            return data
        rows = list(
            Pupil.objects.filter(school__trust=data.trust).order_by("pk").values_list("pk", "school_id", "surname")
        )[::2]
        carers = Guardian.objects.bulk_create(
            [
                Guardian(school_id=s, full_name=f"Sam {surname}", email=f"second.{pk}@home.example")
                for pk, s, surname in rows
            ],
            batch_size=5000,
        )
        PupilGuardian.objects.bulk_create(
            [
                PupilGuardian(pupil_id=pk, guardian_id=g.pk, relationship="Parent", contact_priority=2)
                for (pk, _, _), g in zip(rows, carers, strict=True)
            ],
            batch_size=5000,
        )
        progress(f"  second carers for {len(rows):,} pupils")
    return data


def publish_parents_agreement(school, *, by):
    agreement = services.ensure_agreement(school=school, audience=Audience.PARENT)
    return agreement.current_version or services.publish(version=agreement.draft, by=by)
