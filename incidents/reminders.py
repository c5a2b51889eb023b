"""What the reminder engine chases for incidents (see ``safeguarding_portal/reminders/registry.py``).

Texts name no child and say nothing of the concern: a case reference and a link, as every email of the
portal. The urgent sweep is not a digest: it re-alerts at once (``services.urgent_resend_sweep``), and the
``Alert`` row it records per case makes a re-run or a second beat process send nothing more.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind_many
from safeguarding_portal.schools.models import Pupil, School

from . import services
from .figures import leavers_only
from .models import CaseTask, CPFileTransfer, Incident, Status

URGENT_EVERY_MINUTES = 2


@sweep("incidents.leavers_handover", hour=6, minute=15)
def leavers_handover(*, today: datetime.date) -> int:
    """Open tasks and cases still held by someone who no longer works at the school (a role ended on a later
    day than it was recorded) pass to the DSL, as on the day of leaving (``services.staff_left_handover``).
    Runs before the overdue-task reminders, so those reach someone who is still there."""
    open_tasks = CaseTask.objects.filter(done_entry__isnull=True).exclude(incident__status=Status.CLOSED)
    held = set(open_tasks.values_list("incident__school_id", "owner_id").distinct())
    held |= set(
        Incident.objects.filter(assigned_to__isnull=False)
        .exclude(status=Status.CLOSED)
        .values_list("school_id", "assigned_to_id")
        .distinct()
    )
    there = set(
        Membership.objects.current(today)
        .filter(user_id__in={who for _, who in held}, school__isnull=False)
        .values_list("school_id", "user_id")
    )
    moved = 0
    for school_id, who in sorted(held - there):
        moved += services.staff_left_handover(
            school=School.objects.get(pk=school_id), leaver=User.objects.get(pk=who), by=None, on=today
        )
    return moved


@sweep("incidents.tasks_overdue", hour=6, minute=20)
def tasks_overdue(*, today: datetime.date) -> int:
    """Case tasks past their due date, to the person who owns each; not on cases whose pupils have all left (they
    are the DSL team's, in the dashboard's own queue, not everyday work)."""
    due = (
        CaseTask.objects.filter(done_entry__isnull=True, due_on__lt=today, owner__is_active=True)
        .exclude(incident__status=Status.CLOSED)
        .exclude(incident__in=Incident.objects.filter(leavers_only()).values("pk"))
        .select_related("owner", "incident")
        .only("pk", "due_on", "owner__email", "owner__is_active", "incident__reference", "incident__school_id")
    )
    return remind_many(
        [
            {
                "recipient_email": task.owner.email,
                "recipient_user": task.owner,
                "kind": "incidents.tasks_overdue",
                "key": f"task:{task.pk}",
                "school_id": task.incident.school_id,
                "text": f"A task on case {task.incident.reference} was due on {task.due_on:%-d %b %Y}.",
                "url": reverse("incidents:case", args=[task.incident.reference]),
            }
            for task in due
        ],
        on=today,
    )


@sweep("incidents.transfers_unconfirmed", hour=6, minute=25)
def transfers_unconfirmed(*, today: datetime.date) -> int:
    """Child-protection files sent but not confirmed as received within five school days, to the DSL team."""
    overdue = list(
        CPFileTransfer.objects.filter(sent_at__isnull=False, confirmed_at__isnull=True, confirm_by__lt=today).only(
            "pk", "school_id", "confirm_by"
        )
    )
    if not overdue:
        return 0
    team: dict[int, list] = {}
    for m in (
        Membership.objects.current(on=today)
        .filter(
            school_id__in={t.school_id for t in overdue}, role__in=[Role.DSL, Role.DEPUTY_DSL], user__is_active=True
        )
        .select_related("user")
    ):
        team.setdefault(m.school_id, []).append(m.user)
    return remind_many(
        [
            {
                "recipient_email": user.email,
                "recipient_user": user,
                "kind": "incidents.transfers_unconfirmed",
                "key": f"transfer:{transfer.pk}",
                "school_id": transfer.school_id,
                "text": "A child-protection file sent to a new school is not yet confirmed as received "
                f"(due by {transfer.confirm_by:%-d %b %Y}).",
                "url": reverse("incidents:transfer", args=[transfer.pk]),
            }
            for transfer in overdue
            for user in team.get(transfer.school_id, [])
        ],
        on=today,
    )


@sweep("incidents.urgent_unacknowledged", every_minutes=URGENT_EVERY_MINUTES)
def urgent_unacknowledged(*, today: datetime.date) -> int:
    """Urgent concerns nobody acknowledged in time: re-alerted at once to the DSL team and the head."""
    return services.urgent_resend_sweep()


@sweep("incidents.leavers_early_notice", hour=6, minute=30)
def leavers_early_notice(*, today: datetime.date) -> int:
    """Pupils marked as leaving with a destination whose new school has not yet had the essential information
    ahead of the file (KCSiE 2026): the DSL team is prompted each day until it is recorded as sent."""
    from .transfer_bundles import leavers_needing_notice

    waiting = Pupil.objects.filter(early_notice_at__isnull=True, incident_links__isnull=False).exclude(
        destination_school=""
    )
    schools = School.objects.filter(pk__in=waiting.values("school_id"))
    reminders = []
    for school in schools:
        team = [
            m.user
            for m in Membership.objects.current(on=today)
            .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL], user__is_active=True)
            .select_related("user")
        ]
        for pupil in leavers_needing_notice(school=school):
            reminders += [
                {
                    "recipient_email": user.email,
                    "recipient_user": user,
                    "kind": "incidents.leavers_early_notice",
                    "key": f"leaver:{pupil.pk}",
                    "school_id": school.pk,
                    "text": "A pupil with safeguarding records is leaving: send the new school's DSL the essential "
                    "information ahead of the file.",
                    "url": reverse("incidents:chronology", args=[pupil.pk]),
                }
                for user in team
            ]
    return remind_many(reminders, on=today)
