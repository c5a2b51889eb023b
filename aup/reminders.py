"""Chasing the unsigned: every open campaign's parents (and staff) who have not answered, on its schedule.

A parent is chased on the days ``remind_every_days`` after their email went out (7, 14, 21...), until they
sign, decline, or the campaign closes. ``remind`` records once per person, kind, key and day, so a re-run
on the same day sends nothing more; the digest sender makes it one email a day per person.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind

from .chainbulk import append_many
from .models import Campaign, EventKind, Invitation, RequestStatus, SignatureEvent, SigningRequest
from .services import now, signing_url

KIND = "aup.unsigned"


def _due(sent_on: datetime.date, today: datetime.date, every: int) -> bool:
    days = (today - sent_on).days
    return days > 0 and days % every == 0


@sweep(KIND, hour=6, minute=20)
def chase_unsigned(*, today: datetime.date) -> int:
    """Remind parents, carers and staff who have not signed an open campaign's agreement."""
    campaigns = list(
        Campaign.objects.filter(closed_at__isnull=True, closes_on__gte=today).select_related(
            "school", "version__agreement"
        )
    )
    recorded = 0
    events: list[SignatureEvent] = []
    at = now()
    for campaign in campaigns:
        pending = SigningRequest.objects.filter(invitation=OuterRef("pk"), status=RequestStatus.PENDING)
        invitations = (
            Invitation.objects.filter(campaign=campaign, sent_at__isnull=False, bounced_at__isnull=True)
            .filter(Exists(pending))
            .only("pk", "email", "nonce", "sent_at", "school_id", "campaign_id")
        )
        text = f"Please sign {campaign.school.name}'s acceptable use agreement (closes {campaign.closes_on:%d %B})."
        for invitation in invitations.iterator(chunk_size=2000):
            if not _due(invitation.sent_at.date(), today, campaign.remind_every_days):
                continue
            # The link is the parent's own signing link (rebuilt from its HMAC; only its hash is stored).
            if remind(
                recipient_email=invitation.email,
                kind=KIND,
                key=f"invitation:{invitation.pk}",
                text=text,
                url=signing_url(invitation),
                school=campaign.school,
                on=today,
            ):
                recorded += 1
                events.append(
                    SignatureEvent(
                        school_id=campaign.school_id,
                        kind=EventKind.REMINDED,
                        at=at,
                        campaign_id=campaign.pk,
                        invitation_id=invitation.pk,
                        actor="Safeguarding Portal",
                    )
                )
        staff = SigningRequest.objects.filter(
            campaign=campaign, user__isnull=False, status=RequestStatus.PENDING
        ).select_related("user")
        for request in staff:
            if not _due(campaign.created_at.date(), today, campaign.remind_every_days):
                break
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
                recorded += 1
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
    return recorded
