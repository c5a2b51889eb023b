"""Chasing the unsigned: every open campaign's parents (and staff) who have not answered, on its schedule.

A parent is chased on the days ``remind_every_days`` after their email went out (7, 14, 21...), until they
sign, decline, or the campaign closes. Reminders go through the shared engine's ``Reminder`` rows, so the
digest sender makes them one email a day per person and a re-run on the same day records nothing more.

Staff are few and go through ``remind`` one by one. Parents can be hundreds of thousands across a trust at
the start of the year, so their reminders are written the way ``remind`` writes them (same normalisation,
same once-a-day unique key) but a campaign at a time, with one insert per batch instead of one per parent,
and the evidence chain gets one "reminded" event per campaign and day naming the invitations reminded.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from safeguarding_portal.audit.chain import append, append_many
from safeguarding_portal.core.bulk import insert_rows
from safeguarding_portal.core.locks import hold_for_transaction
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind

from .models import Campaign, EventKind, Invitation, RequestStatus, SignatureEvent, SigningRequest
from .services import now, signing_token

KIND = "aup.unsigned"
BATCH = 5000


def _due(sent_on: datetime.date, today: datetime.date, every: int) -> bool:
    days = (today - sent_on).days
    return days > 0 and days % every == 0


def _chase_parents(campaign: Campaign, today: datetime.date, at: datetime.datetime, already: set[str]) -> int:
    text = f"Please sign {campaign.school.name}'s acceptable use agreement (closes {campaign.closes_on:%d %B})."[:300]
    pending = SigningRequest.objects.filter(invitation=OuterRef("pk"), status=RequestStatus.PENDING)
    rows = (
        Invitation.objects.filter(campaign=campaign, sent_at__isnull=False, bounced_at__isnull=True)
        .filter(Exists(pending))
        .values_list("pk", "email", "nonce", "sent_at")
        .iterator(chunk_size=BATCH)
    )
    every = campaign.remind_every_days
    due = {
        f"invitation:{pk}": (pk, email, nonce)
        for pk, email, nonce, sent_at in rows
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
    reminders = []
    for key, _pk, email, nonce in fresh:
        stub.nonce = nonce
        reminders.append(
            new_reminder(
                recipient_email=email.strip().lower(),
                recipient_user_id=None,
                kind=KIND,
                key=key,
                text=text,
                url=f"{prefix}{signing_token(stub)}/"[:500],
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
            data={"invitations": sorted(pk for _, pk, _, _ in fresh)},
        )
    )
    return len(fresh)


def _maker(model):
    """Rows for bulk inserts without Model.__init__ (most of the time for a quarter of a million rows)."""
    from django.db.models.base import ModelState

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
            text=f"Please sign the {campaign.version.agreement.title.lower()} (closes {campaign.closes_on:%d %B}).",
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
        return sum(_chase_parents(c, today, at, already) + _chase_staff(c, today, at) for c in campaigns)
