"""Disposing of signed agreements and consents under the retention schedule (``safeguarding_portal/retention/
disposal.py`` has the design: the sweep, holds, four eyes, tombstones).

A signature is the unit: what one person signed (for one child, for a parent), with its consents, its events
(signed, withdrawn, consent given again...), its certificate and, for one signed on paper, its scan. It is due
the school's period after the person it is about left: the child's leaving date for a parent's or pupil's
agreement (``Pupil.left_on``), the end of the signer's last role at the school for a member of staff or a
governor, the day of the visit for a visitor (a visitor leaves the day they come).

Disposal blanks the personal content and keeps the skeleton: the signer's name and organisation, the address and
browser they signed from, the drawn signature, the consents given, and each event's actor and details are blanked;
which version was signed (with the text's hash), when, by which kind of signer, the verification code, the links,
ids and dates stay, each blanked row with its tombstone. The certificate PDF and the paper scan are deleted
through the storage API once the transaction commits (a rolled-back disposal keeps them); the certificate's
SHA-256 stays, so the verify page still recognises a certificate someone kept and says it was disposed of. The
child's current consents (``Consent``, a projection) made by the signature are removed with it.

Left for later: the events of a parent's invitation as a whole (sent, opened, viewed, bounced: the parent's name
and address) and a declined request's reason, which belong to no one signature; and the invitation's email.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from safeguarding_portal.retention.models import Tombstone
from safeguarding_portal.retention.registry import Due

from .models import Certificate, Consent, PaperScan, Signature, SignatureEvent, SignMethod

KIND = "aup.agreements"


def disposed_of(signature: Signature) -> Tombstone | None:
    """The signature's tombstone if it was disposed of (the verify page, the SAR pack and the bundle say so)."""
    return Tombstone.objects.filter(record_table=Signature._meta.db_table, record_id=signature.pk).first()


def disposed_ids(ids: Iterable[int]) -> dict[int, Tombstone]:
    return {
        t.record_id: t for t in Tombstone.objects.filter(record_table=Signature._meta.db_table, record_id__in=list(ids))
    }


class AgreementDisposal:
    """``retention.registry.Disposal`` for agreements and consents (``aup.agreements``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import staff_gone, years_after, years_before

        if not school_ids:
            return []
        cutoff = years_before(today, years)
        signatures = Signature.objects.filter(school_id__in=school_ids)
        for ids in excluded:
            signatures = signatures.exclude(pk__in=ids)
        fields = ("school_id", "pk", "verification_code", "signed_at")
        # A parent's or a pupil's agreement: the child left, and the period has passed since.
        children = (
            signatures.filter(pupil__isnull=False, pupil__left_on__lte=cutoff)
            .exclude(pupil_id__in=held_pupils)
            .order_by()
            .values_list(*fields, "pupil__left_on")
        )
        # A member of staff's or a governor's own: no role at the school since the cutoff.
        standing, left_on = staff_gone(cutoff=cutoff)
        staff = (
            signatures.filter(pupil__isnull=True, user__isnull=False)
            .exclude(standing)
            .annotate(left=left_on)
            .filter(left__lte=cutoff)
            .order_by()
            .values_list(*fields, "left")
        )
        # A visitor's: signed on the day they came.
        visitors = (
            signatures.filter(pupil__isnull=True, user__isnull=True, signed_at__date__lte=cutoff)
            .order_by()
            .values_list(*fields, "signed_at")
        )
        found = []
        for rows in (children, staff, visitors):
            for sid, pk, code, signed_at, left in rows.iterator(chunk_size=5000):
                left = left.date() if isinstance(left, datetime.datetime) else left
                found.append(
                    Due(school_id=sid, record_id=pk, label=code, made_at=signed_at, due_on=years_after(left, years))
                )
        return found

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for pk, pupil_id in Signature.objects.filter(pk__in=record_ids, pupil__isnull=False).values_list(
            "pk", "pupil_id"
        ):
            found[pk].add(pupil_id)
        return found

    def find(self, *, school, label: str) -> int | None:
        from .services import normalise_code

        code = normalise_code(label)
        return Signature.objects.filter(school=school, verification_code=code).values_list("pk", flat=True).first()

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of

        signature = Signature.objects.get(pk=record_id, school=school)
        rows = 0
        mine = Q(signature=signature)
        if signature.request_id:  # the request's own events before it was signed (the notice sent)
            mine |= Q(request_id=signature.request_id, signature__isnull=True)
        for event in SignatureEvent.objects.filter(mine).order_by("seq"):
            blanked = {"actor": "", "data": {}}
            tombstone(event, residue=residue_of(event, blanked), made_at=event.at)
            blank(event, blanked)
            rows += 1
        certificate = Certificate.objects.filter(signature=signature).first()
        if certificate is not None:
            tombstone(certificate, made_at=certificate.created_at)
            rows += _blank_file(certificate, "pdf", {"pdf": ""})
        scan = signature.paper_scan
        # One scan may show several children's agreements signed on one paper: deleted with the last of them.
        others = (
            Signature.objects.filter(paper_scan=scan)
            .exclude(pk=signature.pk)
            .exclude(Exists(Tombstone.objects.filter(record_table="aup_signature", record_id=OuterRef("pk"))))
        )
        if scan is not None and not others.exists():
            tombstone(scan, made_at=scan.uploaded_at)
            rows += _blank_file(scan, "file", {"file": "", "original_name": ""})
        # The child's current answers this signature gave: a projection of what is now blanked.
        Consent.objects.filter(signature=signature).delete()
        values: dict[str, Any] = {
            "signer_name": "",
            "organisation": "",
            "ip_address": None,
            "user_agent": "",
            "consents": {},
        }
        if signature.method == SignMethod.ONLINE:
            values["drawn_signature"] = ""  # a paper one's names its scan by hash: nothing personal
        tombstone(signature, residue=residue_of(signature, values), made_at=signature.signed_at)
        blank(signature, values)
        return rows + 1


def _blank_file(row: Certificate | PaperScan, field: str, values: dict[str, Any]) -> int:
    from safeguarding_portal.retention.disposal import blank

    stored = getattr(row, field)
    name, storage = stored.name, stored.storage
    blank(row, values)
    if name:
        # Once the blanking has committed: a rolled-back disposal keeps its file.
        transaction.on_commit(partial(storage.delete, name))
    return 1
