"""Writes for incidents. Every change to a case is a timeline entry; projections are updated alongside.

Views, tasks, management commands and seed data all go through these functions.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from duty.services import escalation_chain
from duty.texts import text_people
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit import chain
from safeguarding_portal.outbox import services as outbox
from safeguarding_portal.outbox.email import Kind, send_email
from safeguarding_portal.schools.models import Pupil, School

from . import corrections, procedures
from . import counts as kept_counts
from .categories import FOUR_C, NO_ATTACHMENT_CATEGORIES, Category, FourC
from .models import (
    TRANSITIONS,
    Agency,
    Alert,
    Attachment,
    CaseShare,
    CaseStep,
    CaseTask,
    ConcernType,
    EntryKind,
    Incident,
    IncidentOther,
    IncidentPupil,
    IncidentStaff,
    Moderation,
    PupilRole,
    ReferenceCounter,
    Route,
    SavedFilter,
    Severity,
    Status,
    TimelineEntry,
)

_clock: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("incidents_clock", default=None)


def _now() -> datetime.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def backdated(at: datetime.datetime):
    """For demo data and benchmarks only: record case actions as if they happened at ``at``.

    Users can never reach this; every request records the server's own time.
    """
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_ATTACHMENT_TYPES = {
    # What a screenshot or a document of a concern is; checked by content, not by the name's ending.
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8\xff",
    "image/gif": b"GIF8",
    "image/webp": b"RIFF",
    "application/pdf": b"%PDF",
}


@dataclass(frozen=True)
class PupilInvolvement:
    pupil_id: int
    role: str
    # The pupil as the caller already read it for this school (the report form does), so the service need
    # not read it again; without it (or for another school's pupil) the service reads it.
    pupil: Pupil | None = field(default=None, compare=False)


def _sniff(upload: UploadedFile) -> str | None:
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic in ALLOWED_ATTACHMENT_TYPES.items():
        if head.startswith(magic) and (content_type != "image/webp" or head[8:12] == b"WEBP"):
            return content_type
    return None


def attachment_problems(*, category: str, files: Iterable[UploadedFile]) -> list[str]:
    """Plain-English reasons these files cannot be attached; empty when they can."""
    files = list(files)
    if not files:
        return []
    if category in NO_ATTACHMENT_CATEGORIES:
        return [
            "Files cannot be attached to this kind of concern. Do not copy or forward the image: secure the "
            "device and tell the DSL."
        ]
    problems = []
    if len(files) > MAX_ATTACHMENTS:
        problems.append(f"Attach at most {MAX_ATTACHMENTS} files.")
    for upload in files:
        if upload.size > MAX_ATTACHMENT_BYTES:
            problems.append(f"{upload.name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.")
        elif _sniff(upload) is None:
            problems.append(f"{upload.name} is not a PNG, JPEG, GIF or WebP image or a PDF.")
    return problems


def route_for(*, school: School, category: str, subject_staff: User | None) -> str:
    if subject_staff is None and category != Category.STAFF_CONDUCT:
        return Route.DSL
    if (
        subject_staff is not None
        and Membership.objects.current().filter(school=school, user=subject_staff, role=Role.HEADTEACHER).exists()
    ):
        return Route.CHAIR
    return Route.HEADTEACHER


def _next_reference(*, school: School, year: int) -> tuple[int, str]:
    """The school's next number for the year, in one statement that creates the year's counter or moves it on
    (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, in PostgreSQL and SQLite 3.35+). Writing takes the row
    lock, so two reports at the same moment get different numbers; the lock is held to COMMIT, so a report
    takes its number only once everything it reads and checks is done."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (school_id, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608 (table name only)
        f"ON CONFLICT (school_id, year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [school.pk, year])
        number = cursor.fetchone()[0]
    return number, f"{school.reference_prefix}-{year}-{number:04d}"


def _new_entry(
    *,
    incident: Incident,
    kind: str,
    author: User | None,
    text: str = "",
    data: dict | None = None,
    corrects: TimelineEntry | None = None,
    at: datetime.datetime | None = None,
) -> TimelineEntry:
    """A timeline entry, not yet chained (``_record`` or ``chain.append_many`` does that)."""
    return TimelineEntry(
        school_id=incident.school_id,
        incident=incident,
        kind=kind,
        author=author,
        author_name=author.full_name if author else "Safeguarding Portal",
        at=at or _now(),
        text=text,
        data=data or {},
        corrects=corrects,
    )


def _entry(*, incident: Incident, **fields) -> TimelineEntry:
    """A timeline entry, chained and recorded now (``_new_entry``'s fields)."""
    return _record(incident=incident, entry=_new_entry(incident=incident, **fields))


def _record(*, incident: Incident, entry: TimelineEntry) -> TimelineEntry:
    chain.append(entry)  # also moves the dashboard figures' version on (selectors.school_version)
    Incident.objects.filter(pk=incident.pk).update(last_activity_at=entry.at)
    incident.last_activity_at = entry.at
    if procedures.completion_key(entry) is not None:
        _complete_steps(incident=incident, by=entry)
    return entry


def _complete_steps(*, incident: Incident, by: TimelineEntry) -> list[TimelineEntry]:
    """Tick every open step that ``by`` completes (a referral to the police completes "Inform the police"),
    each with its own entry saying which entry completed it."""
    key = procedures.completion_key(by)
    done = []
    for step in CaseStep.objects.select_for_update().filter(incident=incident, done_entry__isnull=True):
        if key not in step.completed_by:
            continue
        entry = _entry(
            incident=incident,
            kind=EntryKind.STEP_DONE,
            author=by.author,
            at=by.at,
            text=f"Completed by entry #{by.seq}: {by.get_kind_display()}",
            data={"step": step.order, "step_text": step.text, "completed_by_seq": by.seq, "completed_by_kind": by.kind},
        )
        CaseStep.objects.filter(pk=step.pk).update(done_entry=entry)
        done.append(entry)
    if done:
        _refresh_steps_projection(incident)
    return done


def _write_steps(incident: Incident, rows: list[procedures.StepSpec], *, after: int = 0) -> None:
    CaseStep.objects.bulk_create(
        [
            CaseStep(
                incident=incident,
                order=after + i,
                text=step.text,
                mandatory=step.mandatory,
                completed_by=list(step.completed_by),
            )
            for i, step in enumerate(rows, 1)
        ]
    )


def _corrected_agencies(incident: Incident) -> dict[int, str]:
    """Each referral's agency as its latest correction has it, by the referral's entry id."""
    return dict(
        TimelineEntry.objects.filter(incident=incident, kind=EntryKind.CORRECTION, data__field="agency")
        .order_by("seq")
        .values_list("corrects_id", "data__now")
    )


def _complete_steps_from_record(incident: Incident, *, by: User) -> list[TimelineEntry]:
    """Tick each open step that an entry already on the case completes (the earliest such entry), for steps
    that arrived after the entry did (a corrected category's procedure) or lost the entry they counted on (a
    referral's corrected agency). Each tick is its own entry, by whoever made the change, saying which entry
    completed the step."""
    steps = [
        step
        for step in CaseStep.objects.select_for_update().filter(incident=incident, done_entry__isnull=True)
        if step.completed_by
    ]
    if not steps:
        return []
    agencies = _corrected_agencies(incident)
    recorded = [
        (procedures.completion_key(entry, agency=agencies.get(entry.pk)), entry)
        for entry in TimelineEntry.objects.filter(incident=incident, kind__in=procedures.COMPLETING_KINDS).order_by(
            "seq"
        )
    ]
    done = []
    now = _now()
    for step in steps:
        done_by = next((entry for key, entry in recorded if key in step.completed_by), None)
        if done_by is None:
            continue
        entry = _entry(
            incident=incident,
            kind=EntryKind.STEP_DONE,
            author=by,
            at=now,
            text=f"Completed by entry #{done_by.seq}: {done_by.get_kind_display()}",
            data={
                "step": step.order,
                "step_text": step.text,
                "completed_by_seq": done_by.seq,
                "completed_by_kind": done_by.kind,
            },
        )
        CaseStep.objects.filter(pk=step.pk).update(done_entry=entry)
        done.append(entry)
    return done


def _reopen_steps_of_corrected_referral(
    *, incident: Incident, by: User, referral: TimelineEntry, was: str, now: str
) -> None:
    """A referral whose agency was corrected no longer completes the steps its old agency did: each such step is
    open again, by an entry that says why (the tick stays on the timeline), and the steps the referral really
    completes, or another entry does, are ticked."""
    labels = dict(Agency.choices)
    key = f"referral:{now}"
    ticked = (
        CaseStep.objects.select_for_update()
        .filter(
            incident=incident, done_entry__kind=EntryKind.STEP_DONE, done_entry__data__completed_by_seq=referral.seq
        )
        .select_related("done_entry")
    )
    for step in ticked:
        if key in step.completed_by:
            continue
        _entry(
            incident=incident,
            kind=EntryKind.STEP_REOPENED,
            author=by,
            corrects=step.done_entry,
            text=(
                f"The agency of entry #{referral.seq} was corrected from {labels.get(was, was)} to "
                f"{labels.get(now, now)}, so that referral no longer completes this step."
            ),
            data={"step": step.order, "step_text": step.text, "corrects_seq": step.done_entry.seq},
        )
        CaseStep.objects.filter(pk=step.pk).update(done_entry=None)
    _complete_steps_from_record(incident, by=by)
    _refresh_steps_projection(incident)


def _refresh_steps_projection(incident: Incident) -> None:
    incident.open_mandatory_steps = CaseStep.objects.filter(
        incident=incident, mandatory=True, done_entry__isnull=True
    ).count()
    incident.save(update_fields=["open_mandatory_steps"])


def _snapshot_procedure(incident: Incident, *, after: int = 0, skip: frozenset[str] = frozenset()) -> None:
    """Copy the school's procedure for the case's category onto the case (numbered after ``after``, leaving
    out steps whose wording the case already has)."""
    rows, _ = procedures.procedure_for(school=incident.school, category=incident.category)
    rows = [step for step in rows if step.text not in skip]
    _write_steps(incident, rows, after=after)
    if after:
        _refresh_steps_projection(incident)
    else:  # a new case: nothing is done yet, so no need to count
        incident.open_mandatory_steps = sum(1 for step in rows if step.mandatory)
        incident.save(update_fields=["open_mandatory_steps"])


def recipients_for(*, incident: Incident, escalate: bool = False) -> list[User]:
    """Who is told about a concern: by route, and for an unacknowledged urgent one, the head as well."""
    roles: list[str]
    if incident.route == Route.DSL:
        roles = [Role.DSL, Role.DEPUTY_DSL] + ([Role.HEADTEACHER] if escalate else [])
        members = Membership.objects.current().filter(school_id=incident.school_id, role__in=roles)
    elif incident.route == Route.HEADTEACHER:
        members = Membership.objects.current().filter(school_id=incident.school_id, role=Role.HEADTEACHER)
    else:
        members = Membership.objects.current().filter(school_id=incident.school_id, role=Role.GOVERNOR, is_chair=True)
    users = {m.user for m in members.select_related("user") if m.user.is_active}
    if incident.subject_staff_id:
        users = {u for u in users if u.pk != incident.subject_staff_id}
    return sorted(users, key=lambda u: u.email)


def _duty_chain(incident: Incident, at: datetime.datetime):
    """The school's escalation chain (``duty.services.escalation_chain``) for a pupil's concern; None for
    allegations, which go to the head or the chair whoever is on duty."""
    if incident.route != Route.DSL:
        return None

    return escalation_chain(incident.school, at)


def urgent_recipients(*, incident: Incident, at: datetime.datetime) -> list[User] | None:
    """Who an urgent concern goes to first: the DSL on duty when the rota names someone (the sweep passes it on if
    nobody acts); None for the route's usual recipients. A member of staff's report and a pupil's both use it."""
    duty = _duty_chain(incident, at)
    if duty and duty[0].key == "on_duty":
        return _alert_recipients(incident=incident, recipients=list(duty[0].people))
    return None


def _alert_recipients(
    *, incident: Incident, escalate: bool = False, recipients: list[User] | None = None
) -> list[User]:
    if recipients is None:
        return recipients_for(incident=incident, escalate=escalate)
    return sorted({u for u in recipients if u.pk != incident.subject_staff_id}, key=lambda u: u.email)


def _alert(
    *,
    incident: Incident,
    kind: str,
    escalate: bool = False,
    at: datetime.datetime | None = None,
    send: bool = True,
    recipients: list[User] | None = None,
) -> Alert | None:
    recipients = _alert_recipients(incident=incident, escalate=escalate, recipients=recipients)
    at = at or _now()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                incident=incident, kind=kind, sent_at=at, recipients=[u.email for u in recipients]
            )
    except IntegrityError:
        return None  # already sent: a retry or a second beat process
    entry = _alert_sent(incident=incident, kind=kind, recipients=recipients, at=at, send=send)
    _record(incident=incident, entry=entry)
    return alert


def _alert_sent(
    *, incident: Incident, kind: str, recipients: list[User], at: datetime.datetime, send: bool
) -> TimelineEntry:
    """Email (and for an urgent alert, text) the recipients of an alert just recorded; returns its timeline
    entry, not yet chained."""
    group = FourC(FOUR_C[incident.category]).label
    link = f"{settings.SITE_URL}{reverse('incidents:case', args=[incident.reference])}"
    urgent = kind != Alert.Kind.NEW_REPORT
    subject = f"{'URGENT: ' if urgent else ''}Online-safety concern {incident.reference} ({group})"
    # No names, no description: a reference, the category group and a link only.
    body = (
        f"{'A child may be at immediate risk. ' if urgent else ''}"
        f"A new online-safety concern has been reported at {incident.school.name}.\n\n"
        f"Reference: {incident.reference}\nCategory group: {group}\n\nOpen it in the portal: {link}\n"
    )
    if incident.pupil_raised:
        body += (
            "\nA pupil sent it from the school's tell-someone link: check it, then accept it as a case or dismiss it.\n"
        )
        if incident.immediate_risk:
            body += "The pupil says it is still happening.\n"
    if kind == Alert.Kind.URGENT_RESEND:
        body += "\nNobody has acknowledged this concern yet. Please open it now.\n"
    elif kind == Alert.Kind.URGENT_TEAM:
        body += "\nThe DSL on duty has not acknowledged this concern yet. Please open it now.\n"
    if recipients and send:
        # Recorded and retried for a day (outbox/email.py); an urgent one that does not go at once is shown
        # to the head and the DSL team.
        send_email(
            to=[u.email for u in recipients],
            subject=subject,
            body=body,
            kind=Kind.ALERT,
            school_id=incident.school_id,
            urgent=urgent,
            reference=incident.reference,
        )
        if urgent:
            # And a text where the school turned texts on: it says only "sign in to the portal" (duty/sms.py).

            text_people(school=incident.school, users=recipients, reference=incident.reference)
    return _new_entry(
        incident=incident,
        kind=EntryKind.ALERT,
        at=at,
        author=None,
        text=f"{Alert.Kind(kind).label}: {len(recipients)} {'person' if len(recipients) == 1 else 'people'} alerted",
        data={"kind": kind, "recipients": [u.email for u in recipients]},
    )


def _already_reported(*, submission_token: uuid.UUID, reporter: User) -> Incident | None:
    """The concern this form already made, if any; someone else's token is refused, never merged."""
    existing = Incident.objects.filter(submission_token=submission_token).first()
    if existing is not None and existing.reported_by_id != reporter.pk:
        raise ValidationError("This form was already used. Please start a new report.")
    return existing


def _token_seen_before(*, submission_token: uuid.UUID, reporter: User) -> Incident | None:
    # The usual double click: the first send has committed by the time the second looks.
    return _already_reported(submission_token=submission_token, reporter=reporter)


def _the_winner_of_a_double_submit(record):
    """Sends of one form at the same moment all pass the token check before any commits; the unique token lets
    one insert through and the others fail (their whole transaction, reference number included, rolls back).
    Each loser then returns the winner's concern, so every send gets the same confirmation."""

    @functools.wraps(record)
    def wrapper(*args, **kwargs):
        try:
            return record(*args, **kwargs)
        except IntegrityError:
            token = kwargs.get("submission_token")
            existing = _already_reported(submission_token=token, reporter=kwargs["reporter"]) if token else None
            if existing is None:
                raise
            return existing

    return wrapper


@_the_winner_of_a_double_submit
@transaction.atomic
def incident_report(
    *,
    school: School,
    reporter: User,
    occurred_at: datetime.datetime,
    location: str,
    category: str,
    description: str,
    device: str,
    immediate_risk: bool,
    submission_token: uuid.UUID | None = None,
    location_detail: str = "",
    device_detail: str = "",
    action_taken: str = "",
    others_involved: str = "",
    pupils: Iterable[PupilInvolvement] = (),
    staff_ids: Iterable[int] = (),
    subject_staff: User | None = None,
    files: Iterable[UploadedFile] = (),
    reported_at: datetime.datetime | None = None,
    notify: bool = True,
) -> Incident:
    """Record a concern. The same submission token twice (a double click, or ten sends at once) returns the
    first report."""
    if submission_token is not None:
        existing = _token_seen_before(submission_token=submission_token, reporter=reporter)
        if existing is not None:
            return existing
    files = list(files)
    problems = attachment_problems(category=category, files=files)
    if problems:
        raise ValidationError(problems)
    pupils = list(pupils)
    pupil_ids = {p.pupil_id for p in pupils}
    found = {
        p.pupil_id: p.pupil
        for p in pupils
        if p.pupil is not None and p.pupil.pk == p.pupil_id and p.pupil.school_id == school.pk
    }
    if pupil_ids - set(found):
        found.update(
            (p.pk, p)
            for p in Pupil.objects.filter(school=school, pk__in=pupil_ids - set(found)).only("year_group", "updated_at")
        )
    if set(found) != pupil_ids:
        raise ValidationError("One of the pupils chosen is not at this school.")
    staff_ids = set(staff_ids)
    if staff_ids:
        members = set(
            Membership.objects.current().filter(school=school, user_id__in=staff_ids).values_list("user_id", flat=True)
        )
        if members != staff_ids:
            raise ValidationError("One of the staff chosen is not at this school.")
    now = reported_at or timezone.now()
    if occurred_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "That time is in the future."})
    year = timezone.localtime(now).year
    steps, _ = procedures.procedure_for(school=school, category=category)
    incident = Incident(
        school=school,
        reference="",  # numbered below, once everything is read and checked
        year=year,
        number=0,
        submission_token=submission_token or uuid.uuid4(),
        reported_by=reporter,
        reported_at=now,
        occurred_at=occurred_at,
        location=location,
        location_detail=location_detail,
        category=category,
        description=description,
        device=device,
        device_detail=device_detail,
        action_taken=action_taken,
        immediate_risk=immediate_risk,
        others_involved=others_involved,
        route=route_for(school=school, category=category, subject_staff=subject_staff),
        subject_staff=subject_staff,
        last_activity_at=now,  # both of the report's entries are at ``now``
        severity=Severity.HIGH if immediate_risk else "",
        open_mandatory_steps=sum(1 for step in steps if step.mandatory),  # a new case: nothing is done yet
    )
    # Choices, lengths and the model's own rules (clean()). Not re-read from the database: the school,
    # reporter and subject are rows the request already holds; the uniques are the database's constraints
    # (a double submit's token is handled by _the_winner_of_a_double_submit); the checks are clean()'s.
    incident.full_clean(
        exclude=["submission_token", "reference", "number", "school", "reported_by", "subject_staff"],
        validate_unique=False,
        validate_constraints=False,
    )
    first = urgent_recipients(incident=incident, at=now) if immediate_risk else None
    recipients = _alert_recipients(incident=incident, recipients=first)
    alert_kind = Alert.Kind.URGENT if immediate_risk else Alert.Kind.NEW_REPORT

    # From here to COMMIT the school's reference counter is held (and, from the chain append, its timeline):
    # reports from one school queue on it, so only the report's own writes follow, no reads.
    incident.number, incident.reference = _next_reference(school=school, year=year)
    # The report's tasks (the curriculum gap check its save asks for, the alert's email) go into the outbox in
    # one INSERT rather than one each; no savepoint in this block, so none of them can roll back alone.
    with outbox.written_together():
        # Counted below, after the chain append: see there.
        incident.save(force_insert=True, count_later=True)
        _write_steps(incident, steps)
        for upload in files:
            _attach(incident=incident, upload=upload, by=reporter, at=now)
        # A new case has no alert yet, so no savepoint around its insert (Alert's unique kind per case stays).
        Alert.objects.create(incident=incident, kind=alert_kind, sent_at=now, recipients=[u.email for u in recipients])
        alerted = _alert_sent(incident=incident, kind=alert_kind, recipients=recipients, at=now, send=notify)
    # The category as reported is kept in the chain: the DSL team may correct the case's category later.
    reported = _new_entry(
        incident=incident,
        kind=EntryKind.REPORTED,
        author=reporter,
        at=now,
        data={"immediate_risk": immediate_risk, "route": incident.route, "category": category},
    )
    # Both entries in one append (one take of the chain's head, one insert), with their ids for the pupils.
    chain.append_many([reported, alerted], with_ids=True)
    # The new case counted now, with the school's chain head held, as every change to a case moves its counts
    # after its timeline entry: the school's count rows are only ever locked under that one lock, so a report
    # and a DSL's action (chain head, then counts) never hold what the other waits for (incidents.counts).
    kept_counts.moved([], kept_counts.keys_of(incident))
    IncidentPupil.objects.bulk_create(
        [
            IncidentPupil(
                incident=incident,
                pupil_id=p.pupil_id,
                role=p.role,
                added_entry=reported,
                year_group=found[p.pupil_id].year_group_on(timezone.localdate(occurred_at)),
            )
            for p in pupils
        ]
    )
    IncidentStaff.objects.bulk_create(
        [IncidentStaff(incident=incident, user_id=uid, added_entry=reported) for uid in staff_ids]
    )
    for entry in (reported, alerted):
        key = procedures.completion_key(entry)
        # The steps were copied from ``steps`` above: only a step that this entry completes needs reading back.
        if key is not None and any(key in step.completed_by for step in steps):
            _complete_steps(incident=incident, by=entry)
    return incident


def _attach(*, incident: Incident, upload: UploadedFile, by: User, at: datetime.datetime) -> Attachment:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        incident=incident,
        original_name=upload.name[:200],
        content_type=_sniff(upload) or "application/octet-stream",
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=at,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


# --- Case actions -----------------------------------------------------------------------------------


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def case_transition(
    *, incident: Incident, to: str, by: User, note: str = "", outcome: str = "", lessons: str = ""
) -> TimelineEntry:
    incident = _lock(incident)
    if incident.moderation == Moderation.PENDING:
        raise ValidationError("Accept or dismiss the pupil's report first (at the top of the case).")
    if to not in TRANSITIONS.get(incident.status, set()):
        raise ValidationError(
            f"A case that is {incident.get_status_display().lower()} cannot become {Status(to).label.lower()}."
        )
    if to == Status.CLOSED and not outcome.strip():
        raise ValidationError({"outcome": "Record the outcome before closing the case."})
    if to == Status.CLOSED:
        open_steps = list(
            CaseStep.objects.filter(incident=incident, mandatory=True, done_entry__isnull=True).values_list(
                "text", flat=True
            )
        )
        if open_steps:
            # KCSiE: decisions, including decisions not to act, are written down. Each required step is done
            # or recorded as not needed, with the reason, before the case can close.
            raise ValidationError(
                f"{len(open_steps)} required step{'s' if len(open_steps) != 1 else ''} still open: "
                + "; ".join(open_steps)
                + ". Complete each, or record why it was not needed, before closing the case."
            )
    now = _now()
    data = {"from": incident.status, "to": to}
    if to == Status.CLOSED:
        data.update(outcome=outcome.strip(), lessons=lessons.strip())
    entry = _entry(incident=incident, kind=EntryKind.STATUS, author=by, text=note.strip(), data=data, at=now)
    incident.status = to
    fields = ["status"]
    if incident.acknowledged_at is None:
        # Any move out of "reported" means someone on the team has picked it up.
        incident.acknowledged_at = now
        fields.append("acknowledged_at")
    if to == Status.CLOSED:
        incident.closed_at = now
        fields.append("closed_at")
    elif to == Status.REOPENED:
        incident.closed_at = None
        fields.append("closed_at")
    incident.save(update_fields=fields)
    return entry


@transaction.atomic
def case_acknowledge(*, incident: Incident, by: User) -> TimelineEntry:
    return case_transition(incident=incident, to=Status.ACKNOWLEDGED, by=by)


@transaction.atomic
def case_assign(*, incident: Incident, to: User, by: User) -> TimelineEntry:
    incident = _lock(incident)
    if (
        not Membership.objects.current()
        .filter(school_id=incident.school_id, user=to, role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER])
        .exists()
    ):
        raise ValidationError("Cases can be assigned to the DSL, a deputy or the headteacher.")
    if incident.subject_staff_id == to.pk:
        raise ValidationError("A case cannot be assigned to the person it is about.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.ASSIGNED,
        author=by,
        text=f"Assigned to {to.full_name}",
        data={"to": to.pk, "to_name": to.full_name},
    )
    incident.assigned_to = to
    incident.save(update_fields=["assigned_to"])
    return entry


@transaction.atomic
def case_classify(*, incident: Incident, by: User, severity: str, concern_type: str, reason: str = "") -> TimelineEntry:
    incident = _lock(incident)
    if severity not in Severity.values or concern_type not in ConcernType.values:
        raise ValidationError("Choose a risk level and whether this is a child-protection concern.")
    if severity != incident.severity and not reason.strip():
        verb = "changed" if incident.severity else "set"
        raise ValidationError({"text": f"Say why the risk level is {verb} to {Severity(severity).label.lower()}."})
    entry = _entry(
        incident=incident,
        kind=EntryKind.CLASSIFIED,
        author=by,
        text=reason.strip(),
        data={
            "severity": severity,
            "concern_type": concern_type,
            "was": {"severity": incident.severity, "concern_type": incident.concern_type},
        },
    )
    incident.severity, incident.concern_type = severity, concern_type
    incident.save(update_fields=["severity", "concern_type"])
    return entry


# Entry kinds that carry only text and structured data, with the fields each needs.
RECORD_KINDS: dict[str, tuple[str, ...]] = {
    EntryKind.NOTE: (),
    EntryKind.PARENT_CONTACT: ("who", "when", "how"),
    EntryKind.PARENT_NOT_INFORMED: (),
    EntryKind.REFERRAL: ("agency", "when"),
    EntryKind.REFERRAL_OUTCOME: ("agency",),
    EntryKind.NO_REFERRAL: (),
    EntryKind.SANCTION: ("sanction",),
    EntryKind.SUPPORT: (),
    EntryKind.DEVICE_SECURED: (),
    EntryKind.DEBRIEF: (),
    EntryKind.RISK_ASSESSMENT: (),
}
REASON_REQUIRED = {EntryKind.PARENT_NOT_INFORMED, EntryKind.NO_REFERRAL}


@transaction.atomic
def case_record(*, incident: Incident, by: User, kind: str, text: str, data: dict | None = None) -> TimelineEntry:
    """Notes, parent contact, referrals and their outcomes, decisions not to refer, sanctions, support..."""
    if kind not in RECORD_KINDS:
        raise ValidationError("That is not something that can be recorded on a case.")
    data = {k: v for k, v in (data or {}).items() if v not in (None, "")}
    missing = [f for f in RECORD_KINDS[kind] if not data.get(f)]
    if missing:
        raise ValidationError({f: "This is needed." for f in missing})
    if (kind in REASON_REQUIRED or kind == EntryKind.NOTE) and not text.strip():
        raise ValidationError({"text": "Write down the reason." if kind in REASON_REQUIRED else "Write the note."})
    if "agency" in data and data["agency"] not in Agency.values:
        raise ValidationError({"agency": "Choose an agency from the list."})
    incident = _lock(incident)
    entry = _entry(incident=incident, kind=kind, author=by, text=text.strip(), data=data)
    if kind == EntryKind.REFERRAL and incident.status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED):
        # A referral usually means waiting for the agency; say so on the dashboard.
        case_transition(incident=incident, to=Status.AWAITING_AGENCY, by=by, note="Referred; awaiting the agency")
    return entry


@transaction.atomic
def case_correct(
    *, incident: Incident, by: User, entry: TimelineEntry, value: str, field: str = "text", reason: str = ""
) -> TimelineEntry:
    """Correct one field of the report or of a timeline entry. The original stays; the correction says what
    the field should say, why, and what it said before. A corrected category is the case's category from
    now on (figures and the procedure follow it); the original stays in the chained report entry."""
    if entry.incident_id != incident.pk:
        raise ValidationError("That entry belongs to another case.")
    allowed = corrections.fields_of(entry)
    if field not in allowed:
        raise ValidationError({"field": "That part of the record cannot be corrected."})
    incident = _lock(incident)
    was = corrections.current_value(incident=incident, entry=entry, name=field)
    previous = (
        TimelineEntry.objects.filter(incident=incident, kind=EntryKind.CORRECTION, corrects=entry, data__field=field)
        .order_by("-seq")
        .first()
    )
    if previous is not None:
        was = str(previous.data.get("now", was))
    value = corrections.clean_value(field, value)
    if value == was:
        raise ValidationError({"value": "That is what the record already says."})
    correction = _entry(
        incident=incident,
        kind=EntryKind.CORRECTION,
        author=by,
        text=reason.strip(),
        corrects=entry,
        data={"corrects_seq": entry.seq, "field": field, "label": allowed[field], "was": was, "now": value},
    )
    if field == "category":
        _change_category(incident=incident, category=value, by=by)
    elif field == "agency" and entry.kind == EntryKind.REFERRAL:
        _reopen_steps_of_corrected_referral(incident=incident, by=by, referral=entry, was=was, now=value)
    return correction


def _change_category(*, incident: Incident, category: str, by: User) -> None:
    """The case's category follows its correction; the new category's procedure steps are added to the
    case's checklist (steps it already has, by wording, are not repeated; done steps stay done)."""
    incident.category = category
    incident.save(update_fields=["category"])
    have = CaseStep.objects.filter(incident=incident)
    last = have.order_by("-order").values_list("order", flat=True).first() or 0
    _snapshot_procedure(incident, after=last, skip=frozenset(have.values_list("text", flat=True)))
    # What was already done (the police told, a device secured) completes the new checklist's steps too.
    if _complete_steps_from_record(incident, by=by):
        _refresh_steps_projection(incident)


# --- Who is involved: pupils and staff join, leave and change part by timeline entries ------------------


def _pupil_name(pupil: Pupil) -> str:
    return pupil.full_name


@transaction.atomic
def case_pupil_add(*, incident: Incident, by: User, pupil: Pupil, role: str, reason: str = "") -> IncidentPupil:
    """Add a pupil named later (a sibling, a third child in a note). Their year group is the one they were
    in when it happened; their chronology now includes the case."""
    if pupil.school_id != incident.school_id:
        raise ValidationError("That pupil is not at this school.")
    if role not in PupilRole.values:
        raise ValidationError({"role": "Choose the pupil's part."})
    incident = _lock(incident)
    link = IncidentPupil.objects.select_for_update().filter(incident=incident, pupil=pupil).first()
    if link is not None and link.removed_entry_id is None:
        raise ValidationError(f"{_pupil_name(pupil)} is already on this case.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.PUPIL_ADDED,
        author=by,
        text=reason.strip(),
        data={"pupil": pupil.pk, "pupil_name": _pupil_name(pupil), "role": role},
    )
    year_group = pupil.year_group_on(timezone.localdate(incident.occurred_at))
    if link is None:
        return IncidentPupil.objects.create(
            incident=incident, pupil=pupil, role=role, year_group=year_group, added_entry=entry
        )
    # Taken off earlier and back on now: the same row, pointing at the entry that put them back.
    IncidentPupil.objects.filter(pk=link.pk).update(role=role, added_entry=entry, removed_entry=None)
    link.refresh_from_db()
    return link


def _current_link(incident: Incident, link: IncidentPupil) -> IncidentPupil:
    link = IncidentPupil.objects.select_for_update().select_related("pupil").get(pk=link.pk)
    if link.incident_id != incident.pk or link.removed_entry_id is not None:
        raise ValidationError("That pupil is not on this case.")
    return link


@transaction.atomic
def case_pupil_remove(*, incident: Incident, by: User, link: IncidentPupil, reason: str) -> TimelineEntry:
    """Take a pupil off a case (named in error): an entry, never a deletion; their chronology no longer
    lists the case, and the case's history still shows they were on it."""
    if not reason.strip():
        raise ValidationError({"text": "Say why the pupil is being taken off the case."})
    incident = _lock(incident)
    link = _current_link(incident, link)
    entry = _entry(
        incident=incident,
        kind=EntryKind.PUPIL_REMOVED,
        author=by,
        text=reason.strip(),
        corrects=link.added_entry,
        data={
            "pupil": link.pupil_id,
            "pupil_name": _pupil_name(link.pupil),
            "role": link.role,
            "field": f"pupil:{link.pupil_id}",
            "was": link.role,
            "now": "removed",
        },
    )
    IncidentPupil.objects.filter(pk=link.pk).update(removed_entry=entry)
    return entry


@transaction.atomic
def case_pupil_role(*, incident: Incident, by: User, link: IncidentPupil, role: str, reason: str) -> TimelineEntry:
    """Correct a pupil's part (wrongly marked as harming, say): a correction of the entry that put them on
    the case, with the reason."""
    if role not in PupilRole.values:
        raise ValidationError({"role": "Choose the pupil's part."})
    if not reason.strip():
        raise ValidationError({"text": "Say why the pupil's part is being changed."})
    incident = _lock(incident)
    link = _current_link(incident, link)
    if link.role == role:
        raise ValidationError({"role": "That is the pupil's part already."})
    entry = _entry(
        incident=incident,
        kind=EntryKind.PUPIL_ROLE,
        author=by,
        text=reason.strip(),
        corrects=link.added_entry,
        data={
            "pupil": link.pupil_id,
            "pupil_name": _pupil_name(link.pupil),
            "field": f"pupil:{link.pupil_id}",
            "was": link.role,
            "now": role,
        },
    )
    IncidentPupil.objects.filter(pk=link.pk).update(role=role)
    return entry


@transaction.atomic
def case_staff_add(*, incident: Incident, by: User, user: User, reason: str = "") -> IncidentStaff:
    if not Membership.objects.current().filter(school_id=incident.school_id, user=user).exists():
        raise ValidationError({"user": "They must work at this school."})
    if incident.subject_staff_id == user.pk:
        raise ValidationError({"user": "The person an allegation is about is not added as involved staff."})
    incident = _lock(incident)
    link = IncidentStaff.objects.select_for_update().filter(incident=incident, user=user).first()
    if link is not None and link.removed_entry_id is None:
        raise ValidationError(f"{user.full_name} is already on this case.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.STAFF_ADDED,
        author=by,
        text=reason.strip(),
        data={"user": user.pk, "user_name": user.full_name},
    )
    if link is None:
        return IncidentStaff.objects.create(incident=incident, user=user, added_entry=entry)
    IncidentStaff.objects.filter(pk=link.pk).update(added_entry=entry, removed_entry=None)
    link.refresh_from_db()
    return link


@transaction.atomic
def case_staff_remove(*, incident: Incident, by: User, link: IncidentStaff, reason: str) -> TimelineEntry:
    if not reason.strip():
        raise ValidationError({"text": "Say why they are being taken off the case."})
    incident = _lock(incident)
    link = IncidentStaff.objects.select_for_update().select_related("user").get(pk=link.pk)
    if link.incident_id != incident.pk or link.removed_entry_id is not None:
        raise ValidationError("They are not on this case.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.STAFF_REMOVED,
        author=by,
        text=reason.strip(),
        corrects=link.added_entry,
        data={"user": link.user_id, "user_name": link.user.full_name},
    )
    IncidentStaff.objects.filter(pk=link.pk).update(removed_entry=entry)
    return entry


@transaction.atomic
def case_other_add(*, incident: Incident, by: User, name: str, part: str = "") -> IncidentOther:
    """Name someone involved who is neither on roll nor on the staff, by an entry saying who and their part."""
    name, part = " ".join(name.split()), part.strip()
    if not name:
        raise ValidationError({"name": "Give their name, or a description if the name is not known."})
    incident = _lock(incident)
    if incident.others.current().filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already on this case."})
    entry = _entry(incident=incident, kind=EntryKind.OTHER_ADDED, author=by, data={"name": name, "part": part})
    return IncidentOther.objects.create(incident=incident, name=name[:150], part=part[:300], added_entry=entry)


@transaction.atomic
def case_other_remove(*, incident: Incident, by: User, link: IncidentOther, reason: str) -> TimelineEntry:
    if not reason.strip():
        raise ValidationError({"text": "Say why they are being taken off the case."})
    incident = _lock(incident)
    link = IncidentOther.objects.select_for_update().get(pk=link.pk)
    if link.incident_id != incident.pk or link.removed_entry_id is not None:
        raise ValidationError("They are not on this case.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.OTHER_REMOVED,
        author=by,
        text=reason.strip(),
        corrects=link.added_entry,
        data={"name": link.name},
    )
    IncidentOther.objects.filter(pk=link.pk).update(removed_entry=entry)
    return entry


# --- The reporter adds to their report; the DSL shares a case with someone who needs to know -------------


@transaction.atomic
def case_add_information(*, incident: Incident, by: User, text: str) -> TimelineEntry:
    """The reporter remembers something else: an entry on the case for the DSL team (the reporter still
    sees only what they wrote), and an email to the assigned DSL, or the team, with the reference only."""
    if incident.reported_by_id != by.pk:
        raise ValidationError("Only the person who reported a concern can add to their report.")
    if not text.strip():
        raise ValidationError({"text": "Write what you want to add."})
    incident = _lock(incident)
    entry = _entry(incident=incident, kind=EntryKind.FURTHER_INFO, author=by, text=text.strip())
    to = (
        [incident.assigned_to]
        if incident.assigned_to_id and incident.assigned_to.is_active
        else (recipients_for(incident=incident))
    )
    emails = sorted({u.email for u in to if u.pk != by.pk and u.pk != incident.subject_staff_id})
    if emails:
        link = f"{settings.SITE_URL}{reverse('incidents:case', args=[incident.reference])}"
        send_email(
            to=emails,
            subject=f"Further information on {incident.reference}",
            kind=Kind.ALERT,
            school_id=incident.school_id,
            reference=incident.reference,
            body=(
                f"The person who reported {incident.reference} at {incident.school.name} has added "
                f"further information.\n\nOpen it in the portal: {link}\n"
            ),
        )
    return entry


SHAREABLE_ROLES = (Role.STAFF, Role.ONLINE_SAFETY_LEAD, Role.DEPUTY_DSL, Role.DSL, Role.HEADTEACHER)


@transaction.atomic
def case_share(*, incident: Incident, by: User, user: User, reason: str) -> CaseShare:
    """Share a pupil's case with a named member of staff who needs to know; they may open it, read-only,
    until the share is ended. Never with technicians or governors (no case notes), nor with the subject."""
    if incident.route != Route.DSL:
        raise ValidationError("Allegations about staff are shared only by the headteacher, with the DSL team.")
    if not reason.strip():
        raise ValidationError({"text": "Record why they need to know."})
    if incident.subject_staff_id == user.pk:
        raise ValidationError({"user": "A case is never shared with the person it is about."})
    if (
        not Membership.objects.current()
        .filter(school_id=incident.school_id, user=user, role__in=SHAREABLE_ROLES)
        .exists()
        or not user.is_active
    ):
        raise ValidationError({"user": "Cases are shared only with teaching and pastoral staff of this school."})
    incident = _lock(incident)
    if CaseShare.objects.filter(incident=incident, user=user, revoked_entry__isnull=True).exists():
        raise ValidationError({"user": f"The case is already shared with {user.full_name}."})
    entry = _entry(
        incident=incident,
        kind=EntryKind.CASE_SHARED,
        author=by,
        text=reason.strip(),
        data={"user": user.pk, "user_name": user.full_name},
    )
    return CaseShare.objects.create(incident=incident, user=user, shared_entry=entry)


@transaction.atomic
def case_share_end(*, incident: Incident, by: User, share: CaseShare, reason: str = "") -> TimelineEntry:
    incident = _lock(incident)
    share = CaseShare.objects.select_for_update().select_related("user").get(pk=share.pk)
    if share.incident_id != incident.pk or share.revoked_entry_id is not None:
        raise ValidationError("That share has already ended.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.SHARE_REVOKED,
        author=by,
        text=reason.strip(),
        data={"user": share.user_id, "user_name": share.user.full_name},
    )
    CaseShare.objects.filter(pk=share.pk).update(revoked_entry=entry)
    return entry


def _refresh_task_projection(incident: Incident) -> None:
    open_tasks = CaseTask.objects.filter(incident=incident, done_entry__isnull=True)
    incident.open_tasks = open_tasks.count()
    incident.next_task_due_on = open_tasks.aggregate(d=Min("due_on"))["d"]
    incident.save(update_fields=["open_tasks", "next_task_due_on"])


@transaction.atomic
def case_task_add(*, incident: Incident, by: User, title: str, owner: User, due_on: datetime.date) -> CaseTask:
    incident = _lock(incident)
    if not title.strip():
        raise ValidationError({"title": "Say what needs doing."})
    if not Membership.objects.current().filter(school_id=incident.school_id, user=owner).exists():
        raise ValidationError({"owner": "The owner must work at this school."})
    entry = _entry(
        incident=incident,
        kind=EntryKind.TASK,
        author=by,
        text=title.strip(),
        data={"owner": owner.pk, "owner_name": owner.full_name, "due_on": due_on.isoformat()},
    )
    task = CaseTask.objects.create(
        incident=incident, entry=entry, title=title.strip()[:200], owner=owner, due_on=due_on
    )
    _refresh_task_projection(incident)
    return task


@transaction.atomic
def case_task_done(*, task: CaseTask, by: User, note: str = "") -> TimelineEntry:
    incident = _lock(task.incident)
    task = CaseTask.objects.select_for_update().get(pk=task.pk)
    if task.done_entry_id:
        raise ValidationError("That task is already done.")
    entry = _entry(
        incident=incident,
        kind=EntryKind.TASK_DONE,
        author=by,
        text=note.strip() or task.title,
        data={"task_seq": task.entry.seq},
    )
    CaseTask.objects.filter(pk=task.pk).update(done_entry=entry)
    _refresh_task_projection(incident)
    return entry


@transaction.atomic
def case_task_reassign(*, task: CaseTask, to: User, by: User | None, reason: str) -> TimelineEntry:
    """Pass an open task to someone else at the school, saying why; the task keeps its title and due date."""
    incident = _lock(task.incident)
    task = CaseTask.objects.select_for_update().select_related("owner", "entry").get(pk=task.pk)
    if task.done_entry_id:
        raise ValidationError("That task is already done.")
    if not Membership.objects.current().filter(school_id=incident.school_id, user=to).exists():
        raise ValidationError({"owner": "The owner must work at this school."})
    entry = _entry(
        incident=incident,
        kind=EntryKind.TASK_REASSIGNED,
        author=by,
        text=reason.strip(),
        data={
            "task_seq": task.entry.seq,
            "from": task.owner_id,
            "from_name": task.owner.full_name,
            "to": to.pk,
            "to_name": to.full_name,
        },
    )
    CaseTask.objects.filter(pk=task.pk).update(owner=to)
    return entry


# Who takes a leaver's work, in order: the DSL, a deputy, then the headteacher (the earliest in post first).
HANDOVER_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER)


def handover_to(*, school_id: int, leaver: User, on: datetime.date | None = None) -> User | None:
    current = (
        Membership.objects.current(on)
        .filter(school_id=school_id, role__in=HANDOVER_ROLES)
        .exclude(user=leaver)
        .select_related("user")
        .order_by("started_on", "pk")
    )
    by_role = {}
    for membership in current:
        by_role.setdefault(membership.role, membership.user)
    return next((by_role[role] for role in HANDOVER_ROLES if role in by_role), None)


@transaction.atomic
def staff_left_handover(*, school, leaver: User, by: User | None, on: datetime.date | None = None) -> int:
    """Someone no longer works at ``school``: their open tasks there, and the open cases assigned to them,
    pass to the DSL (or a deputy, or the head), each with an entry in the case's timeline. Returns how many
    things were handed over. Nothing changes while they still hold another role at the school."""
    if Membership.objects.current(on).filter(school=school, user=leaver).exists():
        return 0
    to = handover_to(school_id=school.pk, leaver=leaver, on=on)
    if to is None:
        return 0
    reason = f"{leaver.full_name} left the school; passed to {to.full_name}"
    moved = 0
    tasks = CaseTask.objects.filter(incident__school=school, owner=leaver, done_entry__isnull=True)
    for task in tasks.select_related("incident").order_by("pk"):
        case_task_reassign(task=task, to=to, by=by, reason=reason)
        moved += 1
    cases = Incident.objects.filter(school=school, assigned_to=leaver).exclude(status=Status.CLOSED)
    for incident in cases.order_by("pk"):
        if incident.subject_staff_id == to.pk:
            continue  # never to the person the case is about; it stays for the team to assign
        case_assign(incident=incident, to=to, by=by)
        moved += 1
    return moved


@transaction.atomic
def case_step_done(*, step: CaseStep, by: User, note: str = "", not_needed: bool = False) -> TimelineEntry:
    """Complete a step by hand (say what was done) or record that it was not needed (say why)."""
    incident = _lock(step.incident)
    step = CaseStep.objects.select_for_update().get(pk=step.pk)
    if step.done_entry_id:
        raise ValidationError("That step is already done.")
    if not note.strip():
        raise ValidationError({"text": "Say why this step was not needed." if not_needed else "Say what was done."})
    data = {"step": step.order, "step_text": step.text}
    if not_needed:
        data["not_needed"] = True
    entry = _entry(incident=incident, kind=EntryKind.STEP_DONE, author=by, text=note.strip(), data=data)
    CaseStep.objects.filter(pk=step.pk).update(done_entry=entry)
    _refresh_steps_projection(incident)
    return entry


@transaction.atomic
def case_share_with_dsl_team(*, incident: Incident, by: User, reason: str) -> TimelineEntry:
    incident = _lock(incident)
    if incident.route != Route.HEADTEACHER:
        raise ValidationError("Only allegations about staff are shared this way.")
    if not reason.strip():
        raise ValidationError({"text": "Record why you are sharing it."})
    entry = _entry(incident=incident, kind=EntryKind.SHARED, author=by, text=reason.strip())
    incident.shared_with_dsl_team = True
    incident.save(update_fields=["shared_with_dsl_team"])
    return entry


@transaction.atomic
def urgent_resend_sweep(*, now: datetime.datetime | None = None) -> int:
    """Re-alert the DSL team and the head about urgent concerns nobody acknowledged in time."""
    now = now or timezone.now()
    minutes = getattr(settings, "URGENT_ACK_MINUTES", 15)
    due = (
        Incident.objects.filter(
            immediate_risk=True,
            acknowledged_at__isnull=True,
            # A school's duty settings may pass an item on sooner than URGENT_ACK_MINUTES, never within a minute.
            reported_at__lte=now - datetime.timedelta(minutes=1),
        )
        .exclude(alerts__kind=Alert.Kind.URGENT_RESEND)
        .select_related("school")
        .prefetch_related("alerts")
    )
    sent = 0
    for incident in due:
        waited = now - incident.reported_at
        chain = _duty_chain(incident, incident.reported_at)
        head_after = datetime.timedelta(minutes=minutes)
        if chain:
            stages = {stage.key: stage for stage in chain}
            head_after = stages["head"].after
            team = stages["team"] if "on_duty" in stages else None
            kinds = {a.kind for a in incident.alerts.all()}
            if (
                team is not None
                and team.people
                and waited >= team.after
                and Alert.Kind.URGENT_TEAM not in kinds
                and _alert(incident=incident, kind=Alert.Kind.URGENT_TEAM, recipients=list(team.people))
            ):
                sent += 1
        if waited >= head_after and _alert(incident=incident, kind=Alert.Kind.URGENT_RESEND, escalate=True):
            sent += 1
    return sent


@transaction.atomic
def saved_filter_save(*, school: School, by: User, name: str, query: str) -> SavedFilter:
    """Keep (or replace) a named dashboard view for ``by`` at ``school``."""
    name = name.strip()[:60]
    if not name:
        raise ValidationError("Give the filter a name.")
    saved, _ = SavedFilter.objects.update_or_create(school=school, user=by, name=name, defaults={"query": query[:500]})
    return saved
