"""A school's own period for a kind of record, where it departs from the portal's default (``registry``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .registry import KINDS, MAX_YEARS, MIN_YEARS


class RetentionPeriod(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="retention_periods")
    kind = models.CharField(max_length=60)  # a registered kind's name (registry.KINDS)
    years = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)  # why the school keeps it this long
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="retentionperiod_one_per_kind"),
            models.CheckConstraint(name="retentionperiod_years_in_range",
                                   condition=Q(years__gte=MIN_YEARS, years__lte=MAX_YEARS)),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.years} years"

    def clean(self) -> None:
        super().clean()
        if self.kind not in KINDS:
            raise ValidationError({"kind": "Not a kind of record the portal keeps."})
        if self.years is not None and not MIN_YEARS <= self.years <= MAX_YEARS:
            raise ValidationError({"years": f"Between {MIN_YEARS} and {MAX_YEARS} years."})
