import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task waiting to reach the broker.

    Written in the same transaction as the change that asked for it, so a task is never sent for a change
    that rolled back, and never lost when the broker is down: the periodic drain sends what is left.
    The message id is the Celery task id, so a message sent twice is one task as far as results go;
    tasks themselves are written to be idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.dispatched_at else "pending"
        return f"{self.task_name} ({state})"


class EmailDelivery(models.Model):
    """One email and where it has got to. Every email the portal sends is one of these (outbox/email.py):
    it is sent, or it is still being retried (with the time of the next attempt), or it has visibly failed."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Not sent yet: will be retried"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        ALERT = "alert", "Safeguarding alert"
        ACCOUNT = "account", "Account and sign-in"
        AGREEMENT = "agreement", "Agreements"
        REMINDER = "reminder", "Reminder digest"
        REPORT = "report", "Governor report"
        NOTICE = "notice", "Undelivered-alert notice"
        OTHER = "other", "Other"

    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    urgent = models.BooleanField(default=False)
    reference = models.CharField(max_length=100, blank=True, help_text="What it is about, e.g. a case reference.")
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # An HTML version sent beside the text one (a parent's email in their language: <html lang dir> lets a mail
    # client set Arabic and Urdu right to left); empty for the plain-text emails that are most of them.
    html_body = models.TextField(blank=True, default="")
    # [{"name": ..., "path": <default storage name>, "content_type": ...}]: read when sending, so a retry
    # a day later sends the same files.
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When the headteacher was told that this urgent email had not gone (banner and email, once).
    head_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="email_due_idx"),
            models.Index(fields=["school", "-created_at"], name="email_school_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False), name="email_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="retrying") | models.Q(next_attempt_at__isnull=False),
                name="email_retrying_has_next_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.state})"

    @property
    def undelivered(self) -> bool:
        return self.state in (self.State.RETRYING, self.State.FAILED)
