"""Appending many links to one chain at once (a campaign's "sent" events, a sweep's "reminded" events).

``audit.chain.append`` takes the chain head's lock once per record; for thousands of records of one
school that is thousands of round trips. Here the head is locked once, the links are hashed in order
in Python with the same ``link_hash`` and written with one bulk insert, so ``verify_chains`` checks
them exactly like links appended one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from safeguarding_portal.audit.chain import ChainedRecord, ChainHead
from safeguarding_portal.core.bulk import insert_rows


@transaction.atomic
def append_many(records: Sequence[ChainedRecord], *, batch_size: int = 2000) -> list[ChainedRecord]:
    if not records:
        return []
    model = type(records[0])
    label = model._meta.label
    by_chain: dict[str, list[ChainedRecord]] = defaultdict(list)
    for record in records:
        by_chain[record.chain_key()].append(record)
    for key in sorted(by_chain):  # a fixed order, so two bulk appends never wait on each other's heads
        head = ChainHead.objects.select_for_update().filter(model_label=label, chain=key).first()
        if head is None:
            ChainHead.objects.get_or_create(model_label=label, chain=key)
            head = ChainHead.objects.select_for_update().get(model_label=label, chain=key)
        seq, prev = head.seq, head.last_hash
        for record in by_chain[key]:
            seq += 1
            record.chain, record.seq, record.prev_hash = key, seq, prev
            record.hash = record.compute_hash()
            prev = record.hash
        # bulk_create skips ChainedRecord.save(); the hashes above are what save() insists on.
        insert_rows(model, by_chain[key], page_size=batch_size)
        ChainHead.objects.filter(pk=head.pk).update(seq=seq, last_hash=prev)
    return list(records)
