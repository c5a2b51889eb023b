"""Writes for agreements, their versions and the campaigns that invite parents, carers, staff and governors to
sign them: drafting and publishing a version, the invitation links, sending and closing a campaign."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import STAFF_ROLES, Role
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import append_many
from safeguarding_portal.outbox.email import Kind as EmailKind
from safeguarding_portal.outbox.email import send_email, send_emails
from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools.models import Pupil, PupilGuardian, School

from ..models import (
    DEFAULT_CONSENT_ITEMS,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    EventKind,
    Invitation,
    RequestStatus,
    Signature,
    SignatureEvent,
    SigningRequest,
    text_sha256,
)
from ..texts import DEFAULT_TEXTS, DEFAULT_TITLES
from .translations import home_languages_by_invitation, invitation_language

LINK_DAYS_AFTER_CLOSE = 0


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
    from ..selectors import forget_gate_stamp  # why: a cycle (aup.selectors imports this package)

    transaction.on_commit(lambda: forget_gate_stamp(school_id=agreement.school_id))
    return version


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
    people_scope = _check_campaign(school=school, version=version, scope=scope, closes_on=closes_on)
    campaign = Campaign.objects.create(
        school=school,
        version=version,
        title=title or f"{version.agreement.title} ({version.label})",
        scope=scope,
        scope_value=scope_value,
        created_by=by,
        created_at=now(),
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
        _ask_people(campaign=campaign, current=current)
        if notify:
            enqueue("aup.send_staff_notices", campaign_id=campaign.pk)
        return campaign
    _invite_parents(campaign=campaign, current=current)
    # One task sends every email of the campaign (and records each "sent" event) in the worker.
    if notify:
        enqueue("aup.send_invitations", campaign_id=campaign.pk)
    return campaign


def _check_campaign(*, school: School, version: AgreementVersion, scope: str, closes_on: datetime.date) -> bool:
    """Refuse a campaign that cannot be issued; True when it asks people (staff, governors), not parents."""
    if not version.is_published or version.agreement.school_id != school.pk:
        raise ValidationError("Publish the agreement before issuing it.")
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
    return people_scope


def _ask_people(*, campaign: Campaign, current: QuerySet[Signature]) -> None:
    """A request for each member of staff (or governor) in scope who has not signed the current version."""
    school = campaign.school
    already = set(current.exclude(user__isnull=True).values_list("user_id", flat=True))
    SigningRequest.objects.bulk_create(
        [
            SigningRequest(campaign=campaign, school=school, user_id=uid)
            for uid in _people_in_scope(school=school, scope=campaign.scope)
            if uid not in already
        ]
    )


def _invite_parents(*, campaign: Campaign, current: QuerySet[Signature]) -> None:
    """An invitation for each parent or carer with parental responsibility for a child in scope whose agreement
    is not signed yet, and a request for each of their children."""
    school = campaign.school
    pupil_ids = (
        _pupils_in_scope(school=school, scope=campaign.scope, value=campaign.scope_value)
        .exclude(pk__in=current.exclude(pupil__isnull=True).values("pupil_id"))
        .values("pk")
    )
    links = list(
        PupilGuardian.objects.filter(pupil_id__in=pupil_ids, has_parental_responsibility=True)
        .exclude(guardian__email="")
        .values_list("guardian_id", "pupil_id", "guardian__email")
        .order_by("guardian_id", "pupil_id")
    )
    expires = datetime.datetime.combine(
        campaign.closes_on, datetime.time(23, 59), tzinfo=timezone.get_current_timezone()
    )
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
            )
            % names,
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
        deliveries.append(
            EmailDelivery(
                to=[invitation.email],
                subject=subject,
                body=body,
                kind=EmailKind.AGREEMENT,
                school_id=campaign.school_id,
            )
        )
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
