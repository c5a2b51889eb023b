"""The retention schedule (a school's own periods), legal holds, and the disposal of records under them.

The design of disposal (batches, four eyes, tombstones, the database's part) is in ``disposal.py``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from safeguarding_portal.audit.chain import ChainedRecord

from .registry import KINDS, MAX_YEARS, MIN_YEARS


class RetentionPeriod(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="retention_periods")
    kind = models.CharField(max_length=60)  # a registered kind's name (registry.KINDS)
    years = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)  # why the school keeps it this long
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="retentionperiod_one_per_kind"),
            models.CheckConstraint(
                name="retentionperiod_years_in_range", condition=Q(years__gte=MIN_YEARS, years__lte=MAX_YEARS)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.years} years"

    def clean(self) -> None:
        super().clean()
        if self.kind not in KINDS:
            raise ValidationError({"kind": "Not a kind of record the portal keeps."})
        if self.years is not None and not MIN_YEARS <= self.years <= MAX_YEARS:
            raise ValidationError({"years": f"Between {MIN_YEARS} and {MAX_YEARS} years."})


class HoldReason(models.TextChoices):
    INQUIRY = "inquiry", "An inquiry (for example IICSA, a serious case review)"
    CLAIM = "claim", "A claim or litigation"
    POLICE = "police", "A police request"
    OTHER = "other", "Another legal reason"


class HoldScope(models.TextChoices):
    PUPIL = "pupil", "Every record about a pupil"
    RECORD = "record", "One record (a case)"
    KIND = "kind", "Everything of a kind at the school"


class LegalHoldQuerySet(models.QuerySet):
    def standing(self, on) -> LegalHoldQuerySet:
        """Holds in force on ``on``: not lifted, and not past their end date if they have one."""
        return self.filter(lifted_at__isnull=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class LegalHold(models.Model):
    """Stops disposal of a pupil's records, one record, or a kind of record at the school while it stands.

    What was placed (scope, reason, who, when) is frozen by the database (migration 0002); only the lifting columns
    are written afterwards, once, by ``services.hold_lift``. Both are in the hash-chained audit log."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="legal_holds")
    scope = models.CharField(max_length=8, choices=HoldScope.choices)
    kind = models.CharField(max_length=60, blank=True)  # a registered kind (registry.KINDS); "" for a pupil: all
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record_id = models.BigIntegerField(null=True, blank=True)  # the held record (a case's id) for scope=record
    record_label = models.CharField(max_length=100, blank=True)  # how people name it: "OAK-2026-0042"
    reason = models.CharField(max_length=8, choices=HoldReason.choices)
    detail = models.CharField(max_length=500)  # which inquiry, whose claim, the police reference
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ends_on = models.DateField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(max_length=500, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="legalhold_scope_names_its_subject",
                condition=(
                    Q(scope="pupil", pupil__isnull=False, record_id__isnull=True, kind="")
                    | (Q(scope="record", pupil__isnull=True, record_id__isnull=False) & ~Q(kind=""))
                    | (Q(scope="kind", pupil__isnull=True, record_id__isnull=True) & ~Q(kind=""))
                ),
            ),
            models.CheckConstraint(
                name="legalhold_lifted_by_someone_with_reason",
                condition=(
                    Q(lifted_at__isnull=True, lifted_by__isnull=True)
                    | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason=""))
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "scope"], condition=Q(lifted_at__isnull=True), name="legalhold_standing_idx")
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk} ({self.get_scope_display()})"

    def stands(self, on) -> bool:
        return self.lifted_at is None and (self.ends_on is None or self.ends_on >= on)

    @property
    def subject(self) -> str:
        if self.scope == HoldScope.PUPIL and self.pupil_id:
            return f"Pupil: {self.pupil}"
        kind = KINDS.get(self.kind)
        label = kind.label if kind else self.kind
        if self.scope == HoldScope.RECORD:
            return f"{label}: {self.record_label}"
        return f"All {label.lower()}"


class SweepRun(models.Model):
    """The monthly disposal sweep ran for this month (beat runs it daily; it works once a month)."""

    month = models.DateField(unique=True)  # the first day of the month
    ran_at = models.DateTimeField()
    listed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Disposal sweep {self.month:%B %Y}"


class BatchStatus(models.TextChoices):
    REVIEW = "review", "Awaiting review"
    DISPOSED = "disposed", "Disposed of"


class DisposalBatch(models.Model):
    """What the monthly sweep found due for disposal at one school, for the DSL and the head to review."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="disposal_batches")
    month = models.DateField()
    made_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.REVIEW)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="disposalbatch_one_per_school_month"),
            models.CheckConstraint(
                name="disposalbatch_disposed_has_time", condition=~Q(status="disposed") | Q(disposed_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Disposal batch {self.month:%B %Y}"


class ItemOutcome(models.TextChoices):
    LISTED = "listed", "Listed"
    REMOVED = "removed", "Taken off by a reviewer"
    HELD = "held", "Kept: a legal hold was placed before disposal"
    DISPOSED = "disposed", "Disposed of"


class DisposalItem(models.Model):
    batch = models.ForeignKey(DisposalBatch, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=60)
    record_id = models.BigIntegerField()
    label = models.CharField(max_length=100)  # the case reference: no name, nothing of the concern
    made_at = models.DateTimeField()
    due_on = models.DateField()
    rule = models.CharField(max_length=300)  # "Child protection records: date of birth + 25 years"
    outcome = models.CharField(max_length=10, choices=ItemOutcome.choices, default=ItemOutcome.LISTED)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind", "record_id"], name="disposalitem_once_per_batch"),
            models.CheckConstraint(
                name="disposalitem_removed_with_reason",
                condition=(~Q(outcome="removed") | (Q(removed_by__isnull=False) & ~Q(removed_reason=""))),
            ),
        ]
        indexes = [models.Index(fields=["kind", "record_id"])]

    def __str__(self) -> str:
        return f"{self.label} (due {self.due_on})"


class ApprovalRole(models.TextChoices):
    DSL = "dsl", "Designated Safeguarding Lead"
    HEADTEACHER = "headteacher", "Headteacher"


class DisposalApproval(models.Model):
    """One of the two approvals a batch needs. An approval is withdrawn (kept, with the time) when an item is
    taken off afterwards: the other reviewer approved a different list."""

    batch = models.ForeignKey(DisposalBatch, on_delete=models.PROTECT, related_name="approvals")
    role = models.CharField(max_length=12, choices=ApprovalRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)  # as it reads on the tombstone, whatever the account becomes
    at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # Four eyes: one standing approval per role, and one per person, so two people in two roles.
            models.UniqueConstraint(
                fields=["batch", "role"], condition=Q(withdrawn_at__isnull=True), name="disposalapproval_one_per_role"
            ),
            models.UniqueConstraint(
                fields=["batch", "user"], condition=Q(withdrawn_at__isnull=True), name="disposalapproval_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class Tombstone(ChainedRecord):
    """What is left of a disposed record: its kind, when it was made and disposed, the rule and the approvers.

    Hash-chained per school like the records it stands for. Its row names the disposed row (table, id) and the
    hash that row had; the database lets an append-only row be blanked only when its tombstone exists
    (``audit.append_only.Guard.allow_disposal``), and ``audit.chain.verify`` accepts a blanked link by it."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)
    record_model = models.CharField(max_length=100)  # "incidents.TimelineEntry"
    record_table = models.CharField(max_length=100)  # "incidents_timelineentry": what the triggers look up
    record_chain = models.CharField(max_length=64, blank=True)  # the chain the row is a link of ("" if none)
    record_id = models.BigIntegerField()
    record_label = models.CharField(max_length=100, blank=True)  # the case reference
    record_hash = models.CharField(max_length=64, blank=True)  # the chained row's own hash ("" if not chained)
    # The hash of the blanked row at its place in its chain: a later change to what is left is a break.
    residue_hash = models.CharField(max_length=64, blank=True)
    made_at = models.DateTimeField()
    disposed_at = models.DateTimeField()
    rule = models.CharField(max_length=300)
    approved_by = models.JSONField(default=list)  # [{"role", "name", "email", "at"}], both approvals
    batch = models.ForeignKey(DisposalBatch, on_delete=models.PROTECT, related_name="tombstones")

    HASHED_FIELDS = (
        "school",
        "kind",
        "record_model",
        "record_table",
        "record_chain",
        "record_id",
        "record_label",
        "record_hash",
        "residue_hash",
        "made_at",
        "disposed_at",
        "rule",
        "approved_by",
        "batch",
    )

    class Meta:
        ordering = ["-disposed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="tombstone_chain_seq_unique"),
            models.UniqueConstraint(fields=["record_table", "record_id"], name="tombstone_once_per_record"),
        ]
        indexes = [models.Index(fields=["record_model", "record_chain"])]

    def __str__(self) -> str:
        return f"Tombstone of {self.record_model} {self.record_id}"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    def chain_key(self) -> str:
        return f"school:{self.school_id}"
