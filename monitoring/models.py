"""Monitoring alerts: what the school's monitoring product (Smoothwall Monitor, Senso, Impero...) flagged.

An alert's content (vendor, rule, what was captured, when, from where it arrived) never changes after
intake; the database refuses updates of those columns (migration 0002). Its story is a hash-chained,
append-only list of ``AlertEvent`` rows (received, repeated, picked up, closed, escalated, pupil matched).
The columns the queue filters on (state, pupil, repeat count, times) are a projection of those events,
written only by ``monitoring.services`` in the same transaction as the event that changes them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Lower

from safeguarding_portal.audit.chain import AppendOnlyError, ChainedRecord


class Vendor(models.TextChoices):
    SMOOTHWALL = "smoothwall", "Smoothwall Monitor"
    SENSO = "senso", "Senso"
    IMPERO = "impero", "Impero"
    SECURLY = "securly", "Securly"
    LIGHTSPEED = "lightspeed", "Lightspeed Alert"
    OTHER = "other", "Another monitoring product"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Channel(models.TextChoices):
    CSV = "csv", "CSV export uploaded"
    WEBHOOK = "webhook", "Sent by the vendor (webhook)"
    EMAIL = "email", "Forwarded email"


class State(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Being reviewed"
    ESCALATED = "escalated", "Escalated to a case"
    CLOSED = "closed", "Closed"


OPEN_STATES = (State.NEW, State.REVIEWED)


class Outcome(models.TextChoices):
    NFA = "nfa", "No further action"
    FALSE_POSITIVE = "false_positive", "False positive"
    ESCALATED = "escalated", "Escalated to a case"


PROJECTION_FIELDS = frozenset(
    {
        "pupil",
        "state",
        "severity",
        "repeat_count",
        "last_repeat_at",
        "picked_up_at",
        "picked_up_by",
        "decided_at",
        "decided_by",
        "outcome",
        "incident",
    }
)
# Checked by the database trigger too (migration 0002): what arrived is evidence.
CONTENT_COLUMNS = (
    "school_id",
    "vendor",
    "channel",
    "external_id",
    "rule",
    "vendor_severity",
    "activity_at",
    "received_at",
    "device",
    "username",
    "user_email",
    "captured_text",
    "screenshot",
    "screenshot_sha256",
    "imagery_withheld",
    "message_id",
    "import_run_id",
    "reported_severity",
)


def screenshot_path(instance: MonitoringAlert, filename: str) -> str:
    # Unguessable, and never the vendor's name for it: names can carry a child's name.
    return f"monitoring/{instance.school_id}/{uuid.uuid4().hex}"


class ImportRun(models.Model):
    """One CSV export uploaded: applied (every row taken) or rejected (none), with its row-by-row errors."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Imported"
        REJECTED = "rejected", "Rejected: nothing imported"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    folded = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_vendor_display()} export {self.uploaded_at:%Y-%m-%d %H:%M}"


class ColumnMapping(models.Model):
    """Which column of a vendor's CSV export holds which field, kept per school and vendor."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    columns = models.JSONField(default=dict)  # field key -> the column's heading
    severities = models.JSONField(default=dict, blank=True)  # the vendor's level (folded) -> Severity
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "vendor"], name="monitoring_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.get_vendor_display()} columns"


class InboundMessage(models.Model):
    """A forwarded alert email exactly as received, kept as evidence (never changed, never deleted)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    mail_from = models.CharField(max_length=320)
    rcpt_to = models.CharField(max_length=320)
    subject = models.CharField(max_length=300, blank=True)
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    peer = models.CharField(max_length=100, blank=True)
    alerts_found = models.PositiveIntegerField(default=0)

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A received message is evidence and is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A received message is evidence and is never deleted.")

    def __str__(self) -> str:
        return f"Message {self.sha256[:12]} received {self.received_at:%Y-%m-%d %H:%M}"


class MonitoringAlert(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="monitoring_alerts")
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=120, blank=True, help_text="The vendor's own id for the alert.")
    rule = models.CharField("rule or category", max_length=200)
    vendor_severity = models.CharField(max_length=40, blank=True)
    reported_severity = models.CharField(max_length=10, choices=Severity.choices)  # as first mapped
    activity_at = models.DateTimeField()
    received_at = models.DateTimeField()
    device = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=200, blank=True)
    user_email = models.CharField(max_length=254, blank=True)
    captured_text = models.TextField(blank=True)
    screenshot = models.FileField(upload_to=screenshot_path, blank=True, max_length=200)
    screenshot_sha256 = models.CharField(max_length=64, blank=True)
    # Suspected indecent imagery: nothing of the capture is kept, only the metadata (policy 9.1 / 9.3).
    imagery_withheld = models.BooleanField(default=False)
    message = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")

    # Projection of the events (see module docstring).
    pupil = models.ForeignKey(
        "schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="monitoring_alerts"
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    repeat_count = models.PositiveIntegerField(default=1)
    last_repeat_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="monitoring_alerts"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The vendor's id once per school: a webhook retried or an export uploaded twice adds nothing.
            models.UniqueConstraint(
                fields=["school", "vendor", "external_id"],
                condition=~Q(external_id=""),
                name="monitoring_alert_external_id_once",
            ),
            models.CheckConstraint(
                name="monitoring_alert_decided_has_outcome",
                condition=Q(state__in=["new", "reviewed"]) | (Q(decided_at__isnull=False) & ~Q(outcome="")),
            ),
            models.CheckConstraint(
                name="monitoring_alert_escalated_has_case", condition=~Q(state="escalated") | Q(incident__isnull=False)
            ),
            models.CheckConstraint(
                name="monitoring_alert_withheld_keeps_nothing",
                condition=Q(imagery_withheld=False) | (Q(captured_text="") & Q(screenshot="")),
            ),
        ]
        indexes = [
            # The queue reads newest first by id (keyset pages), within the school and each filter.
            models.Index(fields=["school", "-id"], name="monitoring_queue_idx"),
            models.Index(fields=["school", "state", "-id"], name="monitoring_state_idx"),
            models.Index(fields=["school", "severity", "-id"], name="monitoring_severity_idx"),
            models.Index(fields=["school", "vendor", "-id"], name="monitoring_vendor_idx"),
            models.Index(fields=["pupil", "-id"], name="monitoring_pupil_queue_idx"),
            models.Index(fields=["pupil", "activity_at"], name="monitoring_pupil_idx"),
            models.Index(fields=["school", "received_at"], name="monitoring_received_idx"),
            models.Index(Lower("username"), "school", name="monitoring_username_idx"),
            models.Index(fields=["school", "vendor", "activity_at"], name="monitoring_fold_idx"),
            models.Index(
                fields=["received_at"],
                condition=Q(severity="critical", picked_up_at__isnull=True),
                name="monitoring_critical_wait_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"MON-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= PROJECTION_FIELDS:
                raise AppendOnlyError("What the monitoring product reported cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Monitoring alerts are safeguarding records and are never deleted.")


class EventKind(models.TextChoices):
    RECEIVED = "received", "Alert received"
    REPEATED = "repeated", "Repeat of the same rule folded in"
    PUPIL_MATCHED = "pupil_matched", "Matched to a pupil"
    PICKED_UP = "picked_up", "Picked up"
    CLOSED = "closed", "Closed"
    ESCALATED = "escalated", "Escalated to a case"
    PAGED = "paged", "DSL team paged"


class AlertEvent(ChainedRecord):
    """One line of an alert's story. Append-only and hash-chained per school, like a case's timeline."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(MonitoringAlert, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    HASHED_FIELDS = ("school", "alert", "kind", "author", "author_name", "at", "text", "data")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="alertevent_chain_seq_unique")]
        indexes = [
            models.Index(fields=["alert", "at"]),
            # A repeat's vendor id is on its "repeated" event: looked up so a retried delivery or an export
            # uploaded again does not fold the same repeat in twice.
            models.Index(
                F("school"),
                KeyTransform("external_id", "data"),
                condition=Q(kind="repeated"),
                name="alertevent_repeat_id_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


class UsernameMapping(models.Model):
    """A user name (or address) a monitoring product reports that the MIS import does not know, matched once
    to a pupil by the DSL team; every later alert with that name goes to the pupil."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=200)  # folded to lower case
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "username"], name="monitoring_username_once")]

    def __str__(self) -> str:
        return self.username


class WebhookEndpoint(models.Model):
    """A per-school, per-vendor address the vendor posts alerts to, signed with a shared secret."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    token = models.CharField(max_length=64, unique=True)  # in the URL; names neither school nor vendor
    secret_encrypted = models.TextField()  # Fernet with a key derived from SECRET_KEY; shown once in clear
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "vendor"], condition=Q(revoked_at__isnull=True), name="monitoring_one_live_webhook"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_vendor_display()} webhook"


class WebhookDelivery(models.Model):
    """Every post to a webhook, taken or refused (bad signature, replay, stale, malformed): the log."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        BAD_SIGNATURE = "bad_signature", "Refused: bad signature"
        REPLAY = "replay", "Refused: replayed delivery"
        STALE = "stale", "Refused: timestamp too old or in the future"
        MALFORMED = "malformed", "Refused: not a valid alert"
        UNKNOWN = "unknown", "Refused: no such webhook"

    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    received_at = models.DateTimeField()
    delivery_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64)
    detail = models.CharField(max_length=300, blank=True)
    alert = models.ForeignKey(MonitoringAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # A delivery id is taken once per webhook: a second post with it is a replay.
            models.UniqueConstraint(
                fields=["endpoint", "delivery_id"], condition=Q(outcome="accepted"), name="monitoring_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class Page(models.Model):
    """Each page of the DSL team about a critical alert, so a re-run never sends the same one twice."""

    class Kind(models.TextChoices):
        CRITICAL = "critical", "Critical alert"
        TEAM = "team", "Critical alert not picked up by the DSL on duty"
        RESEND = "resend", "Critical alert not yet picked up"

    alert = models.ForeignKey(MonitoringAlert, on_delete=models.PROTECT, related_name="pages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "kind"], name="monitoring_page_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.alert_id}"


class MailAddress(models.Model):
    """A per-school, per-vendor address the monitoring product's alert emails are forwarded to; the SMTP
    receiver (``manage.py receive_alerts``) takes mail only for live addresses. The local part is random, so
    nobody can guess a school's address and send it alerts."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    vendor = models.CharField(max_length=16, choices=Vendor.choices)
    local_part = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "vendor"], condition=Q(revoked_at__isnull=True), name="monitoring_one_live_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_vendor_display()} alert address"

    @property
    def address(self) -> str:
        return f"{self.local_part}@{getattr(settings, 'MONITORING_MAIL_DOMAIN', 'alerts.localhost')}"
