"""Access-walk samples for legal holds and disposal batches (safeguarding_portal.retention), merged into
access_samples.py. Each names a record of the walk's school: anyone at another school gets 404."""

from __future__ import annotations

from .access_samples import Sample, SampleContext


def _by(ctx: SampleContext):
    from .access_samples import _incident_reporter

    return _incident_reporter(ctx)


def _hold(ctx: SampleContext) -> int:
    from django.utils import timezone

    from safeguarding_portal.retention.models import LegalHold

    return LegalHold.objects.create(
        school=ctx.school,
        scope="kind",
        kind="incidents.cp_records",
        reason="inquiry",
        detail="Walk inquiry",
        placed_by=_by(ctx),
        placed_at=timezone.now(),
    ).pk


def _batch(ctx: SampleContext):
    from django.utils import timezone

    from safeguarding_portal.retention.models import DisposalBatch, DisposalItem

    batch = ctx.shared.get("disposal_batch")
    if batch is None:
        batch, _ = DisposalBatch.objects.get_or_create(
            school=ctx.school, month=timezone.localdate().replace(day=1), defaults={"made_at": timezone.now()}
        )
        DisposalItem.objects.get_or_create(
            batch=batch,
            kind="incidents.cp_records",
            record_id=999_999,
            defaults={
                "label": "OAK-2001-0001",
                "made_at": timezone.now(),
                "due_on": timezone.localdate(),
                "rule": "Child protection records: date of birth + 25 years",
            },
        )
        ctx.shared["disposal_batch"] = batch
    return batch


KWARG_SAMPLES: dict[str, Sample] = {
    "hold_id": Sample(_hold, school_object=True),
    "batch_id": Sample(lambda ctx: _batch(ctx).pk, school_object=True),
    "item_id": Sample(lambda ctx: _batch(ctx).items.first().pk, school_object=True),
}
URL_SAMPLES: dict[str, dict[str, Sample]] = {}
