"""Writes for signing: a parent's or carer's link and what they sign or decline for each child, consents
changed later, staff, governors and visitors signing their own, teachers recording pupils' agreements, and
paper agreements scanned in."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import STAFF_ROLES, Cap, Role, capabilities_for
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import append_many
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools import languages
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian, School

from ..models import (
    PAPER_SIGNATURE_PREFIX,
    PUPIL_AUDIENCES,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    Consent,
    EventKind,
    Invitation,
    PaperScan,
    RequestStatus,
    Signature,
    SignatureEvent,
    SigningRequest,
    SignMethod,
    pupil_audience,
)
from .campaigns import manage_url, new_verification_code, now, token_hash
from .translations import ShownText, shown_text

MAX_DRAWN_BYTES = 200_000
MANAGE_LINK_DAYS = 400  # a parent can change consents for the rest of the school year and beyond


# --- The parent's link ---------------------------------------------------------------------------------


class LinkProblem:
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def find_invitation(token: str, *, purpose: str = "sign") -> tuple[Invitation | None, str | None]:
    """The invitation a link names, or why the link does not work. Never says anything about a child."""
    if not token or len(token) > 100:
        return None, LinkProblem.INVALID
    invitation = _invitation_by_hash(
        "token_hash" if purpose == "sign" else "manage_token_hash", token_hash(token), pending=purpose == "sign"
    )
    if invitation is None:
        return None, LinkProblem.INVALID
    if purpose == "sign":
        if invitation.campaign.closed_at is not None or invitation.expires_at < now():
            return invitation, LinkProblem.EXPIRED
        if not invitation.has_pending:
            return invitation, LinkProblem.USED
    elif invitation.used_at is None or invitation.used_at + datetime.timedelta(days=MANAGE_LINK_DAYS) < now():
        return invitation, LinkProblem.EXPIRED
    return invitation, None


# Every open, signing and receipt of a link starts here (the start-of-year rush: hundreds a second). The ORM's
# select_related with an EXISTS annotation spent about 2 ms of CPU per call building the same SQL; this is
# that SQL, built once per process: one statement, found by the unique index on the token's hash, with the
# campaign, school, version, agreement and parent, and whether any child's request is still waiting.
_JOINED: tuple[tuple[type[models.Model], str, str], ...] = (
    (Invitation, "i", ""),
    (Campaign, "c", "i.campaign_id"),
    (School, "s", "c.school_id"),
    (AgreementVersion, "v", "c.version_id"),
    (Agreement, "a", "v.agreement_id"),
    (Guardian, "g", "i.guardian_id"),
)
_found: dict[tuple[str, str, bool], tuple[str, list[tuple[Any, list[str], list[tuple[Any, list[Any]]]]]]] = {}


def _find_plan(field: str, pending: bool) -> tuple[str, list[tuple[Any, list[str], list[tuple[Any, list[Any]]]]]]:
    """The SQL, and for each model its field names and each column's converters (SQLite's dates, JSON)."""
    key = (connection.vendor, field, pending)
    if key not in _found:
        qn = connection.ops.quote_name
        columns = ", ".join(f"{a}.{qn(f.column)}" for model, a, _ in _JOINED for f in model._meta.concrete_fields)
        joins = " ".join(f"JOIN {qn(model._meta.db_table)} {a} ON {a}.id = {on}" for model, a, on in _JOINED[1:])
        requests = qn(SigningRequest._meta.db_table)
        # Table and column names only, quoted; the values are parameters.
        exists = f", EXISTS (SELECT 1 FROM {requests} r WHERE r.invitation_id = i.id AND r.status = %s)"  # noqa: S608
        sql = f"SELECT {columns}{exists if pending else ''} FROM {qn(Invitation._meta.db_table)} i {joins} "  # noqa: S608
        plan = []
        for model, alias, _ in _JOINED:
            fields = model._meta.concrete_fields
            converters = []
            for f in fields:
                col = f.get_col(alias)
                converters.append((col, connection.ops.get_db_converters(col) + f.get_db_converters(connection)))
            plan.append((model, [f.attname for f in fields], converters))
        _found[key] = (sql + f"WHERE i.{qn(field)} = %s", plan)
    return _found[key]


def _invitation_by_hash(field: str, digest: str, *, pending: bool) -> Invitation | None:
    sql, plan = _find_plan(field, pending)
    with connection.cursor() as cursor:
        cursor.execute(sql, [RequestStatus.PENDING, digest] if pending else [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    built: list[Any] = []
    at = 0
    for model, names, converters in plan:
        values = list(row[at : at + len(names)])
        for n, (col, functions) in enumerate(converters):
            for convert in functions:
                values[n] = convert(values[n], col, connection)
        built.append(model.from_db(connection.alias, names, values))
        at += len(names)
    invitation, campaign, school, version, agreement, guardian = built
    version.agreement = agreement
    campaign.school = school
    campaign.version = version
    invitation.campaign = campaign
    invitation.guardian = guardian
    if pending:
        invitation.has_pending = bool(row[at])
    return invitation


def pending_requests(invitation: Invitation) -> list[SigningRequest]:
    return list(
        invitation.requests.filter(status=RequestStatus.PENDING)
        .select_related("pupil")
        .order_by("pupil__legal_forename")
    )


def record_opened(*, invitation: Invitation, ip: str | None) -> None:
    """The first opening of the link: its time and address on the invitation, in one UPDATE and no lock on the
    school's evidence chain (every parent of a school opens their link in the same few minutes, and each
    signature locks that chain). The chained "opened" event is written with the parent's signature or refusal
    (``_opened_events``), or by the morning sweep (``chain_openings``) for those who did neither."""
    if invitation.opened_at is not None:
        return
    at = now()
    if Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=at, opened_ip=ip or None):
        invitation.opened_at = at
        invitation.opened_ip = ip or None


def _opened_event(invitation: Invitation) -> SignatureEvent:
    return SignatureEvent(
        school_id=invitation.school_id,
        kind=EventKind.OPENED,
        at=invitation.opened_at,
        campaign_id=invitation.campaign_id,
        invitation=invitation,
        actor=invitation.guardian.full_name,
        data={"ip": invitation.opened_ip or ""},
    )


def _used(invitation: Invitation, at: datetime.datetime) -> list[SignatureEvent]:
    """Mark the link used; and, if its opening is not chained yet, claim it (a conditional UPDATE, so the sweep
    or a second submission cannot chain it too) and return its "opened" event to append with the signing's."""
    invitation.used_at = at
    if invitation.opened_at is not None and not invitation.opened_chained:
        claimed = Invitation.objects.filter(pk=invitation.pk, opened_chained=False).update(
            used_at=at, opened_chained=True
        )
        if claimed:
            invitation.opened_chained = True
            return [_opened_event(invitation)]
    Invitation.objects.filter(pk=invitation.pk).update(used_at=at)
    return []


def chain_openings(*, limit: int = 5000) -> int:
    """Chain the "opened" events of links opened but neither signed nor refused since (the morning sweep).
    The rows are locked and skipped if a signing holds them, which then chains its own."""
    with transaction.atomic():
        opened = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(opened_at__isnull=False, opened_chained=False)
            .select_related("guardian")
            .order_by("opened_at", "pk")[:limit]
        )
        if opened:
            Invitation.objects.filter(pk__in=[i.pk for i in opened]).update(opened_chained=True)
            append_many([_opened_event(i) for i in opened])
    return len(opened)


def drawn_signature_problem(data_url: str) -> str | None:
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix) or len(data_url) > MAX_DRAWN_BYTES:
        return gettext(
            "The drawn signature could not be read. Clear it and draw it again, or leave it empty and type your name."
        )
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return gettext("The drawn signature could not be read. Clear it and draw it again.")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return gettext("The drawn signature could not be read. Clear it and draw it again.")
    return None


@dataclass(frozen=True)
class SignerEvidence:
    typed_name: str
    drawn_signature: str
    ip_address: str | None
    user_agent: str


def _signature(*, school_id: int, version: AgreementVersion, evidence: SignerEvidence, **fields) -> Signature:
    return Signature(
        school_id=school_id,
        version=version,
        audience=version.agreement.audience,
        version_sha256=version.sha256,
        signer_name=evidence.typed_name,
        signed_at=now(),
        ip_address=evidence.ip_address or None,
        user_agent=evidence.user_agent[:400],
        drawn_signature=evidence.drawn_signature,
        verification_code=new_verification_code(),
        **fields,
    )


def _set_consents(*, signatures: list[Signature], items: list[dict], actor: str) -> None:
    """Each child's current answers, from their signatures: one upsert for every child and item."""
    labels = {item["key"]: item["label"] for item in items}
    rows = [
        Consent(
            school_id=s.school_id,
            pupil_id=s.pupil_id,
            key=key,
            label=labels.get(key, key),
            given=given,
            signature=s,
            changed_at=s.signed_at,
            changed_by=actor,
        )
        for s in signatures
        for key, given in s.consents.items()
    ]
    if rows:
        Consent.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["pupil", "key"],
            update_fields=["school", "label", "given", "signature", "changed_at", "changed_by"],
        )


def sign_for_children(
    *,
    invitation: Invitation,
    answers: dict[int, dict[str, bool]],
    evidence: SignerEvidence,
    issue_certificates: bool = True,
    shown: ShownText | None = None,
) -> list[Signature]:
    """Sign every pending request of the invitation; ``answers`` maps each pupil to their consent answers.

    ``shown`` is the text the page rendered (``shown_text``; the English original when None): each signature
    records its language and hash, and the receipt email goes in that language.

    A double submission finds the requests already signed and records nothing more (the row locks make the
    second wait for the first, then see its result).
    """
    with transaction.atomic():
        requests = list(
            SigningRequest.objects.select_for_update()
            .filter(invitation=invitation, status=RequestStatus.PENDING)
            .order_by("pk")
        )
        if not requests:
            # Signed by another send of the same form (a double tap that waited for our row locks): say the
            # link is used, so the page shows the confirmation rather than the form.
            invitation.used_at = Invitation.objects.filter(pk=invitation.pk).values_list("used_at", flat=True).first()
            return []
        version = invitation.campaign.version
        items = version.consent_items
        shown = shown or shown_text(version=version, language=languages.ENGLISH)
        at = now()
        signatures = []
        for request in requests:
            child_answers = answers.get(request.pupil_id, {})
            consents = {item["key"]: bool(child_answers.get(item["key"], False)) for item in items}
            signature = _signature(
                school_id=invitation.school_id,
                version=version,
                evidence=evidence,
                request=request,
                pupil_id=request.pupil_id,
                guardian_id=invitation.guardian_id,
                consents=consents,
                text_language=shown.language,
                text_sha256=shown.sha256,
            )
            signature.signed_at = at
            signatures.append(signature)
        # One lock of the school's chain head for all the children, then every consent in one upsert.
        append_many(signatures)
        _set_consents(signatures=signatures, items=items, actor=evidence.typed_name)
        SigningRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
            status=RequestStatus.SIGNED, decided_at=at
        )
        # The other parent's requests for the same children are covered: nobody chases them any more.
        SigningRequest.objects.filter(
            campaign_id=invitation.campaign_id,
            pupil_id__in=[r.pupil_id for r in requests],
            status=RequestStatus.PENDING,
        ).update(status=RequestStatus.COVERED, decided_at=at)
        opened = _used(invitation, at)
        append_many(
            opened
            + [
                SignatureEvent(
                    school_id=invitation.school_id,
                    kind=EventKind.SIGNED,
                    at=at,
                    campaign_id=invitation.campaign_id,
                    invitation=invitation,
                    request=s.request,
                    signature=s,
                    pupil_id=s.pupil_id,
                    actor=evidence.typed_name,
                    data={
                        "ip": evidence.ip_address or "",
                        "user_agent": evidence.user_agent[:200],
                        "consents": s.consents,
                    },
                )
                for s in signatures
            ]
        )
        if issue_certificates:
            enqueue(
                "aup.issue_certificates",
                signature_ids=[s.pk for s in signatures],
                email=invitation.email,
                manage_url=manage_url(invitation),
                language=shown.language,
            )
    return signatures


@transaction.atomic
def decline(*, invitation: Invitation, reason: str, evidence: SignerEvidence) -> int:
    requests = list(
        SigningRequest.objects.select_for_update().filter(invitation=invitation, status=RequestStatus.PENDING)
    )
    at = now()
    SigningRequest.objects.filter(pk__in=[r.pk for r in requests]).update(status=RequestStatus.DECLINED, decided_at=at)
    opened = _used(invitation, at)
    append_many(
        opened
        + [
            SignatureEvent(
                school_id=invitation.school_id,
                kind=EventKind.DECLINED,
                at=at,
                campaign_id=invitation.campaign_id,
                invitation=invitation,
                request=r,
                pupil_id=r.pupil_id,
                actor=evidence.typed_name or invitation.guardian.full_name,
                data={"reason": reason[:500]},
            )
            for r in requests
        ]
    )
    return len(requests)


@transaction.atomic
def change_consent(*, signature: Signature, key: str, given: bool, actor: str, ip: str | None = None) -> bool:
    """Withdraw or give one consent: the child's current answer changes at once, and the event is kept."""
    items = {item["key"]: item["label"] for item in signature.version.consent_items}
    if key not in items or signature.pupil_id is None:
        raise ValidationError("That is not one of this agreement's consent questions.")
    current = Consent.objects.select_for_update().filter(pupil_id=signature.pupil_id, key=key).first()
    if current is not None and current.given == given:
        return False
    at = now()
    Consent.objects.update_or_create(
        pupil_id=signature.pupil_id,
        key=key,
        defaults={
            "school_id": signature.school_id,
            "label": items[key],
            "given": given,
            "signature": signature,
            "changed_at": at,
            "changed_by": actor,
        },
    )
    chain.append(
        SignatureEvent(
            school_id=signature.school_id,
            kind=EventKind.CONSENT_GIVEN if given else EventKind.WITHDRAWN,
            at=at,
            signature=signature,
            pupil_id=signature.pupil_id,
            actor=actor,
            request_id=signature.request_id,
            data={"item": key, "label": items[key], "ip": ip or ""},
        )
    )
    return True


def record_viewed(*, invitation: Invitation, ip: str | None) -> None:
    chain.append(
        SignatureEvent(
            school_id=invitation.school_id,
            kind=EventKind.VIEWED,
            at=now(),
            campaign_id=invitation.campaign_id,
            invitation=invitation,
            actor=invitation.guardian.full_name,
            data={"ip": ip or ""},
        )
    )


# --- Staff, governors, visitors, pupils ---------------------------------------------------------------


def audiences_for_roles(roles) -> list[str]:
    audiences = []
    if set(roles) & set(STAFF_ROLES):
        audiences.append(Audience.STAFF)
    if Role.GOVERNOR in roles:
        audiences.append(Audience.GOVERNOR)
    return audiences


@transaction.atomic
def sign_own(
    *, school: School, user: User, version: AgreementVersion, evidence: SignerEvidence, issue_certificate: bool = True
) -> Signature:
    if not version.is_published or version.agreement.school_id != school.pk:
        raise ValidationError("This agreement is not open for signing.")
    # One current signature per person and version: a second submit returns the first.
    existing = Signature.objects.filter(school=school, user=user, version=version).first()
    if existing:
        return existing
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise one person's double submit
    existing = Signature.objects.filter(school=school, user=user, version=version).first()
    if existing:
        return existing
    request = (
        SigningRequest.objects.select_for_update()
        .filter(user=user, campaign__version=version, status=RequestStatus.PENDING, campaign__school=school)
        .first()
    )
    signature = _signature(school_id=school.pk, version=version, evidence=evidence, user=user, request=request)
    chain.append(signature)
    if request:
        SigningRequest.objects.filter(pk=request.pk).update(status=RequestStatus.SIGNED, decided_at=signature.signed_at)
    chain.append(
        SignatureEvent(
            school_id=school.pk,
            kind=EventKind.SIGNED,
            at=signature.signed_at,
            signature=signature,
            request=request,
            campaign_id=request.campaign_id if request else None,
            actor=user.full_name,
            data={"ip": evidence.ip_address or "", "user_agent": evidence.user_agent[:200]},
        )
    )
    if issue_certificate:
        enqueue("aup.issue_certificates", signature_ids=[signature.pk], email=user.email, manage_url="")
    return signature


def sign_visitor(
    *, agreement: Agreement, organisation: str, submission_token: uuid.UUID, evidence: SignerEvidence
) -> Signature:
    version = agreement.current_version
    if version is None or agreement.audience != Audience.VISITOR:
        raise ValidationError("This agreement is not open for signing.")
    existing = Signature.objects.filter(submission_token=submission_token).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            signature = _signature(
                school_id=agreement.school_id,
                version=version,
                evidence=evidence,
                organisation=organisation.strip()[:200],
                submission_token=submission_token,
            )
            chain.append(signature)
            chain.append(
                SignatureEvent(
                    school_id=agreement.school_id,
                    kind=EventKind.SIGNED,
                    at=signature.signed_at,
                    signature=signature,
                    actor=evidence.typed_name,
                    data={"ip": evidence.ip_address or "", "user_agent": evidence.user_agent[:200]},
                )
            )
    except IntegrityError:
        return Signature.objects.get(submission_token=submission_token)
    return signature


@transaction.atomic
def record_pupil_agreements(
    *, school: School, pupils: list[Pupil], agreed_on: datetime.date, witness: User
) -> list[Signature]:
    """The teacher talked these pupils through their agreement and they agreed; the teacher is the witness."""
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "That date is in the future."})
    versions = {}
    for audience in PUPIL_AUDIENCES:
        agreement = Agreement.objects.filter(school=school, audience=audience).first()
        versions[audience] = agreement.current_version if agreement else None
    signatures = []
    for pupil in pupils:
        version = versions[pupil_audience(pupil.year_group)]
        if version is None:
            raise ValidationError(
                f"Publish the {dict(Audience.choices)[pupil_audience(pupil.year_group)].lower()} agreement first."
            )
        if Signature.objects.filter(pupil=pupil, version=version, witness__isnull=False).exists():
            continue
        signature = _signature(
            school_id=school.pk,
            version=version,
            pupil=pupil,
            witness=witness,
            agreed_on=agreed_on,
            evidence=SignerEvidence(typed_name=pupil.full_name, drawn_signature="", ip_address=None, user_agent=""),
        )
        chain.append(signature)
        signatures.append(signature)
    append_many(
        [
            SignatureEvent(
                school_id=school.pk,
                kind=EventKind.SIGNED,
                at=s.signed_at,
                signature=s,
                pupil_id=s.pupil_id,
                actor=witness.full_name,
                data={"witness": witness.full_name, "agreed_on": agreed_on.isoformat()},
            )
            for s in signatures
        ]
    )
    return signatures


# --- Paper agreements ----------------------------------------------------------------------------------
# A parent who signs the printed agreement hands it in; the office records it with a scan. The evidence rules
# are the online ones: who recorded it (the witness), when (``signed_at``), from where (the recorder's address
# and browser), the hash of the version's text, and the date written on the paper (``agreed_on``). The scan is
# stored through the storage API and named, by its SHA-256, in the chained signature.

MAX_SCAN_BYTES = 10 * 1024 * 1024
_SCAN_TYPES = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def scan_problem(upload) -> str | None:
    if upload is None:
        return "Attach the scan (or a photo) of the signed paper copy."
    if upload.size > MAX_SCAN_BYTES:
        return "The scan is larger than 10 MB: scan it at a lower resolution."
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in _SCAN_TYPES):
        return "Attach the scan as a PDF, PNG or JPEG file."
    return None


def _scan_type(upload) -> str:
    head = upload.read(8)
    upload.seek(0)
    return next(kind for magic, kind in _SCAN_TYPES.items() if head.startswith(magic))


def _holds(user: User, school: School, capability: Cap) -> bool:
    roles = set(Membership.objects.current().filter(user=user, school=school).values_list("role", flat=True))
    return capability in capabilities_for(roles)


@transaction.atomic
def record_paper_agreement(
    *,
    school: School,
    pupil: Pupil,
    guardian: Guardian,
    by: User,
    signed_on: datetime.date,
    answers: dict[str, bool],
    scan: Any,
    ip_address: str | None,
    user_agent: str,
    submission_token: uuid.UUID,
    signer_name: str = "",
    issue_certificate: bool = True,
) -> Signature:
    """Record the parents' agreement ``guardian`` signed on paper for ``pupil``, with the scan of it.

    It answers the child's waiting request in any open campaign of the version (the other parent's are then
    covered, as online), sets the child's consents from the paper's answers, and emails the parent the
    certificate (and, when they had a link, the page to change consents later). The form's token makes a
    double submission one record.
    """
    existing = Signature.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing
    agreement, version = _paper_agreement(school=school, pupil=pupil, guardian=guardian, by=by)
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()  # one record per child at a time
    existing = Signature.objects.filter(submission_token=submission_token).first()
    if existing is not None:  # the first click of a double submission finished while this one waited
        return existing
    _check_paper(agreement=agreement, version=version, pupil=pupil, signed_on=signed_on, answers=answers, scan=scan)
    at = now()
    paper = _store_scan(school=school, scan=scan, by=by, at=at)
    request = (
        SigningRequest.objects.select_for_update(of=("self",))
        .filter(
            campaign__version=version,
            campaign__closed_at__isnull=True,
            pupil=pupil,
            guardian=guardian,
            status=RequestStatus.PENDING,
        )
        .select_related("invitation")
        .order_by("-campaign__created_at")
        .first()
    )
    name = (signer_name or guardian.full_name).strip()[:200]
    signature = _signature(
        school_id=school.pk,
        version=version,
        evidence=SignerEvidence(
            typed_name=name,
            drawn_signature=f"{PAPER_SIGNATURE_PREFIX}{paper.sha256}",
            ip_address=ip_address,
            user_agent=user_agent,
        ),
        request=request,
        pupil=pupil,
        guardian=guardian,
        witness=by,
        agreed_on=signed_on,
        consents={item["key"]: bool(answers[item["key"]]) for item in version.consent_items},
        method=SignMethod.PAPER,
        paper_scan=paper,
        submission_token=submission_token,
    )
    signature.signed_at = at
    chain.append(signature)
    _set_consents(signatures=[signature], items=version.consent_items, actor=f"{name} (on paper)")
    invitation = _paper_signed(
        version=version,
        signing_request=request,
        signature=signature,
        by=by,
        at=at,
        data={
            "paper": True,
            "signer": name,
            "signed_on": signed_on.isoformat(),
            "recorded_by": by.full_name,
            "ip": ip_address or "",
            "user_agent": user_agent[:200],
            "scan_sha256": paper.sha256,
            "consents": signature.consents,
        },
    )
    email = invitation.email if invitation is not None else guardian.email
    if issue_certificate and email:
        enqueue(
            "aup.issue_certificates",
            signature_ids=[signature.pk],
            email=email,
            manage_url=manage_url(invitation) if invitation is not None else "",
        )
    return signature


def _paper_agreement(
    *, school: School, pupil: Pupil, guardian: Guardian, by: User
) -> tuple[Agreement, AgreementVersion]:
    """The parents' agreement and its current version, when ``by`` may record it for this parent and child."""
    if not _holds(by, school, Cap.MANAGE_AGREEMENTS):
        raise ValidationError("Only the office and the safeguarding team record paper agreements.")
    agreement = Agreement.objects.filter(school=school, audience=Audience.PARENT).first()
    version = agreement.current_version if agreement else None
    if agreement is None or version is None:
        raise ValidationError("Publish the parents' agreement first.")
    if (
        pupil.school_id != school.pk
        or not PupilGuardian.objects.filter(pupil=pupil, guardian=guardian, has_parental_responsibility=True).exists()
    ):
        raise ValidationError({"guardian": "Choose a parent or carer with parental responsibility for the child."})
    return agreement, version


def _check_paper(
    *,
    agreement: Agreement,
    version: AgreementVersion,
    pupil: Pupil,
    signed_on: datetime.date,
    answers: dict[str, bool],
    scan: Any,
) -> None:
    """Refuse a paper copy for a child who already has a current agreement, dated in the future or before the
    version, without an answer to every consent, or without a scan the portal takes."""
    current = Signature.objects.filter(
        pupil=pupil, **{"version__agreement": agreement, "version__number__gte": agreement.current_from}
    ).first()
    if current is not None:
        raise ValidationError(
            f"{pupil.full_name} already has a current parents' agreement, signed "
            f"{timezone.localtime(current.signed_at):%d %b %Y}."
        )
    today = timezone.localdate()
    if signed_on > today:
        raise ValidationError({"signed_on": "That date is in the future."})
    if signed_on < timezone.localdate(version.published_at):
        raise ValidationError(
            {
                "signed_on": f"That is before {version.label} was published "
                f"({timezone.localtime(version.published_at):%d %b %Y}): a paper copy "
                "signed then is of an older version."
            }
        )
    missing = [item["label"] for item in version.consent_items if item["key"] not in answers]
    if missing:
        raise ValidationError({"answers": f"Enter the paper's answer to: {'; '.join(missing)}."})
    problem = scan_problem(scan)
    if problem:
        raise ValidationError({"scan": problem})


def _store_scan(*, school: School, scan: Any, by: User, at: datetime.datetime) -> PaperScan:
    digest = hashlib.sha256()
    for part in scan.chunks():
        digest.update(part)
    scan.seek(0)
    paper = PaperScan(
        school=school,
        original_name=(scan.name or "scan")[:200],
        content_type=_scan_type(scan),
        size=scan.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=at,
    )
    paper.file.save(paper.original_name, scan, save=False)
    paper.save()
    return paper


def _paper_signed(
    *,
    version: AgreementVersion,
    signing_request: SigningRequest | None,
    signature: Signature,
    by: User,
    at: datetime.datetime,
    data: dict[str, Any],
) -> Invitation | None:
    """The child's requests answered (this parent's signed, the others covered), the parent's link marked used,
    and the chained "signed" event. Returns the parent's invitation, when they had one."""
    pupil = signature.pupil
    if signing_request is not None:
        SigningRequest.objects.filter(pk=signing_request.pk).update(status=RequestStatus.SIGNED, decided_at=at)
    SigningRequest.objects.filter(campaign__version=version, pupil=pupil, status=RequestStatus.PENDING).update(
        status=RequestStatus.COVERED, decided_at=at
    )
    invitation = signing_request.invitation if signing_request is not None else None
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(used_at=at)  # their link now shows what was recorded
    chain.append(
        SignatureEvent(
            school_id=signature.school_id,
            kind=EventKind.SIGNED,
            at=at,
            campaign_id=signing_request.campaign_id if signing_request else None,
            invitation=invitation,
            request=signing_request,
            signature=signature,
            pupil=pupil,
            actor=by.full_name,
            data=data,
        )
    )
    return invitation


def guardian_children(guardian: Guardian) -> list[Pupil]:
    return list(guardian.children.on_roll())
