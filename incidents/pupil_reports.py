"""A safe way for pupils to tell someone: the school's "tell someone" link, the pupil's report and its check.

A pupil, with no account, tells the safeguarding team about something that happened online, named or not,
from a per-school link (a QR code on a poster or a school device). The report goes through the same pipeline
as a member of staff's: an ``Incident`` (source "pupil", nobody as reporter), its hash-chained REPORTED entry,
and the DSL team's alert through the outbox (urgent, like any concern with a child at risk now, when the pupil says
it is still happening). It waits in moderation: the DSL team accepts it as a case (its
procedure checklist is copied then) or dismisses it as spam or abuse, with the reason, on the timeline.

Nothing here records where the pupil sent from (no IP, no browser in the record or the audit log): the page
promises they can tell anonymously, and a school device's address would say which classroom. Throttling uses
the address and a device cookie in the cache only (views_pupil_reports).
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.schools.models import SafeguardingContact, School

from . import counts, services
from .categories import Category
from .models import (
    Alert,
    Device,
    EntryKind,
    Incident,
    Location,
    Moderation,
    PupilReportLink,
    Route,
    Severity,
    Source,
    Status,
    TimelineEntry,
)

# Lengths a pupil can type: enough to tell, too little to paste a file's worth.
MAX_DESCRIPTION = 3000
MAX_NAME = 120

# What it was about, in a pupil's words, and the category the case starts in (the DSL team confirms or
# changes it when accepting). "Not sure" starts as harmful content, the broadest; the pupil's own choice is kept
# in the chained report entry either way.
ABOUT: list[tuple[str, str, str]] = [
    ("unkind", "Someone being unkind, bullying or leaving someone out online", Category.CYBERBULLYING),
    ("stranger", "Someone I don't know, or an adult, messaging me or a friend", Category.UNWANTED_CONTACT),
    ("pictures", "Someone asking for, sharing or sending nude or sexual pictures", Category.YOUTH_PRODUCED_IMAGERY),
    ("threat", "Someone threatening to share pictures unless I pay or do something", Category.SEXTORTION),
    ("hate", "Hateful things about someone's race, religion, sex, sexuality or disability", Category.ONLINE_HATE),
    ("seen", "Something I saw online that upset or worried me", Category.HARMFUL_CONTENT_ACCIDENTAL),
    ("scam", "A scam, or someone got into my account", Category.PHISHING_SCAMS),
    # About a member of staff: an allegation, routed as a colleague's report of one is (to the headteacher).
    ("adult", "A teacher or another adult at school, something they did or said", Category.STAFF_CONDUCT),
    # About the head: to the chair of governors, as a colleague's report about the head goes.
    ("head", "The headteacher, something they did or said", Category.STAFF_CONDUCT),
    ("else", "Something else, or I'm not sure", Category.HARMFUL_CONTENT_ACCIDENTAL),
]
ABOUT_CATEGORY = {key: category for key, _label, category in ABOUT}
ABOUT_LABEL = {key: label for key, label, _category in ABOUT}

# When, roughly: the pupil picks a range, the case records its start (and the page shows the range).
WHEN: list[tuple[str, str, datetime.timedelta]] = [
    ("today", "Today", datetime.timedelta(0)),
    ("yesterday", "Yesterday", datetime.timedelta(days=1)),
    ("week", "In the last week", datetime.timedelta(days=7)),
    ("month", "In the last month", datetime.timedelta(days=30)),
    ("longer", "Longer ago", datetime.timedelta(days=90)),
    ("unsure", "I'm not sure", datetime.timedelta(0)),
]
WHEN_LABEL = {key: label for key, label, _ago in WHEN}
WHEN_AGO = {key: ago for key, _label, ago in WHEN}

AUTHOR_NAME = "A pupil, from the school's tell-someone link"


class DismissReason:
    SPAM = "spam"
    ABUSE = "abuse"
    choices = [(SPAM, "Spam, a test or nonsense"), (ABUSE, "Abusive or malicious")]
    labels = dict(choices)


# --- The link -------------------------------------------------------------------------------------------


def pupil_link_for(*, school: School) -> PupilReportLink:
    """The school's link, made the first time the DSL team opens its page."""
    link, _created = PupilReportLink.objects.get_or_create(school=school, defaults={"created_at": timezone.now()})
    return link


def school_for_key(key: uuid.UUID) -> School | None:
    link = PupilReportLink.objects.filter(key=key).select_related("school").first()
    return link.school if link else None


@transaction.atomic
def pupil_link_rotate(*, school: School, by: User, origin: Origin | None = None) -> PupilReportLink:
    """A new key: the old link (and every poster and QR code with it) stops working at once."""
    link = PupilReportLink.objects.select_for_update().filter(school=school).first() or pupil_link_for(school=school)
    link.key = uuid.uuid4()
    link.rotated_at = timezone.now()
    link.rotated_by = by
    link.save(update_fields=["key", "rotated_at", "rotated_by"])
    audit_record(
        action=AuditAction.PUPIL_LINK_ROTATED,
        origin=origin,
        actor=by,
        school=school,
        obj=link,
        summary="The pupils' tell-someone link was replaced; the old link and QR code no longer work",
    )
    return link


def help_lines(*, school: School | None) -> list[dict[str, str]]:
    """Who a pupil can call, for the form, the thank-you page and the "too many" page: the school's own number
    and the agencies it lists for children (not the LADO or the police's non-emergency line, which are for staff).
    Childline and 999 are written on the pages themselves, always."""
    lines: list[dict[str, str]] = []
    if school is None:
        return lines
    if school.phone:
        lines.append({"name": f"{school.name} (ask for the safeguarding team)", "phone": school.phone})
    # Children's social care, in and out of hours, takes calls from children; "other" contacts are often the
    # school's IT provider or a consultant, not for pupils.
    plain: dict[str, str] = {
        SafeguardingContact.Kind.MASH: "Children's social care",
        SafeguardingContact.Kind.OUT_OF_HOURS: "Children's social care, evenings and weekends",
    }
    for contact in school.contacts.filter(kind__in=list(plain)).order_by("kind", "name"):
        lines.append({"name": f"{plain[contact.kind]} ({contact.name})", "phone": contact.phone})
    return lines


# --- The pupil's report ---------------------------------------------------------------------------------


def pupil_report(
    *,
    school: School,
    about: str,
    description: str,
    when: str,
    name: str = "",
    still_happening: bool | None = None,
    submission_token: uuid.UUID | None = None,
    reported_at: datetime.datetime | None = None,
    notify: bool = True,
) -> Incident:
    """Record what a pupil told, for the DSL team to check. The same form sent twice (a double tap) records once."""
    try:
        return _pupil_report(
            school=school,
            about=about,
            description=description,
            when=when,
            name=name,
            still_happening=still_happening,
            submission_token=submission_token,
            reported_at=reported_at,
            notify=notify,
        )
    except IntegrityError:
        # Two sends of one form at once: the unique token let one through.
        existing = (
            Incident.objects.filter(submission_token=submission_token, school=school, source=Source.PUPIL).first()
            if submission_token
            else None
        )
        if existing is None:
            raise
        return existing


@transaction.atomic
def _pupil_report(
    *,
    school: School,
    about: str,
    description: str,
    when: str,
    name: str,
    still_happening: bool | None,
    submission_token: uuid.UUID | None,
    reported_at: datetime.datetime | None,
    notify: bool,
) -> Incident:
    if submission_token is not None:
        existing = Incident.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            if existing.school_id != school.pk or existing.source != Source.PUPIL:
                raise ValidationError("This form was already used. Please start again.")
            return existing
    description = description.strip()
    name = name.strip()
    if not description:
        raise ValidationError({"description": "Tell us what happened."})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError({"description": f"Please keep it under {MAX_DESCRIPTION} characters."})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"Please keep your name and form under {MAX_NAME} characters."})
    if about not in ABOUT_CATEGORY:
        raise ValidationError({"about": "Choose what it was about."})
    if when not in WHEN_AGO:
        raise ValidationError({"when": "Choose roughly when it happened."})
    now = reported_at or timezone.now()
    category = ABOUT_CATEGORY[about]
    # About an adult at school: an allegation about staff, to the headteacher as a colleague's report of one goes
    # (services.route_for; nobody is named as its subject, the head finds out who). The DSL team does not see it
    # unless the head shares it (incidents.access).
    route = Route.CHAIR if about == "head" else services.route_for(school=school, category=category, subject_staff=None)
    # "Still happening" is a child who may be at risk now: urgent, like a member of staff's report of immediate
    # risk (the urgent alert, the duty rota, the resend sweep), though it still waits for the team's check.
    urgent = still_happening is True
    year = timezone.localtime(now).year
    incident = Incident(
        school=school,
        reference="",
        year=year,
        number=0,
        submission_token=submission_token or uuid.uuid4(),
        reported_by=None,
        source=Source.PUPIL,
        moderation=Moderation.PENDING,
        raised_by_name=name,
        still_happening=still_happening,
        reported_at=now,
        occurred_at=now - WHEN_AGO[when],
        location=Location.UNKNOWN,
        category=category,
        description=description,
        device=Device.UNKNOWN,
        immediate_risk=urgent,
        severity=Severity.HIGH if urgent else "",
        route=route,
        last_activity_at=now,
    )
    incident.full_clean(
        exclude=["submission_token", "reference", "number", "school", "reported_by", "subject_staff"],
        validate_unique=False,
        validate_constraints=False,
    )
    recipients = services.urgent_recipients(incident=incident, at=now) if urgent else None
    if recipients is None:
        recipients = services.recipients_for(incident=incident)
    alert_kind = Alert.Kind.URGENT if urgent else Alert.Kind.NEW_REPORT
    incident.number, incident.reference = services._next_reference(school=school, year=year)
    incident.save(force_insert=True, count_later=True)  # counted after the chain append, as services.incident_report
    # No procedure checklist yet: the DSL team may dismiss it; accepting copies the category's procedure.
    Alert.objects.create(incident=incident, kind=alert_kind, sent_at=now, recipients=[u.email for u in recipients])
    alerted = services._alert_sent(incident=incident, kind=alert_kind, recipients=recipients, at=now, send=notify)
    reported = services._new_entry(
        incident=incident,
        kind=EntryKind.REPORTED,
        author=None,
        at=now,
        data={
            "immediate_risk": urgent,
            "route": route,
            "category": category,
            "source": Source.PUPIL,
            "about": about,
            "about_label": ABOUT_LABEL[about],
            "when": when,
            "when_label": WHEN_LABEL[when],
            "still_happening": still_happening,
            "named": bool(name),
        },
    )
    reported.author_name = AUTHOR_NAME
    chain.append_many([reported, alerted])
    counts.moved([], counts.keys_of(incident))
    return incident


# --- The DSL team's check -------------------------------------------------------------------------------


def _pending(incident: Incident) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.moderation != Moderation.PENDING:
        raise ValidationError("This pupil's report has already been checked.")
    return incident


@transaction.atomic
def pupil_report_accept(*, incident: Incident, by: User, category: str, note: str = "") -> TimelineEntry:
    """Accept as a case: recorded, the category confirmed (or corrected, the pupil's choice kept), the category's
    procedure copied onto the case and the case acknowledged."""
    incident = _pending(incident)
    if incident.route != Route.DSL:
        # An allegation stays one: accepting it cannot hand it to the DSL team as a pupil's concern.
        if category != Category.STAFF_CONDUCT:
            raise ValidationError(
                {"category": "A pupil's report about an adult at school is accepted as an allegation about staff."}
            )
    elif category not in Category.values or category == Category.STAFF_CONDUCT:
        raise ValidationError({"category": "Choose the category of the concern."})
    entry = services._entry(
        incident=incident,
        kind=EntryKind.MODERATED,
        author=by,
        text=note.strip(),
        data={"decision": Moderation.ACCEPTED, "category": category},
    )
    incident.moderation = Moderation.ACCEPTED
    incident.save(update_fields=["moderation"])
    if category != incident.category:
        reported = incident.entries.get(kind=EntryKind.REPORTED)
        # The correction copies the new category's procedure (its steps after none: a new checklist).
        services.case_correct(
            incident=incident,
            by=by,
            entry=reported,
            field="category",
            value=category,
            reason="Category set when the pupil's report was accepted",
        )
    else:
        services._snapshot_procedure(incident)
    services.case_transition(incident=incident, to=Status.ACKNOWLEDGED, by=by)
    return entry


@transaction.atomic
def pupil_report_dismiss(*, incident: Incident, by: User, reason_kind: str, reason: str) -> TimelineEntry:
    """Dismiss as spam or abuse, with the reason written down (KCSiE: decisions not to act are recorded too);
    the case closes with that outcome and stays on the record, like every other."""
    incident = _pending(incident)
    if reason_kind not in DismissReason.labels:
        raise ValidationError({"reason_kind": "Choose why it is being dismissed."})
    if not reason.strip():
        raise ValidationError({"reason": "Write down why it is being dismissed."})
    entry = services._entry(
        incident=incident,
        kind=EntryKind.MODERATED,
        author=by,
        text=reason.strip(),
        data={"decision": Moderation.DISMISSED, "reason_kind": reason_kind},
    )
    incident.moderation = Moderation.DISMISSED
    incident.save(update_fields=["moderation"])
    services.case_transition(
        incident=incident,
        to=Status.CLOSED,
        by=by,
        outcome=f"Pupil's report dismissed: {DismissReason.labels[reason_kind].lower()}. {reason.strip()}",
    )
    return entry


def pupil_said(*, incident: Incident, reported: TimelineEntry | None) -> dict | None:
    """What the pupil chose on the form, for the case page (the description is shown with the report)."""
    if not incident.pupil_raised or reported is None:
        return None
    data = reported.data
    return {
        "about": data.get("about_label", ""),
        "when": data.get("when_label", ""),
        "still_happening": data.get("still_happening"),
        "name": incident.raised_by_name,
    }
