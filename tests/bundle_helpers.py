"""Shared helpers for transfer bundle tests: a pupil with records, a produced file."""

from __future__ import annotations

from incidents import transfers

from .factories import PupilFactory
from .incident_helpers import make_case


def leaver_with_records(*, school, reporter, cases: int = 2):
    pupil = PupilFactory(school=school, legal_forename="Sam", surname="Mover", upn="A123456789012")
    for n in range(cases):
        make_case(school=school, reporter=reporter, pupils=[pupil], description=f"Concern number {n + 1} about Sam.")
    return pupil


def built(transfer):
    """The CP file's build, as its background task does it (the request only asks for it)."""
    return transfers.cp_file_build(transfer_id=transfer.pk)


def produced(*, school, dsl, pupil):
    return built(transfers.cp_file_produce(school=school, pupil=pupil, by=dsl))
