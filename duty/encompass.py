"""Operation Encompass: police notifications that a child was at a domestic abuse incident.

Recorded by the DSL team or the head, sent at once to the DSL on duty (then the rest of the team, then the
head: ``services.escalation_chain``), and to be acknowledged before the start of the next school day (term
dates). One not acknowledged by then is escalated to the deputies and the headteacher by the sweep in
``duty/reminders.py``. Emails and texts never name a child: a link and the deadline only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Cap, Role
from safeguarding_portal.audit import chain
from safeguarding_portal.outbox.email import Kind, send_email
from safeguarding_portal.schools.models import Pupil, School

from . import selectors, services, texts
from .models import EncompassChild, EncompassEntry, EncompassNotification
from .models import EncompassEntryKind as EntryKind

ESCALATED_TO = (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER)


def _now() -> datetime.datetime:
    return timezone.now()


def _entry(
    *,
    notification: EncompassNotification,
    kind: str,
    at: datetime.datetime | None = None,
    author: User | None = None,
    **fields,
) -> EncompassEntry | None:
    """Append one entry; None when the database says it is there already (an alert stage, an acknowledgement
    or an escalation recorded twice by a double click or two sweeps)."""
    entry = EncompassEntry(
        school_id=notification.school_id, notification=notification, kind=kind, at=at or _now(), author=author, **fields
    )
    try:
        with transaction.atomic():
            return chain.append(entry)
    except IntegrityError:
        return None


def _send(
    *, notification: EncompassNotification, people, stage: str, subject: str, intro: str
) -> EncompassEntry | None:
    people = sorted({u for u in people if u.is_active}, key=lambda u: u.email)
    entry = _entry(
        notification=notification,
        kind=EntryKind.ALERTED if stage != "escalated" else EntryKind.ESCALATED,
        stage=stage if stage != "escalated" else "",
        text=f"{len(people)} told",
        data={"recipients": [u.email for u in people]},
    )
    if entry is None or not people:
        return entry
    deadline = timezone.localtime(notification.acknowledge_by)
    link = f"{settings.SITE_URL}{reverse('duty:encompass_detail', args=[notification.pk])}"
    # No child, no family, no police detail: the school, the deadline and a link.
    body = (
        f"{intro}\n\nSchool: {notification.school.name}\n"
        f"Acknowledge it before {deadline:%H:%M on %A %-d %B}.\n\nOpen it in the portal: {link}\n"
    )
    send_email(
        to=[u.email for u in people],
        subject=subject,
        body=body,
        kind=Kind.ALERT,
        school_id=notification.school_id,
        urgent=True,
        reference=f"encompass-{notification.pk}",
    )
    texts.text_people(school=notification.school, users=people, reference=f"encompass-{notification.pk}")
    return entry


@transaction.atomic
def record(
    *,
    school: School,
    by: User,
    notified_at: datetime.datetime,
    incident_on: datetime.date,
    police_reference: str,
    officer_name: str,
    officer_contact: str,
    support: str,
    pupil_ids: list[int],
) -> EncompassNotification:
    now = _now()
    errors = {}
    if notified_at > now + datetime.timedelta(minutes=5):
        errors["notified_at"] = "The police notification cannot be in the future."
    if incident_on > timezone.localtime(notified_at).date():
        errors["incident_on"] = "The incident cannot be after the notification."
    for name, value in (
        ("police_reference", police_reference),
        ("officer_name", officer_name),
        ("officer_contact", officer_contact),
        ("support", support),
    ):
        if not value.strip():
            errors[name] = "This is needed."
    pupils = list(Pupil.objects.filter(school=school, pk__in=set(pupil_ids)))
    if not pupils or len(pupils) != len(set(pupil_ids)):
        errors["pupils"] = "Choose the children named by the police from the school's pupils."
    if errors:
        raise ValidationError(errors)
    notification = chain.append(
        EncompassNotification(
            school=school,
            notified_at=notified_at,
            incident_on=incident_on,
            police_reference=police_reference.strip(),
            officer_name=officer_name.strip(),
            officer_contact=officer_contact.strip(),
            support=support.strip(),
            recorded_by=by,
            recorded_at=now,
            acknowledge_by=selectors.next_school_day_start(school, notified_at),
        )
    )
    chain.append_many(
        [EncompassChild(school=school, notification=notification, pupil=p) for p in sorted(pupils, key=lambda p: p.pk)]
    )
    first = services.escalation_chain(school, now)[0]
    _send(
        notification=notification,
        people=first.people,
        stage=first.key,
        subject="Police notification (Operation Encompass): please acknowledge",
        intro="The police have notified the school about a child. You are the first to be told.",
    )
    return notification


@transaction.atomic
def acknowledge(*, notification: EncompassNotification, by: User) -> EncompassEntry:
    if (
        not Membership.objects.current()
        .filter(school_id=notification.school_id, user=by, role__in=ESCALATED_TO)
        .exists()
    ):
        raise ValidationError("Only the DSL team or the headteacher acknowledges a police notification.")
    at = _now()
    late = at > notification.acknowledge_by
    entry = _entry(
        notification=notification,
        kind=EntryKind.ACKNOWLEDGED,
        author=by,
        at=at,
        text="Acknowledged after the start of the school day" if late else "Acknowledged in time",
        data={"in_time": not late},
    )
    if entry is None:
        raise ValidationError("Already acknowledged.")
    return entry


@transaction.atomic
def ask_action(
    *, notification: EncompassNotification, by: User, assignee: User, text: str, pupil: Pupil | None = None
) -> EncompassEntry:
    if not text.strip():
        raise ValidationError({"text": "Say what support you ask for."})
    if not Membership.objects.current().filter(school_id=notification.school_id, user=assignee).exists():
        raise ValidationError({"assignee": "Ask someone who works at the school."})
    if pupil is not None and not notification.children.filter(pupil=pupil).exists():
        raise ValidationError({"pupil": "Choose one of the children the police named."})
    entry = _entry(
        notification=notification,
        kind=EntryKind.ACTION_ASKED,
        author=by,
        text=text.strip(),
        assignee=assignee,
        pupil=pupil,
    )
    link = f"{settings.SITE_URL}{reverse('duty:my_actions')}"
    send_email(
        to=[assignee.email],
        subject="A support action for you",
        kind=Kind.OTHER,
        school_id=notification.school_id,
        body=f"The safeguarding team has asked you to take a support action.\n\nSee it in the portal: {link}\n",
    )
    return entry


@transaction.atomic
def action_done(*, action: EncompassEntry, by: User, note: str = "") -> EncompassEntry:
    if action.kind != EntryKind.ACTION_ASKED:
        raise ValidationError("Not a support action.")
    entry = _entry(
        notification=action.notification, kind=EntryKind.ACTION_DONE, author=by, action=action, text=note.strip()[:500]
    )
    if entry is None:
        raise ValidationError("Already done.")
    return entry


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Pass on what nobody acknowledged: the rest of the team, the head (set minutes), and at the start of the
    next school day, escalation to the deputies and the headteacher. Each step once."""
    now = now or _now()
    sent = 0
    pending = (
        unacknowledged()
        .filter(recorded_at__lte=now - datetime.timedelta(minutes=1))
        .exclude(entries__kind=EntryKind.ESCALATED)
        .select_related("school")
        .prefetch_related("entries")
    )
    for notification in pending:
        with transaction.atomic():
            stages_sent = {e.stage for e in notification.entries.all() if e.kind == EntryKind.ALERTED}
            stages = services.escalation_chain(notification.school, notification.recorded_at)
            for stage in stages[1:]:
                if (
                    stage.key not in stages_sent
                    and now >= notification.recorded_at + stage.after
                    and _send(
                        notification=notification,
                        people=stage.people,
                        stage=stage.key,
                        subject="Police notification (Operation Encompass): not yet acknowledged",
                        intro="The police have notified the school about a child, and nobody has acknowledged it yet.",
                    )
                ):
                    sent += 1
            if now >= notification.acknowledge_by:
                people = [
                    m.user
                    for m in Membership.objects.current()
                    .filter(school=notification.school, role__in=(Role.DEPUTY_DSL, Role.HEADTEACHER))
                    .select_related("user")
                ]
                if _send(
                    notification=notification,
                    people=people,
                    stage="escalated",
                    subject="URGENT: police notification not acknowledged before the school day",
                    intro="A police notification (Operation Encompass) was not acknowledged before the start "
                    "of the school day. Please open it now: a child may need support today.",
                ):
                    sent += 1
    return sent


# --- Reading --------------------------------------------------------------------------------------------


def _acknowledged() -> Exists:
    return Exists(EncompassEntry.objects.filter(notification=OuterRef("pk"), kind=EntryKind.ACKNOWLEDGED))


def unacknowledged() -> QuerySet[EncompassNotification]:
    return EncompassNotification.objects.exclude(_acknowledged())


def notifications(*, school: School) -> QuerySet[EncompassNotification]:
    """The school's notifications, newest first, with whether each was acknowledged and in time."""
    in_time = Exists(
        EncompassEntry.objects.filter(
            notification=OuterRef("pk"), kind=EntryKind.ACKNOWLEDGED, at__lte=OuterRef("acknowledge_by")
        )
    )
    return EncompassNotification.objects.filter(school=school).annotate(
        acknowledged=_acknowledged(), in_time=in_time, child_count=Count("children", distinct=True)
    )


@dataclass(frozen=True)
class Action:
    entry: EncompassEntry
    done: EncompassEntry | None


def my_actions(*, school: School, user: User) -> list[Action]:
    """Support actions asked of this person: the action, the child it concerns, who asked; nothing else."""
    asked = list(
        EncompassEntry.objects.filter(school=school, kind=EntryKind.ACTION_ASKED, assignee=user)
        .select_related("pupil", "author")
        .order_by("-at")
    )
    done = {e.action_id: e for e in EncompassEntry.objects.filter(action__in=asked, kind=EntryKind.ACTION_DONE)}
    return [Action(a, done.get(a.pk)) for a in asked]


def actions_of(notification: EncompassNotification) -> list[Action]:
    entries = list(notification.entries.select_related("author", "assignee", "pupil").order_by("at", "id"))
    done = {e.action_id: e for e in entries if e.kind == EntryKind.ACTION_DONE}
    return [Action(e, done.get(e.pk)) for e in entries if e.kind == EntryKind.ACTION_ASKED]


def figures(*, school_ids, start: datetime.date, end: datetime.date) -> dict[int, tuple[int, int]]:
    """Per school: (notifications received in the period, of them acknowledged before the next school day)."""
    in_time = EncompassEntry.objects.filter(
        notification=OuterRef("pk"), kind=EntryKind.ACKNOWLEDGED, at__lte=OuterRef("acknowledge_by")
    )
    rows = (
        EncompassNotification.objects.filter(
            school_id__in=list(school_ids), notified_at__date__gte=start, notified_at__date__lte=end
        )
        .values("school_id")
        .annotate(total=Count("pk"), seen=Count("pk", filter=Exists(in_time)))
        .order_by()
    )
    found = {r["school_id"]: (r["total"], r["seen"]) for r in rows}
    return {sid: found.get(sid, (0, 0)) for sid in school_ids}


def for_pupil(*, school: School, pupil: Pupil) -> QuerySet[EncompassNotification]:
    """The notifications that named this pupil, oldest first (the pupil's chronology)."""
    return (
        notifications(school=school)
        .filter(children__pupil=pupil)
        .select_related("recorded_by")
        .order_by("notified_at", "pk")
    )


def chronology_section(*, portal, pupil: Pupil) -> dict | None:
    """Registered with incidents.chronology: the notifications that named the pupil, for those who may read
    police notifications (the DSL team and the head)."""
    if portal.school is None or pupil.school_id != portal.school.pk or not portal.can(Cap.VIEW_ENCOMPASS):
        return None
    found = list(for_pupil(school=portal.school, pupil=pupil))
    return {"template": "duty/_chronology_encompass.html", "notifications": found} if found else None


def bundle_records(*, school: School, pupil: Pupil) -> list[dict]:
    """Registered with incidents.bundles: the police notifications that named the pupil, the pupil's link to each
    and their entries, with each record's chain link, for a transfer bundle."""
    from incidents.bundles import item

    from .models import EncompassChild, EncompassEntry

    out = []
    for n in for_pupil(school=school, pupil=pupil):
        out.append(
            item(
                "encompass_notification",
                n.pk,
                {
                    "notified_at": n.notified_at,
                    "incident_on": n.incident_on,
                    "police_reference": n.police_reference,
                    "officer_name": n.officer_name,
                    "officer_contact": n.officer_contact,
                    "support": n.support,
                    "recorded_by": n.recorded_by.full_name if n.recorded_by_id else "",
                    "recorded_at": n.recorded_at,
                },
                n,
            )
        )
        for child in EncompassChild.objects.filter(notification=n, pupil=pupil):
            out.append(item("encompass_child", child.pk, {"notification_id": n.pk}, child))
        for e in EncompassEntry.objects.filter(notification=n).order_by("at", "pk"):
            if e.pupil_id not in (None, pupil.pk):
                continue  # another child's support action: theirs, not this pupil's
            out.append(
                item(
                    "encompass_entry",
                    e.pk,
                    {"notification_id": n.pk, "kind": e.get_kind_display(), "at": e.at, "text": e.text},
                    e,
                )
            )
    return out
