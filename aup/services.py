"""Writes for agreements. Views, tasks, sweeps and demo data all go through these functions."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import re
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import STAFF_ROLES, Cap, Role, capabilities_for
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import append_many
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.outbox.email import Kind as EmailKind
from safeguarding_portal.outbox.email import send_email, send_emails
from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools import languages
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian, School

from .models import (
    DEFAULT_CONSENT_ITEMS,
    PAPER_SIGNATURE_PREFIX,
    PUPIL_AUDIENCES,
    Agreement,
    AgreementTranslation,
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
    text_sha256,
)
from .texts import DEFAULT_TEXTS, DEFAULT_TITLES

MAX_DRAWN_BYTES = 200_000
LINK_DAYS_AFTER_CLOSE = 0
MANAGE_LINK_DAYS = 400  # a parent can change consents for the rest of the school year and beyond


def now() -> datetime.datetime:
    return timezone.now()


# --- Agreements and versions ----------------------------------------------------------------------


def ensure_agreement(*, school: School, audience: str) -> Agreement:
    agreement, created = Agreement.objects.get_or_create(
        school=school, audience=audience, defaults={"title": DEFAULT_TITLES[audience]}
    )
    if created:
        AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            text=DEFAULT_TEXTS[audience],
            consent_items=DEFAULT_CONSENT_ITEMS if audience == Audience.PARENT else [],
        )
    return agreement


def parse_consent_items(text: str) -> list[dict]:
    """One item a line; the key is made from the words so answers line up across versions."""
    items, seen = [], set()
    for line in text.splitlines():
        label = line.strip()
        if not label:
            continue
        key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:32] or "item"
        base, n = key, 2
        while key in seen:
            key, n = f"{base[:29]}_{n}", n + 1
        seen.add(key)
        items.append({"key": key, "label": label[:200]})
    return items


@transaction.atomic
def save_draft(
    *, agreement: Agreement, text: str, consent_items: list[dict] | None, requires_resign: bool, summary: str = ""
) -> AgreementVersion:
    """Edit the open draft, or start one from the current version's text and items."""
    draft = agreement.draft
    if draft is None:
        last = agreement.versions.order_by("-number").first()
        draft = AgreementVersion(agreement=agreement, number=(last.number + 1) if last else 1)
    draft.text = text.strip()
    if agreement.audience == Audience.PARENT and consent_items is not None:
        draft.consent_items = consent_items
    elif agreement.audience != Audience.PARENT:
        draft.consent_items = []
    draft.requires_resign = requires_resign
    draft.summary_of_changes = summary.strip()[:300]
    if not draft.text:
        raise ValidationError({"text": "An agreement needs its text."})
    draft.full_clean(exclude=["sha256", "agreement"])
    draft.save()
    return draft


@transaction.atomic
def publish(*, version: AgreementVersion, by: User) -> AgreementVersion:
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        return version
    version.sha256 = text_sha256(version.text)
    version.published_at = now()
    version.published_by = by
    version.save(update_fields=["sha256", "published_at", "published_by"])
    agreement = version.agreement
    if (
        version.requires_resign
        or not agreement.versions.filter(published_at__isnull=False).exclude(pk=version.pk).exists()
    ):
        Agreement.objects.filter(pk=agreement.pk).update(current_from=version.number)
    from .selectors import forget_gate_stamp  # why: a cycle (aup.selectors imports this module)

    transaction.on_commit(lambda: forget_gate_stamp(school_id=agreement.school_id))
    return version


# --- Languages: the agreement's text as each parent is shown it --------------------------------------------


@dataclass(frozen=True)
class ShownText:
    """The text a parent's page shows: the English original or a translation, with the hash of that text."""

    language: str
    title: str
    text: str
    sha256: str
    consent_labels: dict

    def label_of(self, item: dict) -> str:
        return self.consent_labels.get(item["key"]) or item["label"]


def shown_text(*, version: AgreementVersion, language: str) -> ShownText:
    """The newest translation of ``version`` into ``language``; the English original when there is none."""
    translation_row = None
    if language != languages.ENGLISH:
        translation_row = (
            AgreementTranslation.objects.filter(version=version, language=language)
            .order_by("-uploaded_at", "-pk")
            .first()
        )
    if translation_row is None:
        return ShownText(language=languages.ENGLISH, title=version.agreement.title, text=version.text,
                         sha256=version.sha256, consent_labels={})
    return ShownText(language=translation_row.language, title=translation_row.title or version.agreement.title,
                     text=translation_row.text, sha256=translation_row.sha256,
                     consent_labels=translation_row.consent_labels or {})


@transaction.atomic
def add_translation(
    *, version: AgreementVersion, language: str, title: str, text: str, consent_labels: list[str], by: User,
    origin: Origin | None = None,
) -> AgreementTranslation:
    """A published version's text in one of the school's languages; the newest one of a language is shown.

    ``consent_labels`` are the consent questions in that language, in the English questions' order.
    """
    if not version.is_published:
        raise ValidationError("Publish the version first: a translation is of a frozen text.")
    school = version.agreement.school
    if language not in languages.CODES:
        raise ValidationError({"language": "Choose one of the languages the portal translates into."})
    if language not in (school.parent_languages or []):
        raise ValidationError({"language": "The school does not offer this language to parents (School details)."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Paste the translated text."})
    items = version.consent_items or []
    labels = [label.strip() for label in consent_labels if label.strip()]
    if labels and len(labels) != len(items):
        raise ValidationError({"consent_labels": f"Give all {len(items)} consent questions, one a line, in the "
                                                 "order of the English ones (or none, to show them in English)."})
    digest = text_sha256(text)
    if AgreementTranslation.objects.filter(version=version, language=language, sha256=digest).exists():
        raise ValidationError({"text": "This exact translation is already uploaded."})
    row = AgreementTranslation.objects.create(
        version=version, language=language, title=title.strip(), text=text,
        consent_labels={item["key"]: label for item, label in zip(items, labels, strict=False)},
        sha256=digest, uploaded_by=by, uploaded_at=now(),
    )
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=by, school=school, origin=origin, obj=version,
                 summary=f"Agreement translation uploaded ({languages.ENGLISH_NAMES[language]})",
                 detail={"version": version.pk, "language": language, "sha256": digest})
    return row


def invitation_language(invitation: Invitation, *, homes: list[str] | None = None) -> str:
    """The language of a parent's emails: their choice on the page, else their child's MIS home language,
    else English; always one the school offers now. ``homes``: the children's home languages, if known."""
    offered = languages.offered(invitation.campaign.school.parent_languages)
    if invitation.language in offered:
        return invitation.language
    if homes is None:
        homes = list(
            SigningRequest.objects.filter(invitation=invitation)
            .exclude(pupil__home_language="")
            .order_by("pk")
            .values_list("pupil__home_language", flat=True)
        )
    return next((code for code in homes if code in offered), languages.ENGLISH)


def home_languages_by_invitation(campaign: Campaign) -> dict[int, list[str]]:
    """Each invitation's children's MIS home languages, in one query for the whole campaign."""
    homes: dict[int, list[str]] = defaultdict(list)
    rows = (
        SigningRequest.objects.filter(campaign=campaign, invitation__isnull=False)
        .exclude(pupil__home_language="")
        .order_by("pk")
        .values_list("invitation_id", "pupil__home_language")
    )
    for invitation_id, code in rows:
        homes[invitation_id].append(code)
    return homes


def remember_language(*, invitation: Invitation, language: str) -> None:
    """The parent chose a language on the page: later emails to them follow it."""
    if invitation.language != language and language in languages.offered(invitation.campaign.school.parent_languages):
        Invitation.objects.filter(pk=invitation.pk).update(language=language)
        invitation.language = language


def current_signatures_q(agreement: Agreement) -> Q:
    return Q(version__agreement=agreement, version__number__gte=agreement.current_from)


# --- Tokens ------------------------------------------------------------------------------------------


def _token(invitation: Invitation, purpose: str) -> str:
    # The nonce (random, per invitation) is enough: the hash can be stored before the row has a key.
    message = f"aup.{purpose}:{invitation.nonce}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signing_token(invitation: Invitation) -> str:
    return _token(invitation, "sign")


def manage_token(invitation: Invitation) -> str:
    return _token(invitation, "manage")


def signing_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}{reverse('aup:sign', args=[signing_token(invitation)])}"


def manage_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}{reverse('aup:signed', args=[manage_token(invitation)])}"


def new_verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode()  # 16 characters, 80 bits


def normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z2-7]", "", code.upper())[:24]


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Campaigns -----------------------------------------------------------------------------------------


def _pupils_in_scope(*, school: School, scope: str, value: str):
    pupils = Pupil.objects.filter(school=school).on_roll()
    if scope == Campaign.Scope.YEAR:
        return pupils.filter(year_group=value)
    if scope == Campaign.Scope.CLASS:
        return pupils.filter(registration_group=value)
    if scope == Campaign.Scope.JOINED_SINCE:
        return pupils.filter(joined_on__gte=datetime.date.fromisoformat(value))
    return pupils


def _people_in_scope(*, school: School, scope: str) -> list[int]:
    roles = [Role.GOVERNOR] if scope == Campaign.Scope.GOVERNORS else list(STAFF_ROLES)
    ids = Membership.objects.current().filter(school=school, role__in=roles).values_list("user_id", flat=True)
    return sorted(set(ids))


@transaction.atomic
def create_campaign(
    *,
    school: School,
    version: AgreementVersion,
    scope: str,
    scope_value: str = "",
    closes_on: datetime.date,
    by: User,
    title: str = "",
    remind_every_days: int = 7,
    notify: bool = True,
) -> Campaign:
    """One request per signer and child; one invitation (one email, one link) per parent or carer."""
    if not version.is_published or version.agreement.school_id != school.pk:
        raise ValidationError("Publish the agreement before issuing it.")
    at = now()
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": "The closing date has passed."})
    audience = version.agreement.audience
    people_scope = scope in (Campaign.Scope.STAFF, Campaign.Scope.GOVERNORS)
    if audience == Audience.PARENT and people_scope:
        raise ValidationError({"scope": "Parents are reached through their children: choose pupils."})
    if audience != Audience.PARENT and not people_scope:
        raise ValidationError(
            {"scope": "This agreement is signed by staff or governors: choose all staff or governors."}
        )
    campaign = Campaign.objects.create(
        school=school,
        version=version,
        title=title or f"{version.agreement.title} ({version.label})",
        scope=scope,
        scope_value=scope_value,
        created_by=by,
        created_at=at,
        closes_on=closes_on,
        remind_every_days=remind_every_days,
    )
    # Whoever already holds a current signature of this agreement is not asked again (a version that
    # requires re-signing moved ``current_from``, so then everyone is asked).
    agreement = version.agreement
    current = Signature.objects.filter(
        school=school, version__agreement=agreement, version__number__gte=agreement.current_from
    )
    if people_scope:
        already = set(current.exclude(user__isnull=True).values_list("user_id", flat=True))
        SigningRequest.objects.bulk_create(
            [
                SigningRequest(campaign=campaign, school=school, user_id=uid)
                for uid in _people_in_scope(school=school, scope=scope)
                if uid not in already
            ]
        )
        if notify:
            enqueue("aup.send_staff_notices", campaign_id=campaign.pk)
        return campaign
    pupil_ids = (
        _pupils_in_scope(school=school, scope=scope, value=scope_value)
        .exclude(pk__in=current.exclude(pupil__isnull=True).values("pupil_id"))
        .values("pk")
    )
    links = list(
        PupilGuardian.objects.filter(pupil_id__in=pupil_ids, has_parental_responsibility=True)
        .exclude(guardian__email="")
        .values_list("guardian_id", "pupil_id", "guardian__email")
        .order_by("guardian_id", "pupil_id")
    )
    expires = datetime.datetime.combine(closes_on, datetime.time(23, 59), tzinfo=timezone.get_current_timezone())
    by_guardian: dict[int, list[int]] = defaultdict(list)
    emails: dict[int, str] = {}
    for guardian_id, pupil_id, email in links:
        by_guardian[guardian_id].append(pupil_id)
        emails[guardian_id] = email
    invitations = []
    for gid in by_guardian:
        invitation = Invitation(
            campaign=campaign,
            school=school,
            guardian_id=gid,
            email=emails[gid],
            nonce=secrets.token_hex(16),
            expires_at=expires,
        )
        invitation.token_hash = token_hash(signing_token(invitation))
        invitation.manage_token_hash = token_hash(manage_token(invitation))
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    SigningRequest.objects.bulk_create(
        [
            SigningRequest(campaign=campaign, school=school, invitation=inv, guardian_id=inv.guardian_id, pupil_id=pid)
            for inv in invitations
            for pid in by_guardian[inv.guardian_id]
        ],
        batch_size=2000,
    )
    # One task sends every email of the campaign (and records each "sent" event) in the worker.
    if notify:
        enqueue("aup.send_invitations", campaign_id=campaign.pk)
    return campaign


def invitation_email(
    invitation: Invitation, *, reminder: bool = False, homes: list[str] | None = None
) -> tuple[str, str]:
    """No child's name: the email says which school and where to sign, nothing more. In the parent's language
    (``invitation_language``)."""
    school = invitation.campaign.school
    with translation.override(invitation_language(invitation, homes=homes)):
        names = {"school": school.name}
        subject = (
            gettext("Reminder: please sign %(school)s's acceptable use agreement")
            if reminder
            else gettext("Please sign %(school)s's acceptable use agreement")
        ) % names
        paragraphs = [
            gettext("Dear parent or carer,"),
            gettext(
                "%(school)s asks you to read and sign its acceptable use agreement for each of your children at "
                "the school, and to answer its photo consent questions."
            ) % names,
            gettext("Open this link on your phone or computer (it works until %(date)s):")
            % {"date": date_format(invitation.campaign.closes_on, "j E Y")}
            + f"\n{signing_url(invitation)}",
            gettext("It takes about three minutes. Please do not forward this email: the link is yours."),
            (
                gettext("If you have a question, contact the school office on %(phone)s.") % {"phone": school.phone}
                if school.phone
                else gettext("If you have a question, contact the school office.")
            ),
        ]
    return subject, "\n\n".join(paragraphs) + "\n"


def send_invitations(*, campaign_id: int) -> int:
    campaign = Campaign.objects.select_related("school").get(pk=campaign_id)
    pending = list(
        Invitation.objects.filter(campaign=campaign, sent_at__isnull=True).select_related("campaign__school")
    )
    at = now()
    deliveries = []
    homes = home_languages_by_invitation(campaign)
    for invitation in pending:
        subject, body = invitation_email(invitation, homes=homes.get(invitation.pk, []))
        deliveries.append(EmailDelivery(to=[invitation.email], subject=subject, body=body, kind=EmailKind.AGREEMENT,
                                        school_id=campaign.school_id))
    sent_ids = [invitation.pk for invitation in pending]
    # "Sent" is handed to delivery, in the same transaction: each email's own state is on the delivery page.
    with transaction.atomic():
        send_emails(deliveries)
        record_sent(campaign=campaign, invitation_ids=sent_ids, at=at)
    return len(sent_ids)


@transaction.atomic
def record_sent(*, campaign: Campaign, invitation_ids: list[int], at: datetime.datetime) -> None:
    Invitation.objects.filter(pk__in=invitation_ids).update(sent_at=at)
    append_many(
        [
            SignatureEvent(
                school_id=campaign.school_id,
                kind=EventKind.SENT,
                at=at,
                campaign=campaign,
                invitation_id=pk,
                actor="Safeguarding Portal",
            )
            for pk in invitation_ids
        ]
    )


def send_staff_notices(*, campaign_id: int) -> int:
    campaign = Campaign.objects.select_related("school", "version__agreement").get(pk=campaign_id)
    requests = SigningRequest.objects.filter(campaign=campaign, status=RequestStatus.PENDING).select_related("user")
    url = f"{settings.SITE_URL}{reverse('aup:index')}"
    count = 0
    for request in requests:
        send_email(
            kind=EmailKind.AGREEMENT,
            school_id=campaign.school_id,
            to=[request.user.email],
            subject=f"Please sign the {campaign.version.agreement.title.lower()}",
            body=(
                f"{campaign.school.name} asks you to read and sign its {campaign.version.agreement.title.lower()} "
                f"by {campaign.closes_on:%d %B %Y}. Sign in to the portal to read and sign it:\n{url}\n"
            ),
        )
        count += 1
    append_many(
        [
            SignatureEvent(
                school_id=campaign.school_id,
                kind=EventKind.SENT,
                at=now(),
                campaign=campaign,
                request=r,
                actor="Safeguarding Portal",
            )
            for r in requests
        ]
    )
    return count


@transaction.atomic
def close_campaign(*, campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk, closed_at__isnull=True).update(closed_at=now())


@transaction.atomic
def mark_bounced(*, invitation: Invitation, by: User) -> None:
    if invitation.bounced_at:
        return
    at = now()
    Invitation.objects.filter(pk=invitation.pk).update(bounced_at=at)
    chain.append(
        SignatureEvent(
            school_id=invitation.school_id,
            kind=EventKind.BOUNCED,
            at=at,
            campaign_id=invitation.campaign_id,
            invitation=invitation,
            actor=by.full_name,
        )
    )


# --- The parent's link ---------------------------------------------------------------------------------


class LinkProblem:
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def find_invitation(token: str, *, purpose: str = "sign") -> tuple[Invitation | None, str | None]:
    """The invitation a link names, or why the link does not work. Never says anything about a child."""
    if not token or len(token) > 100:
        return None, LinkProblem.INVALID
    field = "token_hash" if purpose == "sign" else "manage_token_hash"
    found = Invitation.objects.select_related(
        "campaign__school", "campaign__version__agreement", "guardian"
    ).filter(**{field: token_hash(token)})
    if purpose == "sign":
        # In the same query: every open and every signing of a link asks it (the start-of-year rush).
        pending = SigningRequest.objects.filter(invitation=OuterRef("pk"), status=RequestStatus.PENDING)
        found = found.annotate(has_pending=Exists(pending))
    invitation = found.first()
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


def pending_requests(invitation: Invitation) -> list[SigningRequest]:
    return list(
        invitation.requests.filter(status=RequestStatus.PENDING)
        .select_related("pupil")
        .order_by("pupil__legal_forename")
    )


@transaction.atomic
def record_opened(*, invitation: Invitation, ip: str | None) -> None:
    if invitation.opened_at is not None:
        return
    at = now()
    if Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=at):
        append_many(
            [
                SignatureEvent(
                    school_id=invitation.school_id,
                    kind=EventKind.OPENED,
                    at=at,
                    campaign_id=invitation.campaign_id,
                    invitation=invitation,
                    actor=invitation.guardian.full_name,
                    data={"ip": ip or ""},
                )
            ]
        )
        invitation.opened_at = at


def drawn_signature_problem(data_url: str) -> str | None:
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix) or len(data_url) > MAX_DRAWN_BYTES:
        return (
            gettext("The drawn signature could not be read. Clear it and draw it again, or leave it empty and "
                    "type your name.")
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
        Invitation.objects.filter(pk=invitation.pk).update(used_at=at)
        invitation.used_at = at
        append_many(
            [
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
    Invitation.objects.filter(pk=invitation.pk).update(used_at=at)
    append_many(
        [
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
    scan,
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
    if not _holds(by, school, Cap.MANAGE_AGREEMENTS):
        raise ValidationError("Only the office and the safeguarding team record paper agreements.")
    agreement = Agreement.objects.filter(school=school, audience=Audience.PARENT).first()
    version = agreement.current_version if agreement else None
    if version is None:
        raise ValidationError("Publish the parents' agreement first.")
    if pupil.school_id != school.pk or not PupilGuardian.objects.filter(
        pupil=pupil, guardian=guardian, has_parental_responsibility=True
    ).exists():
        raise ValidationError({"guardian": "Choose a parent or carer with parental responsibility for the child."})
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()  # one record per child at a time
    existing = Signature.objects.filter(submission_token=submission_token).first()
    if existing is not None:  # the first click of a double submission finished while this one waited
        return existing
    current = Signature.objects.filter(pupil=pupil, **{"version__agreement": agreement,
                                                        "version__number__gte": agreement.current_from}).first()
    if current is not None:
        raise ValidationError(f"{pupil.full_name} already has a current parents' agreement, signed "
                              f"{timezone.localtime(current.signed_at):%d %b %Y}.")
    today = timezone.localdate()
    if signed_on > today:
        raise ValidationError({"signed_on": "That date is in the future."})
    if signed_on < timezone.localdate(version.published_at):
        raise ValidationError({"signed_on": f"That is before {version.label} was published "
                                            f"({timezone.localtime(version.published_at):%d %b %Y}): a paper copy "
                                            "signed then is of an older version."})
    missing = [item["label"] for item in version.consent_items if item["key"] not in answers]
    if missing:
        raise ValidationError({"answers": f"Enter the paper's answer to: {'; '.join(missing)}."})
    problem = scan_problem(scan)
    if problem:
        raise ValidationError({"scan": problem})
    at = now()
    digest = hashlib.sha256()
    for part in scan.chunks():
        digest.update(part)
    scan.seek(0)
    paper = PaperScan(school=school, original_name=(scan.name or "scan")[:200], content_type=_scan_type(scan),
                      size=scan.size, sha256=digest.hexdigest(), uploaded_by=by, uploaded_at=at)
    paper.file.save(paper.original_name, scan, save=False)
    paper.save()
    request = (
        SigningRequest.objects.select_for_update(of=("self",))
        .filter(campaign__version=version, campaign__closed_at__isnull=True, pupil=pupil, guardian=guardian,
                status=RequestStatus.PENDING)
        .select_related("invitation")
        .order_by("-campaign__created_at")
        .first()
    )
    name = (signer_name or guardian.full_name).strip()[:200]
    signature = _signature(
        school_id=school.pk,
        version=version,
        evidence=SignerEvidence(typed_name=name, drawn_signature=f"{PAPER_SIGNATURE_PREFIX}{paper.sha256}",
                                ip_address=ip_address, user_agent=user_agent),
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
    if request is not None:
        SigningRequest.objects.filter(pk=request.pk).update(status=RequestStatus.SIGNED, decided_at=at)
    SigningRequest.objects.filter(campaign__version=version, pupil=pupil, status=RequestStatus.PENDING).update(
        status=RequestStatus.COVERED, decided_at=at)
    invitation = request.invitation if request is not None else None
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(used_at=at)  # their link now shows what was recorded
    chain.append(
        SignatureEvent(
            school_id=school.pk,
            kind=EventKind.SIGNED,
            at=at,
            campaign_id=request.campaign_id if request else None,
            invitation=invitation,
            request=request,
            signature=signature,
            pupil=pupil,
            actor=by.full_name,
            data={"paper": True, "signer": name, "signed_on": signed_on.isoformat(), "recorded_by": by.full_name,
                  "ip": ip_address or "", "user_agent": user_agent[:200], "scan_sha256": paper.sha256,
                  "consents": signature.consents},
        )
    )
    email = invitation.email if invitation is not None else guardian.email
    if issue_certificate and email:
        enqueue("aup.issue_certificates", signature_ids=[signature.pk], email=email,
                manage_url=manage_url(invitation) if invitation is not None else "")
    return signature


def guardian_children(guardian: Guardian) -> list[Pupil]:
    return list(guardian.children.on_roll())
