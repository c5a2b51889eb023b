"""Chasing the unsigned: every open campaign's parents (and staff) who have not answered, on its schedule.

A parent is chased on the days ``remind_every_days`` after their email went out (7, 14, 21...), until they
sign, decline, or the campaign closes. Reminders go through the shared engine's ``Reminder`` rows, so the
digest sender makes them one email a day per person and a re-run on the same day records nothing more.

Staff are few and go through ``remind`` one by one. Parents can be hundreds of thousands across a trust at
the start of the year, so their reminders are written the way ``remind`` writes them (same normalisation,
same once-a-day unique key) but a campaign at a time, with one insert per batch instead of one per parent,
and the evidence chain gets one "reminded" event per campaign and day naming the invitations reminded.

A parent's reminder is in their language, like their invitation (``invitation_language``: their choice, else their
child's MIS home language if the school offers it, else English): the item is worded here, and the digest around
it by the reminders' parents' wrapper, which reads ``Reminder.language``. The children's home languages are read
once per campaign, not once per parent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.base import ModelState
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeguarding_portal.audit.chain import append, append_many
from safeguarding_portal.core.bulk import insert_rows
from safeguarding_portal.core.locks import hold_for_transaction
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind, send_now
from safeguarding_portal.schools import languages

from .models import Campaign, EventKind, Invitation, RequestStatus, SignatureEvent, SigningRequest
from .services import chain_openings, home_languages_by_invitation, language_among, now, signing_token

KIND = "aup.unsigned"
BATCH = 5000


def _due(sent_on: datetime.date, today: datetime.date, every: int) -> bool:
    days = (today - sent_on).days
    return days > 0 and days % every == 0


def _parent_text(campaign: Campaign, language: str = languages.ENGLISH) -> str:
    """The digest's line for a parent, in their language (the date's month too); no child's name."""
    with translation.override(language):
        return (
            gettext("Please sign %(school)s's acceptable use agreement (closes %(date)s).")
            % {"school": campaign.school.name, "date": date_format(campaign.closes_on, "j E")}
        )[:300]


class _Languages:
    """Each invitation's language for one campaign, from two things read once: the school's offered languages
    and the children's MIS home languages (one query); each language's line is worded once."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.offered = languages.offered(campaign.school.parent_languages)
        self._homes: dict[int, list[str]] | None = None
        self._texts: dict[str, str] = {}

    def of(self, invitation_id: int, chosen: str) -> str:
        if self._homes is None:
            # Read at the first parent, never when the school offers English only.
            self._homes = home_languages_by_invitation(self.campaign) if len(self.offered) > 1 else {}
        return language_among(offered=self.offered, chosen=chosen, homes=self._homes.get(invitation_id, []))

    def text(self, language: str) -> str:
        if language not in self._texts:
            self._texts[language] = _parent_text(self.campaign, language)
        return self._texts[language]


def _staff_text(campaign: Campaign) -> str:
    return f"Please sign the {campaign.version.agreement.title.lower()} (closes {campaign.closes_on:%d %B})."


def _chase_parents(campaign: Campaign, today: datetime.date, at: datetime.datetime, already: set[str]) -> int:
    pending = SigningRequest.objects.filter(invitation=OuterRef("pk"), status=RequestStatus.PENDING)
    rows = (
        Invitation.objects.filter(campaign=campaign, sent_at__isnull=False, bounced_at__isnull=True)
        .filter(Exists(pending))
        .values_list("pk", "email", "nonce", "sent_at", "language")
        .iterator(chunk_size=BATCH)
    )
    every = campaign.remind_every_days
    due = {
        f"invitation:{pk}": (pk, email, nonce, chosen)
        for pk, email, nonce, sent_at, chosen in rows
        if _due(sent_at.date(), today, every)
    }
    if not due:
        return 0
    fresh = [(key, *row) for key, row in due.items() if key not in already]
    if not fresh:
        return 0
    # The link of each parent, rebuilt from its nonce (only its hash is stored); the path is built once.
    prefix = f"{settings.SITE_URL}{reverse('aup:sign', args=['TOKEN'])}".replace("TOKEN/", "")
    stub = Invitation(campaign_id=campaign.pk)
    new_reminder = _maker(Reminder)
    spoken = _Languages(campaign)
    reminders = []
    for key, pk, email, nonce, chosen in fresh:
        stub.nonce = nonce
        language = spoken.of(pk, chosen)
        reminders.append(
            new_reminder(
                recipient_email=email.strip().lower(),
                recipient_user_id=None,
                kind=KIND,
                key=key,
                text=spoken.text(language),
                url=f"{prefix}{signing_token(stub)}/"[:500],
                language=language,
                school_id=campaign.school_id,
                on=today,
                created_at=at,
                digest_id=None,
            )
        )
    # Inside the sweep's transaction. As remind() stores them; no second sweep can be writing the same rows,
    # it waits on the sweep's lock.
    insert_rows(Reminder, reminders, page_size=BATCH)
    # One link in the evidence chain for the campaign's day, naming every invitation reminded: the same
    # tamper-evident record as a link per parent, without a quarter of a million chained rows (each with its
    # indexes and foreign-key checks) at the start of the year. The certificate trail picks out its own
    # invitation (``certificate.reminded_events``).
    append(
        SignatureEvent(
            school_id=campaign.school_id,
            kind=EventKind.REMINDED,
            at=at,
            campaign_id=campaign.pk,
            actor="Safeguarding Portal",
            data={"invitations": sorted(pk for _, pk, _, _, _ in fresh)},
        )
    )
    return len(fresh)


def _maker(model):
    """Rows for bulk inserts without Model.__init__ (most of the time for a quarter of a million rows)."""

    def make(**values):
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.id = None
        obj.__dict__.update(values)
        return obj

    return make


def _chase_staff(campaign: Campaign, today: datetime.date, at: datetime.datetime) -> int:
    if not _due(campaign.created_at.date(), today, campaign.remind_every_days):
        return 0
    events = []
    staff = SigningRequest.objects.filter(campaign=campaign, user__isnull=False, status=RequestStatus.PENDING)
    for request in staff.select_related("user"):
        if remind(
            recipient_email=request.user.email,
            recipient_user=request.user,
            kind=KIND,
            key=f"request:{request.pk}",
            text=_staff_text(campaign),
            url=reverse("aup:index"),
            school=campaign.school,
            on=today,
        ):
            events.append(
                SignatureEvent(
                    school_id=campaign.school_id,
                    kind=EventKind.REMINDED,
                    at=at,
                    campaign_id=campaign.pk,
                    request_id=request.pk,
                    actor="Safeguarding Portal",
                )
            )
    append_many(events)
    return len(events)


@sweep(KIND, hour=6, minute=20)
def chase_unsigned(*, today: datetime.date) -> int:
    """Remind parents, carers and staff who have not signed an open campaign's agreement."""
    campaigns = Campaign.objects.filter(closed_at__isnull=True, closes_on__gte=today).select_related(
        "school", "version__agreement"
    )
    at = now()
    # One transaction for the day's sweep: a commit (a disk flush) per campaign costs more than its inserts.
    with transaction.atomic():
        hold_for_transaction(KIND)
        # Today's parent reminders, read once for the whole sweep. Looked up campaign by campaign, the planner
        # (with no statistics yet for a day that has just begun) walks every reminder written so far today,
        # once per campaign: quadratic over a trust. Invitation keys are unique across schools.
        today_reminders = Reminder.objects.filter(kind=KIND, on=today, key__startswith="invitation:")
        already = set(today_reminders.values_list("key", flat=True))
        chased = sum(_chase_parents(c, today, at, already) + _chase_staff(c, today, at) for c in campaigns)
    # Links opened yesterday by parents who neither signed nor refused: their "opened" events, chained now (the
    # opening itself writes no chained record, so that it never waits for the school's chain).
    chain_openings()
    return chased


# --- The office chasing now ------------------------------------------------------------------------------
# The campaign page resends to one parent (or member of staff) or to everyone still waiting. It writes the
# same Reminder rows as the sweep, under the same once-a-day keys, so nobody is chased twice in a day whoever
# asked, and then sends those people's digest at once (unless they already had today's, when the reminder
# goes with tomorrow's). Each resend is a "reminded" link in the evidence chain naming who asked.


@dataclass
class Chased:
    sent: list[str] = field(default_factory=list)  # names reminded now
    already: list[str] = field(default_factory=list)  # reminded today already: one a day
    tomorrow: list[str] = field(default_factory=list)  # recorded, but today's email already went
    bounced: list[str] = field(default_factory=list)  # the address bounced: check it with the family
    queued: list[str] = field(default_factory=list)  # the first email has not gone yet


@transaction.atomic
def chase_now(
    *,
    campaign: Campaign,
    by,
    invitation: Invitation | None = None,
    request: SigningRequest | None = None,
    today: datetime.date | None = None,
) -> Chased:
    """Remind one parent (``invitation``), one member of staff (``request``), or, with neither, everyone still
    waiting in the campaign, respecting the one-a-day rule."""
    today = today or timezone.localdate()
    if campaign.closed_at is not None or campaign.closes_on < today:
        raise ValidationError("This campaign has closed: its links no longer work, so nobody is chased.")
    at = now()
    result = Chased()
    pending = SigningRequest.objects.filter(invitation=OuterRef("pk"), status=RequestStatus.PENDING)
    invitations = Invitation.objects.none()
    staff = SigningRequest.objects.none()
    if invitation is not None:
        invitations = Invitation.objects.filter(pk=invitation.pk, campaign=campaign)
    elif request is not None:
        staff = SigningRequest.objects.filter(pk=request.pk, campaign=campaign, user__isnull=False)
    else:
        invitations = Invitation.objects.filter(campaign=campaign)
        staff = SigningRequest.objects.filter(campaign=campaign, user__isnull=False)
    invitations = list(invitations.filter(Exists(pending)).select_related("guardian").order_by("pk"))
    staff = list(staff.filter(status=RequestStatus.PENDING).select_related("user").order_by("pk"))
    if (invitation is not None and not invitations) or (request is not None and not staff):
        raise ValidationError("Nothing is waiting from them: they have answered.")
    prefix = f"{settings.SITE_URL}{reverse('aup:sign', args=['TOKEN'])}".replace("TOKEN/", "")
    spoken = _Languages(campaign)
    reminded_invitations, emails, names = [], [], {}
    for inv in invitations:
        name = inv.guardian.full_name
        if inv.bounced_at:
            result.bounced.append(name)
            continue
        if inv.sent_at is None:
            result.queued.append(name)
            continue
        language = spoken.of(inv.pk, inv.language)
        if remind(
            recipient_email=inv.email,
            kind=KIND,
            key=f"invitation:{inv.pk}",
            text=spoken.text(language),
            url=f"{prefix}{signing_token(inv)}/",
            school_id=campaign.school_id,
            on=today,
            language=language,
        ):
            reminded_invitations.append(inv)
            emails.append(inv.email)
            names[inv.email.strip().lower()] = name
        else:
            result.already.append(name)
    events = []
    for r in staff:
        if remind(
            recipient_email=r.user.email,
            recipient_user=r.user,
            kind=KIND,
            key=f"request:{r.pk}",
            text=_staff_text(campaign),
            url=reverse("aup:index"),
            school=campaign.school,
            on=today,
        ):
            emails.append(r.user.email)
            names[r.user.email.strip().lower()] = r.user.full_name
            events.append(
                SignatureEvent(
                    school_id=campaign.school_id,
                    kind=EventKind.REMINDED,
                    at=at,
                    campaign_id=campaign.pk,
                    request_id=r.pk,
                    actor=by.full_name,
                    data={"asked_by": by.full_name},
                )
            )
        else:
            result.already.append(r.user.full_name)
    if len(reminded_invitations) == 1 and invitation is not None:
        events.append(
            SignatureEvent(
                school_id=campaign.school_id,
                kind=EventKind.REMINDED,
                at=at,
                campaign_id=campaign.pk,
                invitation=reminded_invitations[0],
                actor=by.full_name,
                data={"asked_by": by.full_name},
            )
        )
    elif reminded_invitations:
        # As the sweep records a day's parents: one link naming every invitation (the certificate picks its own).
        events.append(
            SignatureEvent(
                school_id=campaign.school_id,
                kind=EventKind.REMINDED,
                at=at,
                campaign_id=campaign.pk,
                actor=by.full_name,
                data={"invitations": [i.pk for i in reminded_invitations], "asked_by": by.full_name},
            )
        )
    append_many(events)
    sent_now = send_now(recipient_emails=emails, on=today) if emails else set()
    for email, name in names.items():
        (result.sent if email in sent_now else result.tomorrow).append(name)
    return result
