"""The DSL on duty: a weekly rota with swaps for single days, and the school's escalation times."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safeguarding_portal.audit.chain import ChainedRecord


class Period(models.TextChoices):
    SCHOOL_DAY = "school_day", "School day"
    OUT_OF_HOURS = "out_of_hours", "Out of hours"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _default_team_minutes() -> int:
    return settings.URGENT_ACK_MINUTES


def _default_head_minutes() -> int:
    return 2 * settings.URGENT_ACK_MINUTES


class DutySettings(models.Model):
    """When the school day's DSL is on duty, whether anyone covers out of hours, and when an item nobody
    picked up goes to the rest of the team and then to the headteacher."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="duty_settings")
    day_starts = models.TimeField(default=datetime.time(8, 0), help_text="When the school day's cover begins.")
    day_ends = models.TimeField(default=datetime.time(17, 0), help_text="When the school day's cover ends.")
    out_of_hours_cover = models.BooleanField(
        default=False, help_text="Someone from the DSL team is on call evenings, weekends and holidays."
    )
    team_after_minutes = models.PositiveSmallIntegerField(
        default=_default_team_minutes, help_text="Minutes before the rest of the DSL team is told."
    )
    head_after_minutes = models.PositiveSmallIntegerField(
        default=_default_head_minutes, help_text="Minutes before the headteacher is told."
    )
    sms_enabled = models.BooleanField(default=False, help_text="Also send a text message to those who gave a mobile.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "duty settings"
        constraints = [
            models.CheckConstraint(
                name="dutysettings_day_ends_after_it_starts", condition=Q(day_ends__gt=F("day_starts"))
            ),
            models.CheckConstraint(
                name="dutysettings_team_before_head",
                condition=Q(team_after_minutes__gte=1, head_after_minutes__gt=F("team_after_minutes")),
            ),
        ]

    def __str__(self) -> str:
        return f"Duty settings for {self.school_id}"


class RotaSlot(models.Model):
    """The weekly pattern: who is on duty on each weekday, in school hours or out of hours."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="rota_slots")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    period = models.CharField(max_length=12, choices=Period.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["weekday", "period"]
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday", "period"], name="rotaslot_one_per_day_and_period"),
            models.CheckConstraint(name="rotaslot_weekday_in_week", condition=Q(weekday__lte=6)),
            # School days are weekdays: a weekend is always out of hours.
            models.CheckConstraint(
                name="rotaslot_school_day_on_a_weekday", condition=~Q(period="school_day") | Q(weekday__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.get_period_display()}"


class RotaSwap(models.Model):
    """One day covered by someone else (a holiday, an absence, a course): wins over the weekly pattern."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="rota_swaps")
    on = models.DateField()
    period = models.CharField(max_length=12, choices=Period.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "period"]
        constraints = [
            models.UniqueConstraint(fields=["school", "on", "period"], name="rotaswap_one_per_day_and_period"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.get_period_display()}"


class MobileNumber(models.Model):
    """A DSL team member's or head's mobile, for urgent texts (only where the school turned texts on)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="mobilenumber_one_per_person")]

    def __str__(self) -> str:
        return f"Mobile of {self.user_id}"


class SmsDelivery(models.Model):
    """Each text sent or visibly not, like ``outbox.EmailDelivery``: the body never says anything sensitive."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Not sent yet"
        FAILED = "failed", "Failed"

    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.CharField(max_length=20)
    body = models.CharField(max_length=160)
    reference = models.CharField(max_length=100, blank=True, help_text="What it is about, for the records only.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "SMS deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state__in=["queued", "retrying"]), name="smsdelivery_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.pk} ({self.state})"


# --- Operation Encompass ---------------------------------------------------------------------------------
# Police notifications that a child was present at (or affected by) a domestic abuse incident. Confidential:
# the DSL team and the head read them; other staff see only the support actions they are asked to take.
# Every record is append-only and hash-chained per school like the case timeline (triggers in migration
# 0004); acknowledgement, escalation and actions are entries, never edits.


class EncompassNotification(ChainedRecord):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    notified_at = models.DateTimeField(help_text="When the police told the school.")
    incident_on = models.DateField(help_text="The date of the incident.")
    police_reference = models.CharField(max_length=60)
    officer_name = models.CharField(max_length=150)
    officer_contact = models.CharField(max_length=200, help_text="Phone or email of the officer.")
    support = models.TextField(help_text="The support the school gives.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # The start of the next school day after the notification (from the term dates), set by the server.
    acknowledge_by = models.DateTimeField()

    HASHED_FIELDS = (
        "school",
        "notified_at",
        "incident_on",
        "police_reference",
        "officer_name",
        "officer_contact",
        "support",
        "recorded_by",
        "recorded_at",
        "acknowledge_by",
    )

    class Meta:
        ordering = ["-notified_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="encompassnotification_chain_seq")]
        indexes = [models.Index(fields=["school", "notified_at"])]

    def __str__(self) -> str:
        return f"Police notification {self.pk}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


class EncompassChild(ChainedRecord):
    """A child the notification names, matched to a pupil on roll."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    notification = models.ForeignKey(EncompassNotification, on_delete=models.PROTECT, related_name="children")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")

    HASHED_FIELDS = ("school", "notification", "pupil")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="encompasschild_chain_seq"),
            models.UniqueConstraint(fields=["notification", "pupil"], name="encompasschild_once_per_pupil"),
        ]

    def __str__(self) -> str:
        return f"Child {self.pupil_id} of notification {self.notification_id}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


class EncompassEntryKind(models.TextChoices):
    ALERTED = "alerted", "Alert sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ESCALATED = "escalated", "Not acknowledged by the next school day: escalated"
    ACTION_ASKED = "action_asked", "Support action asked of a member of staff"
    ACTION_DONE = "action_done", "Support action done"
    NOTE = "note", "Note"


class EncompassEntry(ChainedRecord):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    notification = models.ForeignKey(EncompassNotification, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=EncompassEntryKind.choices)
    # Alerts: which stage of the escalation chain ("on_duty", "team", "head"), so each goes once.
    stage = models.CharField(max_length=12, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="completions")
    data = models.JSONField(default=dict, blank=True)

    HASHED_FIELDS = (
        "school",
        "notification",
        "kind",
        "stage",
        "author",
        "at",
        "text",
        "assignee",
        "pupil",
        "action",
        "data",
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "Encompass entries"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="encompassentry_chain_seq"),
            # Acknowledged once, escalated once, each alert stage once, each action done once: a re-run of the
            # sweep or a double click adds nothing.
            models.UniqueConstraint(
                fields=["notification"], condition=Q(kind="acknowledged"), name="encompassentry_acknowledged_once"
            ),
            models.UniqueConstraint(
                fields=["notification"], condition=Q(kind="escalated"), name="encompassentry_escalated_once"
            ),
            models.UniqueConstraint(
                fields=["notification", "stage"], condition=Q(kind="alerted"), name="encompassentry_alert_stage_once"
            ),
            models.UniqueConstraint(
                fields=["action"], condition=Q(kind="action_done"), name="encompassentry_action_done_once"
            ),
            models.CheckConstraint(
                name="encompassentry_action_has_assignee", condition=~Q(kind="action_asked") | Q(assignee__isnull=False)
            ),
        ]
        indexes = [models.Index(fields=["assignee", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on notification {self.notification_id}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


# --- AI tools register -----------------------------------------------------------------------------------
# The AI tools the school uses or proposes, each assessed against the headings of the DfE generative AI
# product safety standards and decided by a senior leader. A new tool opens an out-of-cycle review of
# filtering and monitoring (filtering.FilterReview), as the June 2026 update to the standards asks.


class AIStandard(models.TextChoices):
    FILTERING = "filtering", "Filtering"
    MONITORING = "monitoring", "Monitoring and reporting"
    SECURITY = "security", "Security"
    PRIVACY = "privacy", "Privacy and data protection"
    INTELLECTUAL_PROPERTY = "intellectual_property", "Intellectual property"
    DESIGN = "design_testing", "Design and testing"
    GOVERNANCE = "governance", "Governance"


class AIRating(models.TextChoices):
    MET = "met", "Meets the standard"
    PARTLY = "partly", "Partly meets it"
    NOT_MET = "not_met", "Does not meet it"


class AIUsers(models.TextChoices):
    STAFF = "staff", "Staff only"
    PUPILS = "pupils", "Pupils"
    BOTH = "both", "Staff and pupils"


class AIToolStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    IN_USE = "in_use", "In use"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AIDecision(models.TextChoices):
    PENDING = "pending", "Not yet decided"
    APPROVED = "approved", "Approved"
    CONDITIONS = "conditions", "Approved with conditions"
    REFUSED = "refused", "Refused"


class AITool(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="ai_tools")
    name = models.CharField(max_length=150)
    supplier = models.CharField(max_length=150, blank=True)
    purpose = models.CharField(max_length=300, help_text="What it is used for.")
    used_by = models.CharField(max_length=8, choices=AIUsers.choices)
    age_range = models.CharField(max_length=60, blank=True, help_text="Which pupils, e.g. Years 5 and 6 (9 to 11).")
    data_seen = models.TextField(help_text="The data it sees: prompts, pupils' work, names, images...")
    status = models.CharField(max_length=10, choices=AIToolStatus.choices, default=AIToolStatus.PROPOSED)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    # {standard: {"rating": AIRating, "notes": str}} for each heading of the standards.
    assessment = models.JSONField(default=dict, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=AIDecision.choices, default=AIDecision.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    review = models.ForeignKey(
        "filtering.FilterReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The out-of-cycle review the tool opened.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "AI tool"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="aitool_unique_name"),
            # Approved only once assessed; every decision has its reason written down (KCSiE).
            models.CheckConstraint(
                name="aitool_approved_only_when_assessed",
                condition=(~Q(decision__in=["approved", "conditions"]) | Q(assessed_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="aitool_decision_has_a_reason", condition=Q(decision="pending") | ~Q(decision_reason="")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ratings(self) -> list[tuple[str, str, str, str]]:
        """(standard key, heading, rating, notes) for each heading, in the standards' order."""
        return [
            (
                s.value,
                s.label,
                self.assessment.get(s.value, {}).get("rating", ""),
                self.assessment.get(s.value, {}).get("notes", ""),
            )
            for s in AIStandard
        ]

    @property
    def concerns(self) -> list[str]:
        return [label for _k, label, rating, _n in self.ratings if rating in (AIRating.NOT_MET, AIRating.PARTLY)]
