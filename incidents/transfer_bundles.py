"""Signed transfer bundles: the school's signing key, building and sending a bundle, the one-time link, receiving,
importing and filing a bundle under a pupil, and the early notice of a move. The format is ``incidents.bundles``.

Writes take the user, the school and an audit ``Origin``; what the user may see at the school (the cases that go in a
bundle) is built here with ``accounts.context.acting_as``. Reads are at the end.
Every view of a bundle or of received records is audited by the views.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from safeguarding_portal.accounts.context import acting_as
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.outbox.email import send_email
from safeguarding_portal.schools.models import Pupil, School

from . import bundles, chronology, transfers
from .models import (
    CPFileTransfer,
    DeviceSearchEntry,
    EntryKind,
    ReceivedBundle,
    SigningKey,
    TransferBundle,
    TransferMethod,
)

LINK_DAYS = 7
LINK_MAX_ATTEMPTS = 5

# --- The school's signing key --------------------------------------------------------------------------------


def _fernet() -> MultiFernet:
    # As accounts.resume: the current SECRET_KEY encrypts, fallbacks still decrypt after a rotation.
    def key(secret: str) -> Fernet:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"safeguarding-portal", info=b"incidents signing keys"
        ).derive(secret.encode())
        return Fernet(base64.urlsafe_b64encode(derived))

    return MultiFernet([key(s) for s in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]])


@transaction.atomic
def signing_key_of(*, school: School) -> SigningKey | None:
    """The school's active key, if it has one: a read (the "Files received" page shows it without making one)."""
    return SigningKey.objects.filter(school=school, retired_at__isnull=True).first()


@transaction.atomic
def signing_key_ensure(*, school: School, by: User, origin: Origin | None = None) -> SigningKey:
    """The school's active key, made when first needed (to sign a bundle, or to show its fingerprint), and its
    making audited. The private half is only ever stored encrypted."""
    School.objects.select_for_update().filter(pk=school.pk).first()  # one key even if two DSLs send at once
    key = signing_key_of(school=school)
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = bundles.public_raw(private)
    key = SigningKey.objects.create(
        school=school,
        created_at=timezone.now(),
        public_key=base64.b64encode(raw_public).decode(),
        fingerprint=bundles.fingerprint_of(raw_public),
        private_key_encrypted=_fernet().encrypt(raw_private).decode(),
    )
    audit_record(
        action="incidents.signing_key_made",
        origin=origin,
        actor=by,
        school=school,
        obj=None,
        summary="The school's bundle signing key was made",
        detail={"fingerprint": key.fingerprint},
    )
    return key


def _private_key(key: SigningKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(key.private_key_encrypted.encode()))


def known_fingerprint(*, school_name: str, urn: str) -> str:
    """This portal's record of a school's key (the same deployment), to check a bundle against; empty if none."""
    school = School.objects.filter(urn=urn).first() if urn else None
    if school is None:
        return ""
    key = SigningKey.objects.filter(school=school, retired_at__isnull=True).first()
    return key.fingerprint if key else ""


# --- What goes in ---------------------------------------------------------------------------------------------


def export_records(*, school: School, by: User, pupil: Pupil) -> list[dict]:
    """The pupil's safeguarding records, oldest first within each kind: the cases ``by`` may see at ``school`` with
    their whole timelines (as the CP file PDF), device searches, then every other app's records (its exporter)."""
    out: list[dict] = []
    # Labels once: a lazy label per entry (get_kind_display) cost more than hashing the entry.
    kinds = {k: str(v) for k, v in EntryKind.choices}
    for it in chronology.pupil_chronology(portal=acting_as(user=by, school=school), pupil=pupil):
        inc = it.incident
        out.append(
            bundles.item(
                "case",
                inc.pk,
                {
                    "case": inc.reference,
                    "category": inc.get_category_display(),
                    "four_c": inc.get_four_c_display(),
                    "pupil_part": it.link.get_role_display(),
                    "occurred_at": inc.occurred_at,
                    "reported_at": inc.reported_at,
                    "reported_by": inc.reported_by.full_name,
                    "location": inc.get_location_display(),
                    "description": inc.description,
                    "action_taken": inc.action_taken,
                    "status": inc.get_status_display(),
                    "severity": inc.get_severity_display() if inc.severity else "",
                    "closed_at": inc.closed_at,
                },
            )
        )
        for e in it.entries:
            out.append(
                bundles.item(
                    "timeline_entry",
                    e.pk,
                    {
                        "case": inc.reference,
                        "case_id": inc.pk,
                        "kind": kinds.get(e.kind, e.kind),
                        "at": e.at,
                        "author": e.author_name,
                        "text": e.text,
                    },
                    e,
                )
            )
    from .searches import searches

    for s in searches(school=pupil.school).filter(pupil=pupil).order_by("searched_at", "pk"):
        out.append(
            bundles.item(
                "device_search",
                s.pk,
                {
                    "searched_at": s.searched_at,
                    "device": s.device,
                    "grounds": s.get_grounds_display(),
                    "reason": s.reason,
                    "looked_at": s.looked_at,
                    "found": s.found,
                    "outcome": s.get_outcome_display(),
                },
                s,
            )
        )
        for e in DeviceSearchEntry.objects.filter(search=s).order_by("at", "pk"):
            out.append(
                bundles.item("device_search_entry", e.pk, {"kind": e.get_kind_display(), "at": e.at, "text": e.text}, e)
            )
    for exporter in bundles.exporters():
        out.extend(exporter(school=pupil.school, pupil=pupil))
    return mark_disposed(out)


def mark_disposed(records: list[dict]) -> list[dict]:
    """Give each record disposed of under the retention schedule its tombstone in its origin (bundles.py says
    why): one query for the whole bundle. Disposal unlinks a case from its pupils, so a pupil's bundle rarely
    reaches one; a record reached some other way still verifies."""
    from safeguarding_portal.retention.models import Tombstone

    chained = [r for r in records if r["origin"]]
    if not chained:
        return records
    stones = {
        (t.record_model, t.record_id): t
        for t in Tombstone.objects.filter(
            record_model__in={r["origin"]["model"] for r in chained}, record_id__in={r["id"] for r in chained}
        )
    }
    for r in chained:
        t = stones.get((r["origin"]["model"], r["id"]))
        if t is not None and t.record_hash == r["origin"]["hash"]:
            r["origin"]["disposed"] = _canonical_disposed(t)
    return records


def _canonical_disposed(t) -> dict:
    return {
        "residue_hash": t.residue_hash,
        "disposed_at": t.disposed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "rule": t.rule,
        "tombstone": {"chain": t.chain, "seq": t.seq, "hash": t.hash},
    }


def _check_origins(records: list[dict]) -> None:
    """Refuse to sign a record whose stored link no longer matches its content: the sender finds out, not the
    receiver."""
    for n, r in enumerate(records, start=1):
        o = r["origin"]
        if o and bundles.origin_problem(o):
            where = bundles.describe({**r, "n": n}, len(records))
            raise ValidationError(
                f"The bundle was not made: {where} no longer matches its hash-chain link. "
                "Run the chain check and report it."
            )


def _read_pdf(transfer: CPFileTransfer) -> bytes:
    if not transfer.is_ready:
        raise ValidationError("The CP file is still being prepared: send the bundle once it is ready.")
    if not transfer.pdf:
        raise ValidationError(
            "This CP file was disposed of under the retention schedule: produce a new one to send the pupil's file."
        )
    with transfer.pdf.open("rb") as handle:
        pdf = handle.read()
    if hashlib.sha256(pdf).hexdigest() != transfer.sha256:
        raise ValidationError("The stored CP file does not match its recorded checksum; produce a new one.")
    return pdf


def build_bytes(
    *, school: School, transfer: CPFileTransfer, by: User, to: dict[str, str]
) -> tuple[bytes, str, int, str]:
    """The bundle for ``transfer``: (bytes, bundle id, record count, key fingerprint). Writes nothing but the key."""
    if transfer.school_id != school.pk:
        raise ValidationError("That file is not at this school.")
    pupil = transfer.pupil
    key = signing_key_ensure(school=school, by=by)
    records = export_records(school=school, by=by, pupil=pupil)
    _check_origins(records)
    bundle_id = str(uuid.uuid4())
    data = bundles.build(
        private_key=_private_key(key),
        pdf=_read_pdf(transfer),
        records=records,
        bundle_id=bundle_id,
        created_at=timezone.now(),
        deployment=settings.SITE_URL,
        from_school={"name": school.name, "urn": school.urn},
        sent_by={"name": by.full_name or by.email, "email": by.email},
        pupil={
            "upn": pupil.upn,
            "legal_forename": pupil.legal_forename,
            "preferred_forename": pupil.preferred_forename,
            "surname": pupil.surname,
            "former_surname": pupil.former_surname,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "year_group": pupil.year_group,
        },
        to=to,
    )
    return data, bundle_id, len(records), key.fingerprint


# The same "record viewed" audit line as the CP file's own steps.
_audit = transfers._audit


def _new_bundle(
    *, school: School, transfer: CPFileTransfer, by: User, route: str, to: dict[str, str], **extra
) -> tuple[TransferBundle, bytes]:
    if transfer.pupil.school_id != school.pk or transfer.school_id != school.pk:
        raise ValidationError("That file is not at this school.")
    if TransferBundle.objects.filter(transfer=transfer).exists():
        raise ValidationError("A bundle was already sent for this file; produce a new file to send again.")
    data, bundle_id, count, fingerprint = build_bytes(school=school, transfer=transfer, by=by, to=to)
    bundle = TransferBundle(
        school=transfer.school,
        transfer=transfer,
        bundle_id=bundle_id,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        record_count=count,
        fingerprint=fingerprint,
        built_at=timezone.now(),
        built_by=by,
        route=route,
        **extra,
    )
    bundle.file.save("bundle.zip", ContentFile(data), save=False)
    return bundle, data


def _dsl_team(school: School) -> list[User]:
    return [
        m.user
        for m in Membership.objects.current()
        .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL], user__is_active=True)
        .select_related("user")
    ]


@transaction.atomic
def bundle_send_in_portal(
    *, school: School, transfer: CPFileTransfer, to_school: School, by: User, origin: Origin | None = None
) -> TransferBundle:
    """Send to a school on this portal: the bundle waits in its DSL team's incoming list, and the sending is
    recorded as for any CP file (five school days to confirm)."""
    if to_school.pk == school.pk:
        raise ValidationError({"to_school": "Choose the pupil's new school, not this one."})
    bundle, data = _new_bundle(
        school=school,
        transfer=transfer,
        by=by,
        route=TransferBundle.Route.PORTAL,
        to={"name": to_school.name, "urn": to_school.urn},
        to_school=to_school,
    )
    bundle.save()
    transfers.cp_file_sent(
        transfer=transfer,
        by=by,
        sent_at=timezone.now(),
        method=TransferMethod.SECURE_PORTAL,
        receiving_school=to_school.name,
        receiving_urn=to_school.urn,
        receiving_contact="DSL team, through the Safeguarding Portal",
        origin=origin,
    )
    check = bundles.verify(data)
    received = ReceivedBundle(
        school=to_school,
        source=ReceivedBundle.Source.PORTAL,
        sent_bundle=bundle,
        bundle_id=bundle.bundle_id,
        sha256=bundle.sha256,
        received_at=timezone.now(),
        verified_at=timezone.now(),
        **_manifest_fields(check),
    )
    received.file.save("bundle.zip", ContentFile(data), save=False)
    received.save()
    _audit(
        origin=origin,
        actor=by,
        school=transfer.school,
        obj=transfer,
        summary=f"Signed CP file bundle sent to {to_school.name} through the portal",
        detail={
            "bundle": str(bundle.bundle_id),
            "sha256": bundle.sha256,
            "records": bundle.record_count,
            "to_school": to_school.pk,
        },
    )
    for user in _dsl_team(to_school):
        send_email(
            to=[user.email],
            subject="A child-protection file has arrived for your school",
            body=(
                "A child-protection file has been sent to your school through the Safeguarding Portal. "
                "Sign in to check it and accept it:\n"
                f"{settings.SITE_URL}{reverse('incidents:received', args=[received.pk])}"
            ),
            school_id=to_school.pk,
            reference=f"bundle:{bundle.pk}",
        )
    return bundle


def _manifest_fields(check: bundles.Verification) -> dict:
    m = check.manifest
    pupil = m.get("pupil") or {}
    return {
        "from_school_name": str((m.get("from_school") or {}).get("name", ""))[:200],
        "from_school_urn": str((m.get("from_school") or {}).get("urn", ""))[:6],
        "sent_by_name": str((m.get("sent_by") or {}).get("name", ""))[:200],
        "sent_at": parse_datetime(str(m.get("created_at", ""))) or timezone.now(),
        "pupil_upn": str(pupil.get("upn", ""))[:13],
        "pupil_name": f"{pupil.get('preferred_forename') or pupil.get('legal_forename', '')} "
        f"{pupil.get('surname', '')}".strip()[:200],
        "record_count": int((m.get("records") or {}).get("count") or 0),
        "fingerprint": check.fingerprint,
    }


# --- The one-time link, for a school on another system ------------------------------------------------------


def _passphrase() -> str:
    # Five groups of four from letters and digits nobody misreads over the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(5))


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase.strip().lower().encode())


def _encrypt(data: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    return salt + nonce + AESGCM(_scrypt(passphrase, salt)).encrypt(nonce, data, b"cp-transfer-bundle")


def _decrypt(blob: bytes, passphrase: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag

    try:
        return AESGCM(_scrypt(passphrase, blob[:16])).decrypt(blob[16:28], blob[28:], b"cp-transfer-bundle")
    except InvalidTag:
        return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LinkSent:
    bundle: TransferBundle
    passphrase: str  # shown once to the sender (to read out if the second email goes astray), never stored


@transaction.atomic
def bundle_send_link(
    *,
    school: School,
    transfer: CPFileTransfer,
    recipient_email: str,
    receiving_school: str,
    receiving_urn: str = "",
    by: User,
    origin: Origin | None = None,
) -> LinkSent:
    """Send to a school on another system: a one-time link (7 days, one download) in one email, the passphrase
    in a second. Only the passphrase opens the stored bundle, which is kept encrypted with it."""
    if not recipient_email.strip():
        raise ValidationError({"recipient_email": "Give the receiving DSL's email address."})
    token, passphrase = secrets.token_urlsafe(32), _passphrase()
    bundle, data = _new_bundle(
        school=school,
        transfer=transfer,
        by=by,
        route=TransferBundle.Route.LINK,
        to={"name": receiving_school.strip(), "urn": receiving_urn.strip()},
        recipient_email=recipient_email.strip(),
        link_token_hash=_token_hash(token),
        link_expires_at=timezone.now() + timezone.timedelta(days=LINK_DAYS),
    )
    bundle.encrypted_file.save("bundle.zip.enc", ContentFile(_encrypt(data, passphrase)), save=False)
    bundle.save()
    transfers.cp_file_sent(
        transfer=transfer,
        by=by,
        sent_at=timezone.now(),
        method=TransferMethod.SECURE_EMAIL,
        receiving_school=receiving_school,
        receiving_urn=receiving_urn,
        receiving_contact=recipient_email.strip(),
        origin=origin,
    )
    url = f"{settings.SITE_URL}{reverse('incidents:bundle_link', args=[token])}"
    send_email(
        to=[bundle.recipient_email],
        subject=f"A child-protection file from {school.name}",
        body=(
            f"{school.name} has sent your school a child-protection file for a pupil who is joining you.\n\n"
            f"Download it once, within {LINK_DAYS} days, from:\n{url}\n\n"
            "You need the passphrase, which comes in a separate email. The file is a signed bundle: its "
            f"signing key's fingerprint is {bundles.spaced(bundle.fingerprint)}. Please confirm receipt "
            "on the same page after downloading."
        ),
        school_id=school.pk,
        reference=f"bundle-link:{bundle.pk}",
    )
    send_email(
        to=[bundle.recipient_email],
        subject=f"Passphrase for the file from {school.name}",
        body=(
            f"The passphrase for the child-protection file {school.name} sent you is:\n\n{passphrase}\n\n"
            "The link comes in a separate email."
        ),
        school_id=school.pk,
        reference=f"bundle-passphrase:{bundle.pk}",
    )
    _audit(
        origin=origin,
        actor=by,
        school=school,
        obj=transfer,
        summary=f"Signed CP file bundle sent by one-time link to {receiving_school}",
        detail={
            "bundle": str(bundle.bundle_id),
            "sha256": bundle.sha256,
            "records": bundle.record_count,
            "expires": bundle.link_expires_at.isoformat(),
        },
    )
    return LinkSent(bundle=bundle, passphrase=passphrase)


def link_bundle(*, token: str) -> TransferBundle | None:
    if not token:
        return None
    return (
        TransferBundle.objects.filter(route=TransferBundle.Route.LINK, link_token_hash=_token_hash(token))
        .select_related("school", "transfer")
        .first()
    )


def link_state(bundle: TransferBundle) -> str:
    """ "open", "downloaded", "expired" or "locked" (too many wrong passphrases)."""
    if bundle.downloaded_at:
        return "downloaded"
    if bundle.link_expires_at <= timezone.now():
        return "expired"
    if bundle.failed_attempts >= LINK_MAX_ATTEMPTS:
        return "locked"
    return "open"


def link_download(*, token: str, passphrase: str, origin: Origin | None = None) -> bytes:
    """The bundle's bytes, once: the download is recorded (when, from where) and the link is spent."""
    with transaction.atomic():
        found = link_bundle(token=token)
        if found is None:
            raise ValidationError("This link is not valid.")
        bundle = TransferBundle.objects.select_for_update().get(pk=found.pk)
        state = link_state(bundle)
        if state != "open":
            raise ValidationError(
                {
                    "downloaded": "This link has already been used.",
                    "expired": "This link has expired: ask the sending school for a new one.",
                    "locked": "Too many wrong passphrases: ask the sending school for a new link.",
                }[state]
            )
        with bundle.encrypted_file.open("rb") as handle:
            data = _decrypt(handle.read(), passphrase)
        if data is None:
            bundle.failed_attempts += 1
            bundle.save(update_fields=["failed_attempts"])
            left = LINK_MAX_ATTEMPTS - bundle.failed_attempts
            _audit(
                origin=origin,
                actor=None,
                school=bundle.school,
                obj=bundle.transfer,
                summary="Wrong passphrase for a CP file download link",
                detail={"bundle": str(bundle.bundle_id)},
            )
            error = ValidationError({"passphrase": f"That passphrase is not right ({left} tries left)."})
        else:
            bundle.downloaded_at = timezone.now()
            bundle.downloaded_ip = origin.ip if origin else None
            bundle.save(update_fields=["downloaded_at", "downloaded_ip"])
            _audit(
                origin=origin,
                actor=None,
                school=bundle.school,
                obj=bundle.transfer,
                summary="CP file bundle downloaded through its one-time link",
                detail={"bundle": str(bundle.bundle_id), "sha256": bundle.sha256},
            )
            return data
    raise error


@transaction.atomic
def link_confirm(*, token: str, confirmed_by_name: str, origin: Origin | None = None) -> CPFileTransfer:
    """The receiving DSL confirms receipt on the link's page after downloading: recorded on the transfer."""
    bundle = link_bundle(token=token)
    if bundle is None:
        raise ValidationError("This link is not valid.")
    if bundle.downloaded_at is None:
        raise ValidationError("Download the file before confirming that you received it.")
    transfer = bundle.transfer
    if transfer.confirmed_at is not None:
        raise ValidationError("Receipt was already confirmed. Thank you.")
    return transfers.cp_file_confirmed(
        transfer=transfer, by=None, confirmed_at=timezone.now(), confirmed_by_name=confirmed_by_name, origin=origin
    )


# --- Receiving ------------------------------------------------------------------------------------------------


@transaction.atomic
def received_import(
    *, school: School, data: bytes, by: User, expected_fingerprint: str = "", origin: Origin | None = None
) -> ReceivedBundle:
    """A bundle from another deployment (or handed over on a stick): verified, then waiting to be filed."""
    check = bundles.verify(data, expected_fingerprint=expected_fingerprint)
    _audit(
        origin=origin,
        actor=by,
        school=school,
        obj=None,
        summary=f"CP file bundle {'verified' if check.ok else 'refused'} on import",
        detail={
            "sha256": hashlib.sha256(data).hexdigest(),
            "fingerprint": check.fingerprint,
            "problem": str(check.first or ""),
        },
    )
    if not check.ok:
        raise ValidationError(f"The bundle was refused: {check.first}.")
    bundle_id = check.manifest.get("bundle_id")
    if ReceivedBundle.objects.filter(school=school, bundle_id=bundle_id).exists():
        raise ValidationError("This bundle was already received here.")
    received = ReceivedBundle(
        school=school,
        source=ReceivedBundle.Source.UPLOAD,
        bundle_id=bundle_id,
        sha256=hashlib.sha256(data).hexdigest(),
        received_at=timezone.now(),
        uploaded_by=by,
        verified_at=timezone.now(),
        **_manifest_fields(check),
    )
    received.file.save("bundle.zip", ContentFile(data), save=False)
    received.save()
    return received


def read_received(received: ReceivedBundle, *, expected_fingerprint: str | None = None) -> bundles.Verification:
    """Verify the stored bundle again (every reading checks it: storage is not trusted)."""
    with received.file.open("rb") as handle:
        data = handle.read()
    if expected_fingerprint is None:
        expected_fingerprint = received.fingerprint
    return bundles.verify(data, expected_fingerprint=expected_fingerprint)


@transaction.atomic
def received_accept(
    *, received: ReceivedBundle, pupil: Pupil, by: User, origin: Origin | None = None
) -> ReceivedBundle:
    """File the records under the pupil (their chronology shows them, marked as received) and, for a bundle sent
    through this portal, record the receipt on the sending school's transfer at the same time."""
    received = ReceivedBundle.objects.select_for_update().get(pk=received.pk)
    if received.state == ReceivedBundle.State.ACCEPTED:
        raise ValidationError("This file was already accepted.")
    if pupil.school_id != received.school_id:
        raise ValidationError({"pupil": "Choose a pupil of this school."})
    check = read_received(received)
    if not check.ok:
        raise ValidationError(f"The stored bundle no longer verifies: {check.first}.")
    now = timezone.now()
    received.state, received.pupil, received.accepted_at, received.accepted_by = (
        ReceivedBundle.State.ACCEPTED,
        pupil,
        now,
        by,
    )
    received.save(update_fields=["state", "pupil", "accepted_at", "accepted_by"])
    _audit(
        origin=origin,
        actor=by,
        school=received.school,
        obj=pupil,
        summary=f"CP file from {received.from_school_name} accepted and filed under pupil {pupil.upn}",
        detail={
            "received": received.pk,
            "bundle": str(received.bundle_id),
            "records": received.record_count,
            "fingerprint": received.fingerprint,
        },
    )
    if received.sent_bundle_id:
        transfer = received.sent_bundle.transfer
        if transfer.confirmed_at is None:
            transfers.cp_file_confirmed(
                transfer=transfer,
                by=by,
                confirmed_at=now,
                confirmed_by_name=f"{by.full_name or by.email}, DSL team at {received.school.name}",
                notes="Accepted in the portal by the receiving school.",
                origin=origin,
            )
    return received


# --- Early notice of a move ------------------------------------------------------------------------------------


@transaction.atomic
def pupil_mark_leaving(
    *,
    pupil: Pupil,
    leaving_on,
    destination_school: str,
    destination_urn: str = "",
    by: User,
    origin: Origin | None = None,
) -> Pupil:
    if not destination_school.strip():
        raise ValidationError({"destination_school": "Name the school the pupil is going to."})
    pupil.leaving_on, pupil.destination_school, pupil.destination_urn = (
        leaving_on,
        destination_school.strip(),
        destination_urn.strip(),
    )
    pupil.save(update_fields=["leaving_on", "destination_school", "destination_urn"])
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        origin=origin,
        actor=by,
        school=pupil.school,
        obj=pupil,
        summary=f"Pupil {pupil.upn} marked as leaving for {pupil.destination_school}",
        detail={"leaving_on": leaving_on.isoformat() if leaving_on else "", "urn": pupil.destination_urn},
    )
    return pupil


@transaction.atomic
def early_notice_recorded(*, pupil: Pupil, by: User, origin: Origin | None = None) -> Pupil:
    if pupil.early_notice_at is None:
        pupil.early_notice_at = timezone.now()
        pupil.save(update_fields=["early_notice_at"])
        audit_record(
            action=AuditAction.RECORD_VIEWED,
            origin=origin,
            actor=by,
            school=pupil.school,
            obj=pupil,
            summary=f"Essential information sent ahead of the file to {pupil.destination_school}",
            detail={"pupil": pupil.pk},
        )
    return pupil


# --- Reads ------------------------------------------------------------------------------------------------------


def leavers_needing_notice(*, school: School) -> QuerySet[Pupil]:
    """Pupils marked as leaving with a destination, with safeguarding records, whose new school has not yet been
    sent the essential information ahead of the file."""
    return (
        Pupil.objects.filter(school=school, early_notice_at__isnull=True, incident_links__isnull=False)
        .exclude(destination_school="")
        .distinct()
        .order_by("leaving_on", "surname")
    )


def sent_bundles(*, school: School) -> QuerySet[TransferBundle]:
    return TransferBundle.objects.filter(school=school).select_related("transfer", "to_school")


def received_for(*, school: School) -> QuerySet[ReceivedBundle]:
    return ReceivedBundle.objects.filter(school=school).select_related("pupil", "accepted_by")


def received_one(*, school: School, received_id: int) -> ReceivedBundle | None:
    return received_for(school=school).filter(pk=received_id).first()


def chronology_section(*, portal, pupil: Pupil) -> dict | None:
    """Registered with incidents.chronology: records received from the pupil's earlier schools, each re-verified,
    marked with who sent them, when, and whether they verified."""
    from safeguarding_portal.accounts.policy import Cap

    if portal.school is None or pupil.school_id != portal.school.pk or not portal.can(Cap.TRIAGE):
        return None
    found = []
    for received in received_for(school=portal.school).filter(pupil=pupil, state=ReceivedBundle.State.ACCEPTED):
        check = read_received(received)
        found.append({"received": received, "check": check, "records": bundles.grouped(check.records)})
    return {"template": "incidents/_chronology_received.html", "received": found} if found else None
