"""Web filtering: who is responsible, every change from request to revert, checks, reviews, the vendor's log.

A change request's columns (state, approver, expiry...) are a projection written only by
``filtering.services``, in the same transaction as the ``FilterEvent`` that records the step. The events are
the evidence: append-only and hash-chained per school, so a rewritten or removed step is detected by
``manage.py verify_chains --model filtering.FilterEvent``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguarding_portal.audit.chain import AppendOnlyError, ChainedRecord

# --- Responsibilities ---------------------------------------------------------------------------------


class ResponsibilityRole(models.TextChoices):
    SENIOR_LEADER = "senior_leader", "Senior leader responsible for filtering and monitoring"
    GOVERNOR = "governor", "Governor responsible for filtering and monitoring"
    DSL = "dsl", "Designated Safeguarding Lead"
    IT_PROVIDER = "it_provider", "IT provider contact"


class Responsibility(models.Model):
    """Who holds a role from when to when; a new holder ends the previous one (history is kept)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="filtering_roles")
    role = models.CharField(max_length=16, choices=ResponsibilityRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["role", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="responsibility_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes = [models.Index(fields=["school", "role", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"

    def is_current(self, on: datetime.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


# --- Change requests ----------------------------------------------------------------------------------


class Action(models.TextChoices):
    ALLOW = "allow", "Allow"
    BLOCK = "block", "Block"


class TargetKind(models.TextChoices):
    URL = "url", "Web address (URL)"
    DOMAIN = "domain", "Whole site (domain)"
    CATEGORY = "category", "Filter category"
    KEYWORD = "keyword", "Keyword"
    APP = "app", "App"


class Scope(models.TextChoices):
    ALL_PUPILS = "all_pupils", "All pupils"
    YEAR_GROUP = "year_group", "A year group"
    STAFF = "staff", "Staff"
    DEVICE_GROUP = "device_group", "A device group"


class State(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    APPROVED = "approved", "Approved, to apply"
    REJECTED = "rejected", "Rejected"
    REFUSED = "refused", "Refused (protected list)"
    APPLIED = "applied", "Applied"
    REVERTED = "reverted", "Reverted"


class Source(models.TextChoices):
    REQUEST = "request", "Change request"
    BREACH = "breach", "Report of a site that got through"
    OVERBLOCK = "overblock", "Report of a block that stops teaching"
    VENDOR_LOG = "vendor_log", "Raised afterwards for a change found in the filter's own log"


class RiskRating(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ChangeRequest(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="filter_changes")
    number = models.PositiveIntegerField()
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REQUEST)
    incident_reference = models.CharField(max_length=24, blank=True)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    action = models.CharField(max_length=5, choices=Action.choices)
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target = models.CharField(max_length=500)
    scope = models.CharField(max_length=14, choices=Scope.choices)
    scope_detail = models.CharField(max_length=120, blank=True, help_text="Which year group or device group.")
    reason = models.TextField("educational reason")
    needed_until = models.DateField(null=True, blank=True)

    # Projection of the events (see module docstring).
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    permanent_reason = models.TextField(blank=True)
    # An allow approved for longer than the requester asked ("needed until") says why; the requester reads it.
    longer_reason = models.TextField("why it lasts beyond the date asked for", blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    vendor_reference = models.CharField(max_length=120, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverted_at = models.DateTimeField(null=True, blank=True)
    revert_reference = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="filterchange_number_unique"),
            # Four eyes: nobody approves their own request, whatever the code above the database does.
            models.CheckConstraint(
                name="filterchange_four_eyes",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
            ),
            # An approved allow has an expiry, or the approver's reason why it is permanent.
            models.CheckConstraint(
                name="filterchange_allow_expires_or_says_why",
                condition=~Q(action="allow", state__in=["approved", "applied", "reverted"])
                | Q(expires_on__isnull=False)
                | ~Q(permanent_reason=""),
            ),
            models.CheckConstraint(
                name="filterchange_allow_longer_than_asked_says_why",
                condition=~Q(action="allow")
                | Q(expires_on__isnull=True)
                | Q(needed_until__isnull=True)
                | Q(expires_on__lte=models.F("needed_until"))
                | ~Q(longer_reason=""),
            ),
            models.CheckConstraint(
                name="filterchange_applied_has_reference",
                condition=~Q(state__in=["applied", "reverted"])
                | (Q(applied_at__isnull=False) & ~Q(vendor_reference="")),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "state", "-requested_at"]),
            models.Index(fields=["school", "expires_on"], condition=Q(state="applied"), name="filterchange_live_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"FC-{self.number:04d}"

    @property
    def summary(self) -> str:
        return f"{self.get_action_display()} {self.get_target_kind_display().lower()} {self.target}"

    def is_overdue(self, today: datetime.date) -> bool:
        """Passed its expiry without being reverted: shown as overdue until it is."""
        return self.state == State.APPLIED and self.expires_on is not None and self.expires_on < today

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Filtering change requests are never deleted.")


class RiskView(models.TextChoices):
    EDUCATIONAL = "educational", "Educational view"
    TECHNICAL = "technical", "Technical view"


class RiskAssessment(models.Model):
    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="assessments")
    view = models.CharField(max_length=12, choices=RiskView.choices)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    rating = models.CharField(max_length=6, choices=RiskRating.choices)
    assessment = models.TextField()
    mitigations = models.TextField(blank=True)

    class Meta:
        ordering = ["assessed_at"]

    def __str__(self) -> str:
        return f"{self.get_view_display()} of {self.change_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A risk assessment is never edited: add a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Risk assessments are never deleted.")


class EventKind(models.TextChoices):
    REQUESTED = "requested", "Requested"
    REFUSED = "refused", "Refused: protected list"
    ASSESSED = "assessed", "Risk assessed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    APPLIED = "applied", "Applied"
    REVERTED = "reverted", "Reverted"
    OVERDUE = "overdue", "Passed its expiry"
    REPORTED = "reported", "Unsuitable site reported"
    RESPONSIBILITY = "responsibility", "Responsibility recorded"
    CHECK = "check", "Check recorded"
    REVIEW = "review", "Review recorded"
    VENDOR_IMPORT = "vendor_import", "Vendor log imported"
    VENDOR_FOLLOW_UP = "vendor_follow_up", "Unapproved vendor change followed up"


class FilterEvent(ChainedRecord):
    """One step in the school's filtering record. Append-only, hash-chained per school."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    change = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    # Denormalised so the log page, CSV and PDF read one table (and the record stands if the request's
    # projection were ever lost).
    change_reference = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)

    HASHED_FIELDS = ("school", "change", "change_reference", "kind", "actor", "actor_name", "at", "summary", "data")

    class Meta:
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="filterevent_chain_seq_unique")]
        indexes = [models.Index(fields=["change", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.summary}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


# --- Vendor log reconciliation ------------------------------------------------------------------------


class VendorMapping(models.Model):
    """The columns of this school's filtering product's export, remembered for the next import."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="filter_vendor_mapping")
    product = models.CharField(max_length=100, blank=True)
    timestamp_column = models.CharField(max_length=100)
    user_column = models.CharField(max_length=100)
    action_column = models.CharField(max_length=100)
    target_column = models.CharField(max_length=100)
    reference_column = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Vendor columns for {self.school_id}"


class VendorImport(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Imported"
        REJECTED = "rejected", "Rejected (nothing imported)"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="filter_vendor_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    covers_from = models.DateTimeField(null=True, blank=True)
    covers_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class VendorEntry(models.Model):
    vendor_import = models.ForeignKey(VendorImport, on_delete=models.CASCADE, related_name="entries")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField()
    at = models.DateTimeField()
    user = models.CharField(max_length=200)
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=500)
    target_key = models.CharField(max_length=500, help_text="The target normalised for matching.")
    reference = models.CharField(max_length=120, blank=True)
    is_change = models.BooleanField(default=True)
    explained_by = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="vendor_entries"
    )

    class Meta:
        ordering = ["at", "row"]
        indexes = [
            models.Index(fields=["school", "target_key"]),
            models.Index(fields=["vendor_import", "is_change", "explained_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class FollowUpKind(models.TextChoices):
    RETROSPECTIVE = "retrospective", "Retrospective request raised"
    INCIDENT = "incident", "Concern opened"
    EXPLAINED = "explained", "Marked as explained"


class VendorFollowUp(models.Model):
    """What was done about a change in the vendor's log that no approved request explains: one per change,
    never edited (the step is also a ``FilterEvent`` in the school's chain)."""

    entry = models.OneToOneField(VendorEntry, on_delete=models.PROTECT, related_name="follow_up")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=14, choices=FollowUpKind.choices)
    change = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="vendor_follow_ups"
    )
    incident_reference = models.CharField(max_length=24, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                name="vendorfollowup_says_what_was_done",
                condition=(Q(kind="retrospective") & Q(change__isnull=False))
                | (Q(kind="incident") & ~Q(incident_reference=""))
                | (Q(kind="explained") & ~Q(reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for vendor entry {self.entry_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A follow-up is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Follow-ups are never deleted.")


# --- Checks and reviews -------------------------------------------------------------------------------


class DeviceType(models.TextChoices):
    SCHOOL_COMPUTER = "school_computer", "School computer or laptop"
    SCHOOL_TABLET = "school_tablet", "School tablet"
    PERSONAL = "personal", "Personal device (BYOD)"


class CheckLocation(models.TextChoices):
    CLASSROOM = "classroom", "Classroom"
    SHARED = "shared", "Library or shared area"
    GUEST_WIFI = "guest_wifi", "Guest wifi"


class UserGroup(models.TextChoices):
    PUPILS = "pupils", "Pupils"
    STAFF = "staff", "Staff"
    VISITORS = "visitors", "Visitors"


class CheckMethod(models.TextChoices):
    SWGFL = "swgfl", "SWGfL Test Filtering"
    MANUAL = "manual", "Manual test of known sites"
    VENDOR = "vendor", "Vendor's own test tool"
    OTHER = "other", "Other"


def certificate_path(instance: FilterCheck, filename: str) -> str:
    return f"filtering/checks/{instance.school_id}/{uuid.uuid4().hex}"


class FilterCheck(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="filter_checks")
    checked_on = models.DateField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=CheckMethod.choices)
    device_type = models.CharField(max_length=16, choices=DeviceType.choices)
    location = models.CharField(max_length=12, choices=CheckLocation.choices)
    user_group = models.CharField(max_length=10, choices=UserGroup.choices)
    passed = models.BooleanField()
    what_was_tested = models.TextField()
    failures = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    certificate = models.FileField(upload_to=certificate_path, blank=True, max_length=200)
    certificate_name = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                name="filtercheck_failure_has_actions", condition=Q(passed=True) | (~Q(failures="") & ~Q(actions=""))
            ),
        ]
        indexes = [models.Index(fields=["school", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_method_display()}"


class ReviewKind(models.TextChoices):
    ANNUAL = "annual", "Annual review"
    OUT_OF_CYCLE = "out_of_cycle", "Out-of-cycle review"


class ReviewTrigger(models.TextChoices):
    SAFEGUARDING_RISK = "safeguarding_risk", "A safeguarding risk"
    CHANGE_IN_PRACTICE = "change_in_practice", "A change in working practice"
    NEW_TECHNOLOGY = "new_technology", "A new technology (such as an AI tool)"
    OTHER = "other", "Something else"


class FilterReview(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="filter_reviews")
    kind = models.CharField(max_length=12, choices=ReviewKind.choices)
    held_on = models.DateField()
    trigger = models.CharField(max_length=20, choices=ReviewTrigger.choices, blank=True)
    trigger_detail = models.CharField(max_length=300, blank=True)
    senior_leader = models.CharField(max_length=200, blank=True)
    dsl = models.CharField("DSL", max_length=200, blank=True)
    it_provider = models.CharField("IT provider", max_length=200, blank=True)
    governor = models.CharField(max_length=200, blank=True)
    others = models.CharField("others who took part", max_length=300, blank=True)
    findings = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                name="filterreview_out_of_cycle_has_trigger", condition=Q(kind="annual") | ~Q(trigger="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def participants(self) -> list[tuple[str, str]]:
        return [
            (label, name)
            for label, name in (
                ("Senior leader", self.senior_leader),
                ("DSL", self.dsl),
                ("IT provider", self.it_provider),
                ("Governor", self.governor),
                ("Others", self.others),
            )
            if name
        ]

    @property
    def missing_participants(self) -> list[str]:
        return [
            label
            for label, name in (
                ("senior leader", self.senior_leader),
                ("DSL", self.dsl),
                ("IT provider", self.it_provider),
                ("governor", self.governor),
            )
            if not name
        ]


class ReviewAction(models.Model):
    review = models.ForeignKey(FilterReview, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="reviewaction_open_idx")]

    def __str__(self) -> str:
        return self.text


class CounterNumber(models.Model):
    """The last change-request number per school; updated first to serialise concurrent requests."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.school_id}: {self.last_number}"
