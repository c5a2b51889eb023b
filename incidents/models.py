"""Incidents: what a member of staff reported, and the case the DSL team builds on it.

What the reporter wrote never changes. The case's story is the timeline: an append-only, hash-chained list
of entries (notes, state changes, referrals, corrections...). The few columns on ``Incident`` that the
dashboard filters on (status, severity, assignee...) are a projection of that timeline, written only by
``incidents.services`` in the same transaction as the entry that changes them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from safeguarding_portal.audit.chain import AppendOnlyError, ChainedRecord
from safeguarding_portal.core.builds import BackgroundBuild
from safeguarding_portal.schools.models import YearGroup

from .categories import FOUR_C, NO_ATTACHMENT_CATEGORIES, Category, FourC


class Route(models.TextChoices):
    DSL = "dsl", "Designated Safeguarding Lead team"
    HEADTEACHER = "headteacher", "Headteacher (allegation about staff; LADO route)"
    CHAIR = "chair", "Chair of governors (concern about the headteacher)"


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_AGENCY = "awaiting_agency", "Awaiting an agency"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]

# Which state may follow which. Reopening is the only way out of "closed".
TRANSITIONS: dict[str, set[str]] = {
    Status.REPORTED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.CLOSED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.AWAITING_AGENCY, Status.CLOSED},
    Status.IN_PROGRESS: {Status.AWAITING_AGENCY, Status.CLOSED},
    Status.AWAITING_AGENCY: {Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: {Status.REOPENED},
    Status.REOPENED: {Status.IN_PROGRESS, Status.AWAITING_AGENCY, Status.CLOSED},
}


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ConcernType(models.TextChoices):
    UNCLASSIFIED = "unclassified", "Not yet classified"
    ONLINE_SAFETY = "online_safety", "Online-safety only"
    CHILD_PROTECTION = "child_protection", "Child-protection concern"


class Location(models.TextChoices):
    ON_SITE = "on_site", "In school"
    OFF_SITE = "off_site", "Outside school"
    UNKNOWN = "unknown", "Not known"


class Device(models.TextChoices):
    SCHOOL = "school", "A school device"
    PERSONAL = "personal", "A personal device"
    UNKNOWN = "unknown", "Not known"
    NONE = "none", "No device involved"


class Source(models.TextChoices):
    STAFF = "staff", "A member of staff"
    # A pupil, from the school's "tell someone" link (incidents.pupil_reports): no account, nobody named as reporter.
    PUPIL = "pupil", "A pupil (pupil-raised)"


class Moderation(models.TextChoices):
    """A pupil-raised report is checked first: the DSL team accepts it as a case or dismisses it (spam, abuse)."""

    NONE = "", "Not needed"
    PENDING = "pending", "To check"
    ACCEPTED = "accepted", "Accepted as a case"
    DISMISSED = "dismissed", "Dismissed"


class PupilRole(models.TextChoices):
    HARMED = "harmed", "Harmed or at risk"
    HARMING = "harming", "Harming or alleged to have harmed"
    WITNESS = "witness", "Witness"
    INVOLVED = "involved", "Otherwise involved"


PROJECTION_FIELDS = frozenset(
    {
        # What the reporter chose, as later corrected by the DSL team (the original is in the chained REPORTED
        # entry and each CORRECTION entry's "was"): figures and procedures follow the corrected category.
        "category",
        "status",
        "severity",
        "assigned_to",
        "concern_type",
        "acknowledged_at",
        "closed_at",
        "shared_with_dsl_team",
        "last_activity_at",
        "open_mandatory_steps",
        "open_tasks",
        "next_task_due_on",
        "moderation",
    }
)


class IncidentQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """An UPDATE of a column the kept counts depend on moves the cases' counts with it (incidents.counts)."""
        from . import counts

        if not counts.touches_counts(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            before = counts.current_keys(self.values_list("pk", flat=True), lock=True)
            updated = super().update(**kwargs)
            after = counts.current_keys(before, lock=False)
            counts.moved([k for keys in before.values() for k in keys], [k for keys in after.values() for k in keys])
        return updated


class Incident(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=24, unique=True)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True)

    # Nobody for a pupil-raised report (source "pupil"): the pupil has no account and may not give a name.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reported_incidents"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF, db_default=Source.STAFF)
    # What a pupil gave of themselves (name, form or year), as typed; blank when they told anonymously.
    raised_by_name = models.CharField(
        "the pupil's name and form, as they gave it", max_length=120, blank=True, default="", db_default=""
    )
    still_happening = models.BooleanField(null=True, blank=True)
    reported_at = models.DateTimeField()
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=10, choices=Location.choices)
    location_detail = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=40, choices=Category.choices)
    description = models.TextField("what was seen or said")
    device = models.CharField(max_length=10, choices=Device.choices)
    device_detail = models.CharField(max_length=200, blank=True)
    action_taken = models.TextField("what the reporter has already done", blank=True)
    immediate_risk = models.BooleanField()
    others_involved = models.TextField(blank=True)
    route = models.CharField(max_length=12, choices=Route.choices, default=Route.DSL)
    subject_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of staff an allegation is about.",
    )

    # Projection of the timeline (see module docstring).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REPORTED)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_incidents"
    )
    concern_type = models.CharField(max_length=20, choices=ConcernType.choices, default=ConcernType.UNCLASSIFIED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    shared_with_dsl_team = models.BooleanField(default=False)
    last_activity_at = models.DateTimeField()
    open_mandatory_steps = models.PositiveSmallIntegerField(default=0)
    open_tasks = models.PositiveSmallIntegerField(default=0)
    next_task_due_on = models.DateField(null=True, blank=True)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, blank=True, default="", db_default="")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "number"], name="incident_number_unique_per_year"),
            models.CheckConstraint(
                name="incident_allegation_names_staff",
                # But a pupil's: they may not know the adult's name, and the public form never lists the staff.
                condition=Q(route="dsl") | Q(subject_staff__isnull=False) | Q(source="pupil"),
            ),
            models.CheckConstraint(
                name="incident_closed_has_time", condition=~Q(status="closed") | Q(closed_at__isnull=False)
            ),
            # A member of staff's report names them and needs no check; a pupil's names nobody and is checked.
            models.CheckConstraint(
                name="incident_reporter_matches_source",
                condition=Q(source="staff", reported_by__isnull=False, moderation="")
                | (
                    Q(source="pupil", reported_by__isnull=True, route__in=["dsl", "headteacher", "chair"])
                    & ~Q(moderation="")
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "route", "status", "-reported_at"]),
            models.Index(fields=["school", "-reported_at"]),
            models.Index(fields=["school", "category", "-reported_at"]),
            # The curriculum gap check after a report counts one category's incidents of the term by when they
            # happened (curriculum.teaching.incident_counts): a range read, not a scan of the school's cases.
            models.Index(fields=["school", "category", "occurred_at"], name="incident_category_occurred_idx"),
            models.Index(fields=["school", "assigned_to", "status"]),
            models.Index(fields=["reported_by", "-reported_at"]),
            models.Index(
                fields=["school", "reported_at"],
                condition=Q(immediate_risk=True, acknowledged_at__isnull=True),
                name="incident_urgent_unacked_idx",
            ),
            # The dashboard's counts of closed cases (selectors._summary_counts): per category, read from the index
            # alone (an index-only scan), with the columns case visibility and the unacknowledged count read.
            models.Index(
                fields=["school", "category", "route", "subject_staff", "acknowledged_at", "id"],
                condition=Q(status="closed"),
                name="incident_closed_counts_idx",
            ),
            # Pupils' reports the DSL team dismissed (the dashboard says how many of the closed are): a handful.
            models.Index(fields=["school"], condition=Q(moderation="dismissed"), name="incident_dismissed_idx"),
            # And the open ones, with every queue's test: a school's live work, a small part of its history.
            models.Index(fields=["school"], condition=~Q(status="closed"), name="incident_open_idx"),
            # The "overdue" queue, which moves with the calendar and so is not in the kept counts (incidents.counts):
            # the open cases with a task due, read from the index alone.
            models.Index(
                fields=["school", "next_task_due_on", "route", "subject_staff"],
                condition=~Q(status="closed") & Q(next_task_due_on__isnull=False),
                name="incident_open_due_idx",
            ),
            # The "not yet acknowledged" queue: a few cases among tens of thousands.
            models.Index(
                fields=["school", "-reported_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="incident_unacked_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def four_c(self) -> str:
        return FOUR_C[self.category]

    def get_four_c_display(self) -> str:
        return FourC(self.four_c).label

    @property
    def pupil_raised(self) -> bool:
        return self.source == Source.PUPIL

    @property
    def awaiting_moderation(self) -> bool:
        return self.moderation == Moderation.PENDING

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def attachments_forbidden(self) -> bool:
        return self.category in NO_ATTACHMENT_CATEGORIES

    def clean(self) -> None:
        super().clean()
        if self.route != Route.DSL and not self.subject_staff_id and self.source != Source.PUPIL:
            raise ValidationError({"subject_staff": "Name the member of staff the concern is about."})
        if self.occurred_at and self.reported_at and self.occurred_at > self.reported_at:
            raise ValidationError({"occurred_at": "That time is in the future."})

    def save(self, *args, count_later: bool = False, **kwargs) -> None:
        """``count_later``: a new case whose caller counts it itself (``counts.moved([], counts.keys_of(case))``)
        later in the same transaction, after its timeline append (incidents.counts: the counts are moved while
        the school's chain head is held)."""
        from . import counts

        if self._state.adding:
            with transaction.atomic(savepoint=False):
                super().save(*args, **kwargs)
                if not count_later:
                    counts.moved([], counts.keys_of(self))
            return
        fields = kwargs.get("update_fields")
        if fields is None or not set(fields) <= PROJECTION_FIELDS:
            raise AppendOnlyError(
                "What the reporter wrote cannot be changed: add a correction to the case timeline instead."
            )
        if not counts.touches_counts(fields):
            super().save(*args, **kwargs)
            return
        with transaction.atomic(savepoint=False):
            # The state as committed, read under the row's lock (the instance may have been read before another
            # transaction moved the case): the count leaves that state and joins the one written.
            before = counts.current_keys([self.pk], lock=True)[self.pk]
            super().save(*args, **kwargs)
            # Only projection columns are saved, none of which is a week's: the state moves, the week stays.
            state = before[0]._replace(
                **{
                    part: getattr(counts.keys_of(self)[0], part)
                    for part in {counts.KEY_OF_FIELD[f] for f in fields if f in counts.KEY_OF_FIELD}
                }
            )
            counts.moved([before[0]], [state])

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Safeguarding records are never deleted.")


class InvolvementQuerySet(models.QuerySet):
    def current(self) -> InvolvementQuerySet:
        """Pupils or staff on the case now (not taken off it by a later entry)."""
        return self.filter(removed_entry__isnull=True)


class IncidentPupil(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="pupil_links")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="incident_links")
    role = models.CharField(max_length=10, choices=PupilRole.choices)
    # The pupil's year group when it happened (Pupil.year_group_on), so trends, curriculum gaps and
    # governors' figures stay as they were when pupils move up on 1 September or leave.
    year_group = models.CharField(max_length=2, choices=YearGroup.choices, blank=True)
    # A projection of the timeline: the entry that put the pupil on the case (the report, or a PUPIL_ADDED
    # entry) and, once taken off, the PUPIL_REMOVED entry. Rows are never deleted; the role is changed only
    # by a PUPIL_ROLE entry. Every list of a case's pupils reads ``objects.current()``.
    added_entry = models.ForeignKey("TimelineEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_entry = models.ForeignKey(
        "TimelineEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "pupil"], name="incident_pupil_unique")]
        indexes = [models.Index(fields=["pupil", "incident"])]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.get_role_display()}) in {self.incident}"

    @property
    def is_current(self) -> bool:
        return self.removed_entry_id is None


class IncidentStaff(models.Model):
    """Members of staff involved (as witnesses or otherwise), not the subject of an allegation."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="staff_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_entry = models.ForeignKey("TimelineEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_entry = models.ForeignKey(
        "TimelineEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="incident_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.incident}"


class IncidentOther(models.Model):
    """Someone involved who is neither on roll nor on the staff (a pupil at another school, a parent, an adult
    met online), named by the DSL team; added and taken off only by timeline entries, never deleted."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="others")
    name = models.CharField(max_length=150)
    part = models.CharField(max_length=300, blank=True)  # who they are and their part, as the DSL put it
    added_entry = models.OneToOneField("TimelineEntry", on_delete=models.PROTECT, related_name="+")
    removed_entry = models.OneToOneField(
        "TimelineEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvolvementQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} in {self.incident}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Unguessable, and never the original name: names can carry a child's name.
    return f"incidents/{instance.incident.school_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.original_name

    def clean(self) -> None:
        if self.incident_id and self.incident.attachments_forbidden:
            raise ValidationError("Files cannot be attached to this kind of concern.")

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Attachments are never changed.")
        if self.incident.attachments_forbidden:
            raise ValidationError("Files cannot be attached to this kind of concern.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Attachments are never deleted.")


class EntryKind(models.TextChoices):
    REPORTED = "reported", "Concern reported"
    NOTE = "note", "Note"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    SEVERITY = "severity", "Severity set"
    CLASSIFIED = "classified", "Classified"
    TASK = "task", "Task set"
    TASK_DONE = "task_done", "Task done"
    TASK_REASSIGNED = "task_reassigned", "Task passed on"
    STEP_DONE = "step_done", "Procedure step done"
    STEP_REOPENED = "step_reopened", "Procedure step reopened"
    PARENT_CONTACT = "parent_contact", "Parent or carer contact"
    PARENT_NOT_INFORMED = "parent_not_informed", "Decision not to inform parents"
    REFERRAL = "referral", "Referral to an agency"
    REFERRAL_OUTCOME = "referral_outcome", "Agency outcome"
    NO_REFERRAL = "no_referral", "Decision not to refer"
    SANCTION = "sanction", "Sanction"
    SUPPORT = "support", "Support offered"
    DEVICE_SECURED = "device_secured", "Device secured"
    DEBRIEF = "debrief", "Debrief"
    SHARED = "shared", "Shared with the DSL team"
    ATTACHMENT = "attachment", "File attached"
    CORRECTION = "correction", "Correction"
    ALERT = "alert", "Alert sent"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    PUPIL_ADDED = "pupil_added", "Pupil added to the case"
    PUPIL_REMOVED = "pupil_removed", "Pupil taken off the case"
    PUPIL_ROLE = "pupil_role", "Pupil's part changed"
    STAFF_ADDED = "staff_added", "Member of staff added"
    STAFF_REMOVED = "staff_removed", "Member of staff taken off"
    OTHER_ADDED = "other_added", "Someone else involved added"
    OTHER_REMOVED = "other_removed", "Someone else involved taken off"
    FURTHER_INFO = "further_info", "Further information from the reporter"
    CASE_SHARED = "case_shared", "Shared with a member of staff"
    SHARE_REVOKED = "share_revoked", "Sharing ended"
    DEVICE_SEARCHED = "device_searched", "Device searched"
    MODERATED = "moderated", "Pupil's report checked"


class Agency(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care / MASH"
    POLICE = "police", "Police"
    LADO = "lado", "LADO"
    CEOP = "ceop", "CEOP"
    IWF = "iwf", "Internet Watch Foundation"
    # Childline and the IWF's tool for a young person to have a nude image of themselves taken down.
    REPORT_REMOVE = "report_remove", "Report Remove (Childline and IWF)"
    PREVENT = "prevent", "Prevent / Channel"
    EST = "est", "Education Safeguarding Team"
    ACTION_FRAUD = "action_fraud", "Action Fraud"
    SERVICE_PROVIDER = "service_provider", "Service provider"


class TimelineEntry(ChainedRecord):
    """One line of a case's story. Append-only and hash-chained per school; corrections point back."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")

    HASHED_FIELDS = ("school", "incident", "kind", "author", "author_name", "at", "text", "data", "corrects")

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="timelineentry_chain_seq_unique")]
        indexes = [
            models.Index(fields=["incident", "at"]),
            # Which allegations were shared with the DSL team (incidents.access.case_visibility, on every list and
            # count a DSL sees): a few rows among every entry of every case, so the dashboard's counts read this
            # small index instead of scanning the whole timeline each time they are recomputed.
            models.Index(fields=["incident"], condition=Q(kind="shared"), name="timelineentry_shared_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


class CaseCount(models.Model):
    """How many of a school's cases are in one state (incidents.counts keeps it; never edited by hand)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=12, choices=Route.choices)
    subject = models.PositiveIntegerField(default=0)  # Incident.subject_staff's id, 0 for none
    status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    category = models.CharField(max_length=40, choices=Category.choices, blank=True)
    acknowledged = models.BooleanField()
    immediate_risk = models.BooleanField()
    steps_open = models.BooleanField()  # open_mandatory_steps > 0
    assigned = models.PositiveIntegerField(default=0)  # Incident.assigned_to's id, 0 for nobody
    # A week's row (cases reported that week, its state columns blank) or, at counts.NO_WEEK, a state's.
    week = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "school",
                    "route",
                    "subject",
                    "week",
                    "status",
                    "category",
                    "acknowledged",
                    "immediate_risk",
                    "steps_open",
                    "assigned",
                ],
                name="case_count_one_row_per_state",
            ),
            # Never below zero. PostgreSQL and SQLite test a CHECK on an upsert's candidate row before they find the
            # conflict, so counts.apply() never makes a negative delta the candidate's count. A missing row is
            # drift, which `manage.py recount_cases --check` reports and `recount_cases` mends.
            models.CheckConstraint(condition=models.Q(n__gte=0), name="case_count_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.route} {self.status} {self.category}: {self.n}"


class CaseTask(models.Model):
    """Projection of task entries, so the dashboard can find overdue actions with one indexed query."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="tasks")
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="task")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks")
    due_on = models.DateField()
    done_entry = models.OneToOneField(
        TimelineEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="completed_task"
    )

    class Meta:
        ordering = ["due_on"]
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=Q(done_entry__isnull=True), name="casetask_open_idx")
        ]

    def __str__(self) -> str:
        return self.title


class ProcedureStep(models.Model):
    """The school's own required procedure for a category; each case takes a snapshot when reported."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="procedure_steps")
    category = models.CharField(max_length=40, choices=Category.choices)
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    mandatory = models.BooleanField(default=True)
    # The timeline entries that complete the step when recorded (incidents.procedures.COMPLETIONS keys,
    # such as "referral:police" or "parent_contact"); empty: completed by hand.
    completed_by = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["school", "category", "order"], name="procedurestep_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class CaseStep(models.Model):
    """A case's copy of one procedure step, ticked off by a STEP_DONE timeline entry."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    mandatory = models.BooleanField()
    completed_by = models.JSONField(default=list, blank=True)  # copied from the school's ProcedureStep
    done_entry = models.OneToOneField(
        TimelineEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="completed_step"
    )

    @property
    def not_needed(self) -> bool:
        return bool(self.done_entry_id and self.done_entry.data.get("not_needed"))

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["incident", "order"], name="casestep_order_unique")]

    def __str__(self) -> str:
        return self.text


class CaseShare(models.Model):
    """A pupil's case shared with a named member of staff who needs to know (a class teacher, a pastoral
    lead): they may open it, read-only, until the share is ended. Both are timeline entries; the access
    policy (incidents.access.case_visibility) reads the shares that have not ended."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_shares")
    shared_entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="+")
    revoked_entry = models.OneToOneField(
        TimelineEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            # One open share per person and case; an ended share can be followed by a new one.
            models.UniqueConstraint(
                fields=["incident", "user"], condition=Q(revoked_entry__isnull=True), name="caseshare_one_open"
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "incident"], condition=Q(revoked_entry__isnull=True), name="caseshare_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} shared with {self.user}"


class SavedFilter(models.Model):
    """A DSL's named dashboard view ("Year 6 open", "Awaiting MASH"): the query string, per person and school."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "user", "name"], name="savedfilter_unique_name")]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """Each urgent alert sent, so a re-run or a second beat process never sends the same one twice."""

    class Kind(models.TextChoices):
        NEW_REPORT = "new", "New concern"
        URGENT = "urgent", "Urgent: child at immediate risk"
        URGENT_RESEND = "urgent_resend", "Urgent and not yet acknowledged"
        # The DSL on duty was told first (duty rota) and has not acknowledged it: the rest of the team now.
        URGENT_TEAM = "urgent_team", "Urgent: passed to the rest of the DSL team"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="alert_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.incident}"


class ReferenceCounter(models.Model):
    """The next incident number per school and year; updated first to serialise concurrent reports."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="referencecounter_unique")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.year}: {self.last_number}"


def cp_file_path(instance: CPFileTransfer, filename: str) -> str:
    # Unguessable and never the pupil's name: the path can end up in logs and backups.
    return f"cp-files/{instance.school_id}/{uuid.uuid4().hex}.pdf"


class TransferMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    SECURE_PORTAL = "secure_portal", "Secure portal transfer (such as CPOMS or MyConcern)"
    HAND_DELIVERED = "hand_delivered", "Hand delivered"
    RECORDED_POST = "recorded_post", "Recorded post"


class CPFileTransfer(BackgroundBuild):
    """A child-protection file produced for a pupil's new school, and what happened to it.

    Each step (produced, sent, confirmed) is recorded once by ``incidents.transfers`` and never edited back:
    the record is evidence that the file reached the new school (KCSiE: within five school days). The PDF is built
    in the background (``core.builds``): the row is "being prepared" until its task stores the file.
    """

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="cp_file_transfers")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="cp_file_transfers")
    # When asked for, then when built; produced_by is who asked (the file holds what they may see).
    produced_at = models.DateTimeField()
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=cp_file_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    incident_count = models.PositiveIntegerField(default=0)

    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=16, choices=TransferMethod.choices, blank=True)
    receiving_school = models.CharField(max_length=200, blank=True)
    receiving_urn = models.CharField("receiving school's URN", max_length=6, blank=True)
    receiving_contact = models.CharField(max_length=200, blank=True)
    confirm_by = models.DateField(null=True, blank=True, help_text="Five school days after sending.")

    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_name = models.CharField(max_length=200, blank=True)
    confirmation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-produced_at"]
        constraints = [
            models.CheckConstraint(
                name="cpfile_sent_has_details",
                condition=Q(sent_at__isnull=True)
                | (Q(sent_by__isnull=False) & ~Q(method="") & ~Q(receiving_school="") & Q(confirm_by__isnull=False)),
            ),
            models.CheckConstraint(
                name="cpfile_confirmed_after_sent",
                condition=Q(confirmed_at__isnull=True) | (Q(sent_at__isnull=False) & ~Q(confirmed_by_name="")),
            ),
            # Only a built file is sent; a ready row holds its checksum, and its file until the file is disposed of
            # under the retention schedule (incidents/disposal.py deletes the PDF and keeps the record and its hash).
            models.CheckConstraint(
                name="cpfile_ready_has_checksum",
                condition=~Q(build_state="ready") | ~Q(sha256=""),
            ),
            models.CheckConstraint(
                name="cpfile_sent_once_ready", condition=Q(sent_at__isnull=True) | Q(build_state="ready")
            ),
            # A double click asks once: one file being prepared per pupil at a time.
            models.UniqueConstraint(
                fields=["school", "pupil"],
                condition=Q(build_state__in=["queued", "building"]),
                name="cpfile_one_pending_per_pupil",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "confirm_by"],
                condition=Q(sent_at__isnull=False, confirmed_at__isnull=True),
                name="cpfile_awaiting_idx",
            )
        ]

    def __str__(self) -> str:
        return f"CP file for pupil {self.pupil_id} ({self.produced_at:%Y-%m-%d})"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Records of a child-protection file's transfer are never deleted.")


# --- Searching and confiscating devices ----------------------------------------------------------------------
# The Education Act 2011 lets the headteacher, or staff they authorise, search a pupil's device; the DfE's
# "Searching, screening and confiscation" guidance asks for each search to be recorded. Each record is written
# once and hash-chained per school like the case timeline (triggers in the migration); what happens to the
# device and the parents afterwards are entries. No image is ever stored: the form takes words only.


class SearchAuthority(models.TextChoices):
    HEADTEACHER = "headteacher", "The headteacher"
    AUTHORISED_STAFF = "authorised_staff", "A member of staff the headteacher has authorised to search"


class SearchGrounds(models.TextChoices):
    PROHIBITED_ITEM = (
        "prohibited_item",
        "Reasonable grounds to suspect it holds a prohibited item (such as a pornographic image or evidence of an "
        "offence)",
    )
    SCHOOL_RULES = "school_rules", "Reasonable grounds to suspect it holds an item banned by the school rules"
    HARM = "harm", "Reasonable grounds to suspect it has been or could be used to cause harm or break the law"


class DeviceOutcome(models.TextChoices):
    HELD = "held", "Kept by the school for now"
    RETURNED_TO_PUPIL = "returned_pupil", "Returned to the pupil"
    RETURNED_TO_PARENT = "returned_parent", "Returned to a parent or carer"
    POLICE = "police", "Handed to the police"


class DeviceSearch(ChainedRecord):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    # Empty only on a search disposed of with its case under the retention schedule (incidents.disposal): the
    # service always names the pupil, and the form requires one.
    pupil = models.ForeignKey(
        "schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="device_searches"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="device_searches"
    )
    searched_at = models.DateTimeField()
    device = models.CharField(max_length=200, help_text="Which device, for example the pupil's own phone.")
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authority = models.CharField(max_length=16, choices=SearchAuthority.choices)
    searched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_witness_reason = models.CharField(max_length=300, blank=True)
    grounds = models.CharField(max_length=16, choices=SearchGrounds.choices)
    reason = models.TextField()
    looked_at = models.TextField("what was looked at")
    found = models.TextField("what was found")
    # Where a child may be at risk nothing is deleted (policy): the search goes to the DSL as a case instead.
    child_at_risk = models.BooleanField()
    deleted = models.BooleanField(default=False)
    deleted_what = models.TextField(blank=True)
    deletion_reason = models.TextField(blank=True)
    parents_informed = models.BooleanField()
    parents_note = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=16, choices=DeviceOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    HASHED_FIELDS = (
        "school",
        "pupil",
        "incident",
        "searched_at",
        "device",
        "authorised_by",
        "authority",
        "searched_by",
        "witness",
        "no_witness_reason",
        "grounds",
        "reason",
        "looked_at",
        "found",
        "child_at_risk",
        "deleted",
        "deleted_what",
        "deletion_reason",
        "parents_informed",
        "parents_note",
        "outcome",
        "recorded_by",
        "recorded_at",
    )

    class Meta:
        ordering = ["-searched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="devicesearch_chain_seq"),
            models.CheckConstraint(
                name="devicesearch_never_deletes_where_a_child_may_be_at_risk",
                condition=~Q(child_at_risk=True, deleted=True),
            ),
            models.CheckConstraint(
                name="devicesearch_child_at_risk_goes_to_a_case",
                condition=Q(child_at_risk=False) | Q(incident__isnull=False),
            ),
            models.CheckConstraint(
                name="devicesearch_deletion_says_what_and_why",
                condition=Q(deleted=False) | (~Q(deleted_what="") & ~Q(deletion_reason="")),
            ),
            models.CheckConstraint(
                name="devicesearch_witness_or_why_not", condition=Q(witness__isnull=False) | ~Q(no_witness_reason="")
            ),
        ]
        indexes = [models.Index(fields=["school", "searched_at"])]

    def __str__(self) -> str:
        return f"Device search {self.pk}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"

    def clean(self) -> None:
        super().clean()
        if self.child_at_risk and self.deleted:
            raise ValidationError({"deleted": "Nothing is deleted where a child may be at risk."})


class DeviceSearchEntryKind(models.TextChoices):
    PARENTS_INFORMED = "parents_informed", "Parents or carers informed"
    OUTCOME = "outcome", "What happened to the device"
    NOTE = "note", "Note"


class DeviceSearchEntry(ChainedRecord):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    search = models.ForeignKey(DeviceSearch, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=DeviceSearchEntryKind.choices)
    outcome = models.CharField(max_length=16, choices=DeviceOutcome.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(blank=True)

    HASHED_FIELDS = ("school", "search", "kind", "outcome", "author", "at", "text")

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "device search entries"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="devicesearchentry_chain_seq"),
            models.UniqueConstraint(
                fields=["search"], condition=Q(kind="parents_informed"), name="devicesearchentry_parents_informed_once"
            ),
            models.CheckConstraint(
                name="devicesearchentry_outcome_named", condition=~Q(kind="outcome") | ~Q(outcome="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on device search {self.search_id}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


# --- Signed transfer bundles (incidents/bundles.py) ---------------------------------------------------------
# A school signs what it sends with its own Ed25519 key; the private half never leaves the server and is kept
# encrypted with a key derived from SECRET_KEY (incidents.signing). A bundle is built once per CP file and sent
# either to a school on this portal or, through a one-time link, to a school on another system.


class SigningKey(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="signing_keys")
    created_at = models.DateTimeField()
    public_key = models.CharField(max_length=64, help_text="The raw Ed25519 public key, base64.")
    fingerprint = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the raw public key, hex.")
    private_key_encrypted = models.TextField(editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(retired_at__isnull=True), name="signingkey_one_active_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"Signing key {self.fingerprint[:16]} of school {self.school_id}"


def bundle_path(instance, filename: str) -> str:
    # Unguessable and never the pupil's name.
    return f"cp-bundles/{instance.school_id}/{uuid.uuid4().hex}-{filename}"


class TransferBundle(models.Model):
    """The signed bundle built for one CP file, and how it went: to a school on this portal, or by a link."""

    class Route(models.TextChoices):
        PORTAL = "portal", "To a school on this portal"
        LINK = "link", "By a one-time download link"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    transfer = models.OneToOneField(CPFileTransfer, on_delete=models.PROTECT, related_name="bundle")
    bundle_id = models.UUIDField(unique=True)
    file = models.FileField(upload_to=bundle_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    record_count = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=8, choices=Route.choices)
    to_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The link: only the SHA-256 of its token is kept, and the bundle behind it only encrypted with the passphrase.
    recipient_email = models.EmailField(blank=True)
    link_token_hash = models.CharField(max_length=64, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    encrypted_file = models.FileField(upload_to=bundle_path, max_length=200, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="transferbundle_portal_names_school", condition=~Q(route="portal") | Q(to_school__isnull=False)
            ),
            models.CheckConstraint(
                name="transferbundle_link_has_token",
                condition=~Q(route="link")
                | (~Q(link_token_hash="") & ~Q(recipient_email="") & Q(link_expires_at__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["link_token_hash"], condition=~Q(link_token_hash=""), name="transferbundle_token_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Bundle {self.bundle_id}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Records of a child-protection file's transfer are never deleted.")


class ReceivedBundle(models.Model):
    """A bundle that reached this school: sent through the portal, or uploaded from another system."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Sent through this portal"
        UPLOAD = "upload", "Imported from a file"

    class State(models.TextChoices):
        INCOMING = "incoming", "Waiting to be accepted"
        ACCEPTED = "accepted", "Accepted and filed under the pupil"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="received_bundles")
    source = models.CharField(max_length=8, choices=Source.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.INCOMING)
    sent_bundle = models.OneToOneField(
        TransferBundle, null=True, blank=True, on_delete=models.PROTECT, related_name="received"
    )
    bundle_id = models.UUIDField()
    file = models.FileField(upload_to=bundle_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the signed manifest says, copied for lists (the bundle itself stays the evidence).
    from_school_name = models.CharField(max_length=200)
    from_school_urn = models.CharField(max_length=6, blank=True)
    sent_by_name = models.CharField(max_length=200)
    sent_at = models.DateTimeField()
    pupil_upn = models.CharField(max_length=13)
    pupil_name = models.CharField(max_length=200)
    record_count = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    verified_at = models.DateTimeField()
    pupil = models.ForeignKey(
        "schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="received_bundles"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "bundle_id"], name="receivedbundle_once_per_school"),
            models.CheckConstraint(
                name="receivedbundle_accepted_is_filed",
                condition=~Q(state="accepted")
                | (Q(pupil__isnull=False) & Q(accepted_at__isnull=False) & Q(accepted_by__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "accepted_at"])]

    def __str__(self) -> str:
        return f"Bundle {self.bundle_id} from {self.from_school_name}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Received child-protection files are never deleted.")


class PupilReportLink(models.Model):
    """A school's "tell someone" link for pupils (the QR code on posters and school devices).

    The key is the only thing that finds the school: unguessable, and replaced when the DSL team rotates it
    (a poster photographed and shared outside school), after which the old link shows only where to get help."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="pupil_report_link")
    key = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Pupils' link for school {self.school_id}"
