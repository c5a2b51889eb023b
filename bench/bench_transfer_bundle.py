"""A signed transfer bundle for a pupil with 40 cases and N timeline entries (issue 17: 2,000 entries, built and
verified in under 5 s): build (export, chain, zip, sign) then verify, from a CP file already produced.

The CP file PDF is rendered once beforehand (``transfers.cp_file_produce``, as when the DSL presses "produce")
and its time is printed beside the result as ``pdf_s``: WeasyPrint's time grows with the file, not the bundle's.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidents import bundles, services, transfer_bundles, transfers
from incidents.models import CPFileTransfer, TimelineEntry
from safeguarding_portal.audit.chain import append_many
from safeguarding_portal.schools.models import Pupil

from . import runner
from .generator import build_trust

NAME = "transfer_bundle"
DESCRIPTION = "build and verify a CP file transfer bundle for one pupil with 40 cases and N timeline entries"
DEFAULT_SCALE = 2_000  # timeline entries across the pupil's 40 cases
DEFAULT_REPEAT = 5
CASES = 40


def _pupil_with_records(*, school, dsl, reporter, entries: int) -> tuple[Pupil, CPFileTransfer, float | None]:
    pupil = Pupil.objects.filter(school=school).order_by("pk").first()
    existing = CPFileTransfer.objects.filter(pupil=pupil, notes=f"bench:{entries}").first()
    if existing is not None:
        return pupil, existing, None  # reused: the PDF was rendered by an earlier run
    with transaction.atomic():
        cases = [
            services.incident_report(
                school=school,
                reporter=reporter,
                occurred_at=timezone.now(),
                location="on_site",
                category="cyberbullying",
                description=f"Bench concern {n + 1}: messages in a group chat.",
                device="school",
                immediate_risk=False,
                pupils=[services.PupilInvolvement(pupil.pk, "harmed")],
            )
            for n in range(CASES)
        ]
        have = TimelineEntry.objects.filter(incident__in=cases).count()
        per_case, extra = divmod(max(0, entries - have), CASES)
        now = timezone.now()
        append_many(
            [
                TimelineEntry(
                    school=school,
                    incident=c,
                    kind="note",
                    author=dsl,
                    author_name=dsl.full_name,
                    at=now,
                    text="Spoke with the pupil and parents; support plan reviewed; next check in a week.",
                )
                for i, c in enumerate(cases)
                for _ in range(per_case + (1 if i < extra else 0))
            ]
        )
    started = time.perf_counter()
    transfer = transfers.cp_file_build(
        transfer_id=transfers.cp_file_produce(school=school, pupil=pupil, by=dsl).pk
    )  # the background task's build, run here
    pdf_s = time.perf_counter() - started
    CPFileTransfer.objects.filter(pk=transfer.pk).update(notes=f"bench:{entries}")
    return pupil, transfer, pdf_s


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    data = build_trust(schools=1, pupils=20, guardians=False, label="bundle", progress=runner.progress)
    school = data.school(0)
    dsl, reporter = data.persona("dsl", 0), data.persona("staff", 0)
    _, transfer, pdf_s = _pupil_with_records(school=school, dsl=dsl, reporter=reporter, entries=scale)
    sizes: dict[str, int] = {}

    def build_and_verify() -> None:
        data_, _, count, fingerprint = transfer_bundles.build_bytes(
            school=school, transfer=transfer, by=dsl, to={"name": "Bench Secondary"}
        )
        result = bundles.verify(data_, expected_fingerprint=fingerprint)
        if not result.ok:
            raise RuntimeError(f"the bench bundle does not verify: {result.first}")
        sizes.update(records=count, bytes=len(data_))

    queries = runner.count_queries(build_and_verify)
    timing = runner.time_calls(build_and_verify, repeat=repeat)
    runner.progress(
        f"{NAME}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {queries} queries, "
        f"{sizes['records']} records, {sizes['bytes']} bytes; PDF rendered in "
        f"{'(reused)' if pdf_s is None else f'{pdf_s:.1f}s'}"
    )
    return runner.result(
        bench=NAME,
        scale=scale,
        timing=timing,
        queries=queries,
        cases=CASES,
        records=sizes["records"],
        bundle_bytes=sizes["bytes"],
        pdf_s=None if pdf_s is None else round(pdf_s, 2),
    )
