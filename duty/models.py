"""The DSL on duty: a weekly rota with swaps for single days, and the school's escalation times."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q


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
        default=False, help_text="Someone from the DSL team is on call evenings, weekends and holidays.")
    team_after_minutes = models.PositiveSmallIntegerField(
        default=_default_team_minutes, help_text="Minutes before the rest of the DSL team is told.")
    head_after_minutes = models.PositiveSmallIntegerField(
        default=_default_head_minutes, help_text="Minutes before the headteacher is told.")
    sms_enabled = models.BooleanField(default=False, help_text="Also send a text message to those who gave a mobile.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "duty settings"
        constraints = [
            models.CheckConstraint(name="dutysettings_day_ends_after_it_starts",
                                   condition=Q(day_ends__gt=F("day_starts"))),
            models.CheckConstraint(name="dutysettings_team_before_head",
                                   condition=Q(team_after_minutes__gte=1,
                                               head_after_minutes__gt=F("team_after_minutes"))),
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
            models.CheckConstraint(name="rotaslot_school_day_on_a_weekday",
                                   condition=~Q(period="school_day") | Q(weekday__lte=4)),
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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
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
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(state__in=["queued", "retrying"]),
                                name="smsdelivery_due_idx")]

    def __str__(self) -> str:
        return f"SMS {self.pk} ({self.state})"
