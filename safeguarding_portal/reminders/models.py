from __future__ import annotations

from django.conf import settings
from django.db import models


class Reminder(models.Model):
    """One thing due from one person, recorded once per day: a re-run, a retry or a second beat process
    finds the row already there and sends nothing more."""

    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=64)
    # What the reminder is about, stable across days (for example "request:42").
    key = models.CharField(max_length=128)
    on = models.DateField()
    # Shown in the digest: no child's name and nothing sensitive (emails leave the school's systems).
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    # The language of a parent's or carer's email (a code of settings.LANGUAGES, "en-gb" included): their digest
    # is worded in it (services._compose). Empty for staff, whose emails are in the portal's English.
    language = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="items")

    class Meta:
        ordering = ["on", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient_email", "kind", "key", "on"], name="reminder_once_a_day"),
        ]
        indexes = [models.Index(fields=["on", "digest"], name="reminder_pending_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_email} on {self.on}"


class Digest(models.Model):
    """At most one email a day to each person, listing what is due from them."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will be retried)"
        BOUNCED = "bounced", "Bounced"

    recipient_email = models.EmailField()
    on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The email itself (outbox/email.py); status, attempts, last_error and sent_at follow it.
    delivery = models.OneToOneField(
        "outbox.EmailDelivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="digest"
    )

    class Meta:
        ordering = ["-on", "recipient_email"]
        constraints = [models.UniqueConstraint(fields=["recipient_email", "on"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.recipient_email} on {self.on} ({self.status})"
