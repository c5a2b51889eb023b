"""What the class pages and registers read (a child's current photo consents, each signing request's state),
checked against the signatures and consent events they are projections of (registered in apps.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When

from safeguarding_portal.audit import projections
from safeguarding_portal.audit.projections import Mismatch

from .models import Consent, EventKind, RequestStatus, Signature, SignatureEvent, SigningRequest


def _disposed(model):
    from safeguarding_portal.retention.models import Tombstone

    return Tombstone.objects.filter(record_table=model._meta.db_table).values("record_id")


def _consents_from_chain(school_id: int) -> dict[tuple[int, str], bool]:
    """Each child's current answer per item: the latest of their signatures and consent changes."""
    latest: dict[tuple[int, str], tuple] = {}

    def offer(key: tuple[int, str], when: tuple, given: bool) -> None:
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, given)

    signatures = Signature.objects.filter(school_id=school_id, pupil__isnull=False).exclude(consents={})
    for pupil_id, at, seq, consents in signatures.values_list("pupil_id", "signed_at", "seq", "consents").iterator(
        chunk_size=5000
    ):
        for item, given in consents.items():
            offer((pupil_id, item), (at, 0, seq), bool(given))
    changes = SignatureEvent.objects.filter(
        school_id=school_id, kind__in=[EventKind.CONSENT_GIVEN, EventKind.WITHDRAWN], pupil__isnull=False
    ).exclude(pk__in=_disposed(SignatureEvent))  # blanked under the retention schedule, with its signature
    # A change made in the same instant as a signature came after it (the signature is what it changes).
    for pupil_id, at, seq, kind, data in changes.values_list("pupil_id", "at", "seq", "kind", "data").iterator(
        chunk_size=5000
    ):
        offer((pupil_id, data.get("item", "")), (at, 1, seq), kind == EventKind.CONSENT_GIVEN)
    return {key: given for key, (_when, given) in latest.items()}


def consent_mismatches() -> Iterator[Mismatch]:
    school_ids = set(Consent.objects.order_by().values_list("school_id", flat=True).distinct()) | set(
        Signature.objects.filter(pupil__isnull=False).order_by().values_list("school_id", flat=True).distinct()
    )
    for school_id in sorted(school_ids):
        expected = _consents_from_chain(school_id)
        stored = {
            (p, k): g for p, k, g in Consent.objects.filter(school_id=school_id).values_list("pupil_id", "key", "given")
        }
        for key in sorted(set(expected) | set(stored)):
            pupil_id, item = key
            record = f"pupil {pupil_id}'s consent {item!r}"
            if key not in stored:
                yield Mismatch(record, "given", "missing", expected[key])
            elif key not in expected:
                yield Mismatch(record, "given", stored[key], "no signature or consent change")
            elif stored[key] != expected[key]:
                yield Mismatch(record, "given", stored[key], expected[key])


def request_status_from_chain() -> Case:
    signed = Exists(Signature.objects.filter(request=OuterRef("pk")))
    declined = Exists(SignatureEvent.objects.filter(request=OuterRef("pk"), kind=EventKind.DECLINED))
    # Another parent or carer signed for the same child in the same campaign.
    covered = Exists(
        Signature.objects.filter(request__campaign=OuterRef("campaign"), pupil=OuterRef("pupil")).exclude(
            request=OuterRef("pk")
        )
    )
    return Case(
        When(signed, then=Value(RequestStatus.SIGNED)),
        When(declined, then=Value(RequestStatus.DECLINED)),
        When(Q(pupil__isnull=False) & covered, then=Value(RequestStatus.COVERED)),
        default=Value(RequestStatus.PENDING),
        output_field=CharField(),
    )


def request_mismatches() -> Iterator[Mismatch]:
    wrong = (
        SigningRequest.objects.annotate(chain_status=request_status_from_chain())
        .exclude(status=F("chain_status"))
        .order_by("pk")
        .values_list("pk", "status", "chain_status")
    )
    for pk, status, chain_status in wrong.iterator(chunk_size=2000):
        yield Mismatch(f"signing request {pk}", "status", status, chain_status)


def mismatches() -> Iterator[Mismatch]:
    yield from consent_mismatches()
    yield from request_mismatches()


# verify_chains runs it after the chains themselves (audit.projections, kind projection_check).
projections.register(
    "aup", label="photo consents and signing requests", agrees_with="the signatures", run=mismatches, order=20
)
