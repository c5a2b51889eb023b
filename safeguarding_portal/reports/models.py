"""Governor reports as built: who asked, for which school and period, the stored PDF with its SHA-256, and
every download of it (who, when). A built report is never changed: a new build is a new row."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def stale_after():
    return datetime.timedelta(minutes=getattr(settings, "REPORT_BUILD_STALE_MINUTES", 10))


def report_path(instance: GovernorReport, filename: str) -> str:
    # Unguessable, and never a name: the path ends up in logs and backups.
    return f"governor-reports/{instance.school_id}/{uuid.uuid4().hex}.pdf"


class GovernorReport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be built"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be built"

    class Origin(models.TextChoices):
        REQUESTED = "requested", "Asked for in the portal"
        END_OF_TERM = "end_of_term", "Built automatically at the end of term"
        DEMO = "demo", "Demo data"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="governor_reports")
    starts_on = models.DateField()
    ends_on = models.DateField()
    term = models.ForeignKey("schools.Term", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.REQUESTED)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent, while building.")
    stage = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=report_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    governors_notified_at = models.DateTimeField(null=True, blank=True)
    # A build in progress beats its heart (services._Heartbeat); one whose heart stopped (the worker was killed)
    # is stale after settings.REPORT_BUILD_STALE_MINUTES and is built again by the next task or request.
    build_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    builds = models.PositiveSmallIntegerField(default=0, help_text="How many times a build was started.")
    stalled_at = models.DateTimeField(null=True, blank=True, help_text="When a stopped build was last found.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="govreport_period_ordered", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(
                name="govreport_ready_has_file", condition=~Q(state="ready") | (~Q(sha256="") & ~Q(pdf=""))
            ),
            # The end-of-term build happens once per term, however often the sweep runs.
            models.UniqueConstraint(
                fields=["school", "term"], condition=Q(origin="end_of_term"), name="govreport_once_per_term"
            ),
        ]
        indexes = [models.Index(fields=["school", "-requested_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    @property
    def is_stale(self) -> bool:
        """Building, but no sign of life for REPORT_BUILD_STALE_MINUTES: the worker doing it has gone."""
        if self.state != self.State.BUILDING:
            return False
        last = self.heartbeat_at or self.build_started_at or self.requested_at
        return last is None or last < timezone.now() - stale_after()

    @property
    def progress_step(self) -> int:
        # The progress bar's width class (static/css/reports.css): inline styles are forbidden by the CSP.
        return min(self.progress, 100) // 10 * 10

    @property
    def filename(self) -> str:
        return f"governor-report-{self.school.urn}-{self.starts_on:%Y%m%d}-{self.ends_on:%Y%m%d}.pdf"


class ReportDownload(models.Model):
    """Each download of a report: governors and inspectors should be able to ask who has a copy."""

    report = models.ForeignKey(GovernorReport, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.report_id} at {self.at:%Y-%m-%d %H:%M}"


class SchoolFigures(models.Model):
    """One school's dashboard figures for one period, pre-computed so the trust dashboard reads one row per
    school (reports.school_figures): refreshed on commit of a change that moves them and by the sweep.

    ``figures`` holds the raw numbers by measure key, as the apps' selectors count them; how they are shown
    ("fewer than 3") and judged (the trust's thresholds) is decided when they are read.
    """

    CURRENT_TERM = "term"  # the period key of the school's term in view (schools.selectors.term_in_view)

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="dashboard_figures")
    period_key = models.CharField(max_length=32, help_text='"term", or "YYYY-MM-DD:YYYY-MM-DD" for a chosen period.')
    starts_on = models.DateField()
    ends_on = models.DateField()
    period_label = models.CharField(max_length=120, blank=True)
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    # Set when a change was committed after the figures were computed; cleared by the refresh.
    stale_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "period_key"], name="schoolfigures_one_per_period"),
            models.CheckConstraint(
                name="schoolfigures_period_ordered", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
        ]
        indexes = [models.Index(fields=["period_key", "school"])]
        verbose_name_plural = "school figures"

    def __str__(self) -> str:
        return f"Figures for school {self.school_id} ({self.period_key}) at {self.computed_at:%Y-%m-%d %H:%M}"


class TrustThresholds(models.Model):
    """The red/amber/green thresholds a trust sets for its dashboard, by measure key: {"key": {"amber": n,
    "red": n}}. A measure without an entry uses the defaults its app declares (reports.figures.Measure)."""

    trust = models.OneToOneField("schools.Trust", on_delete=models.CASCADE, related_name="thresholds")
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "trust thresholds"

    def __str__(self) -> str:
        return f"Thresholds for {self.trust}"
