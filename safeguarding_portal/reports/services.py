"""Asking for, building and downloading governor reports."""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.outbox.services import enqueue

from . import builder
from .models import GovernorReport, ReportDownload, TrustThresholds, stale_after
from .notify import notify_governors
from .periods import period_for

log = logging.getLogger(__name__)

MAX_DAYS = 400  # a report covers at most about a school year
# The same period asked for again this soon is a double click (or two governors at once), not a wish for a
# fresh build: it gets the report just made.
DOUBLE_SUBMIT = datetime.timedelta(minutes=2)


def _validate(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"ends_on": "A report can cover at most a school year; choose a shorter range."})
    if start > timezone.localdate():
        raise ValidationError({"starts_on": "That period has not started yet."})


@transaction.atomic
def report_request(
    *,
    school,
    start: datetime.date,
    end: datetime.date,
    by=None,
    term=None,
    origin: str = GovernorReport.Origin.REQUESTED,
) -> GovernorReport:
    """Queue a build. The same period asked for again while one is queued or building, or within a couple of
    minutes of the last request, returns that report, so the work is done once."""
    _validate(start, end)
    existing = (
        None
        if origin != GovernorReport.Origin.REQUESTED
        else (
            GovernorReport.objects.select_for_update()
            .filter(school=school, starts_on=start, ends_on=end)
            .filter(
                Q(state__in=[GovernorReport.State.QUEUED, GovernorReport.State.BUILDING])
                | Q(requested_at__gte=timezone.now() - DOUBLE_SUBMIT)
            )
            .exclude(state=GovernorReport.State.FAILED)
            .order_by("-requested_at")
            .first()
        )
    )
    if existing is not None:
        reclaim_if_stale(report=existing)  # a build whose worker died: asking again starts it again
        existing.refresh_from_db()
        return existing
    title = f"Online safety report to governors: {period_for(school=school, start=start, end=end).label}"
    try:
        with transaction.atomic():
            report = GovernorReport.objects.create(
                school=school,
                starts_on=start,
                ends_on=end,
                term=term,
                title=title[:200],
                origin=origin,
                requested_by=by,
            )
    except IntegrityError:
        # The end-of-term build exists already (another beat process got there first).
        return GovernorReport.objects.get(school=school, term=term, origin=origin)
    enqueue("reports.build_governor_report", report_id=report.pk)
    return report


def _progress(report_id: int, pct: int, stage: str) -> None:
    # Saved outside the build's work so the request page's polling sees it move; each step is a sign of life.
    GovernorReport.objects.filter(pk=report_id).update(progress=pct, stage=stage[:120], heartbeat_at=timezone.now())


def _stale_building(report_id: int):
    """The report, if it is "building" with no sign of life for REPORT_BUILD_STALE_MINUTES."""
    return GovernorReport.objects.filter(
        pk=report_id, state=GovernorReport.State.BUILDING, heartbeat_at__lt=timezone.now() - stale_after()
    )


@transaction.atomic
def reclaim_if_stale(*, report: GovernorReport) -> bool:
    """A build whose worker died (killed, out of memory, redeployed) is queued again and its task sent, once:
    the conditional update lets one caller through however many ask (requests, the status poll, beat's sweep).
    Atomic, so a report is never left "queued" without the task that builds it."""
    now = timezone.now()
    reclaimed = _stale_building(report.pk).update(
        state=GovernorReport.State.QUEUED,
        stalled_at=now,
        progress=0,
        stage="The build stopped; it is being retried",
    )
    if reclaimed:
        log.warning(
            "governor report %s: the build stopped (no progress for %s); building it again", report.pk, stale_after()
        )
        enqueue("reports.build_governor_report", report_id=report.pk)
    return bool(reclaimed)


class _Heartbeat:
    """While a build runs, a thread marks it alive every little while, so a long step (laying out the PDF)
    is not taken for a dead worker; when the worker dies, the beats stop and the build goes stale."""

    def __init__(self, report_id: int) -> None:
        self.report_id = report_id
        self.interval = max(stale_after().total_seconds() / 4, 1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"report-{report_id}-heartbeat")

    def _run(self) -> None:
        beat = False
        try:
            while not self.stop.wait(self.interval):
                beat = True
                GovernorReport.objects.filter(pk=self.report_id, state=GovernorReport.State.BUILDING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed beat only risks an early rebuild, never a failed one
            log.warning("governor report %s: heartbeat failed", self.report_id, exc_info=True)
        finally:
            if beat:
                connection.close()  # this thread's own connection

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(5)


def build(*, report_id: int) -> GovernorReport:
    """Build one queued report. Idempotent: a report that is ready (a retry, a second worker) is left alone;
    the claim from queued to building is one conditional update, so two workers never build it twice. A build
    that went stale (its worker died) is claimed again: a redelivered task finishes the job."""
    now = timezone.now()
    started = {
        "state": GovernorReport.State.BUILDING,
        "progress": 5,
        "stage": "Starting",
        "error": "",
        "build_started_at": now,
        "heartbeat_at": now,
        "builds": F("builds") + 1,
    }
    claimed = GovernorReport.objects.filter(
        pk=report_id, state__in=[GovernorReport.State.QUEUED, GovernorReport.State.FAILED]
    ).update(**started)
    if not claimed:
        claimed = _stale_building(report_id).update(**started, stalled_at=now)
        if claimed:
            log.warning("governor report %s: the build stopped; a redelivered task builds it again", report_id)
    report = GovernorReport.objects.select_related("school__trust", "requested_by").get(pk=report_id)
    if not claimed:
        return report
    with _Heartbeat(report_id):
        return _build(report)


def _build(report: GovernorReport) -> GovernorReport:
    report_id = report.pk
    try:
        ctx = builder.context(
            school=report.school,
            start=report.starts_on,
            end=report.ends_on,
            requested_by=(report.requested_by.full_name or report.requested_by.email) if report.requested_by else "",
            reference=f"GR-{report.school.urn}-{report.pk}",
            progress=lambda pct, stage: _progress(report.pk, pct, stage),
        )
        _progress(report.pk, 70, "Laying out the pages")
        pdf, pages = builder.render_pdf(ctx)
    except Exception as exc:
        log.exception("governor report %s failed", report_id)
        GovernorReport.objects.filter(pk=report_id).update(
            state=GovernorReport.State.FAILED, error=f"{type(exc).__name__}"[:300], stage="Failed"
        )
        raise
    with transaction.atomic():
        report = GovernorReport.objects.select_for_update().get(pk=report_id)
        report.sha256 = hashlib.sha256(pdf).hexdigest()
        report.size, report.pages = len(pdf), pages
        # Through the storage API: the row keeps the stored name, never a path.
        report.pdf.save("report.pdf", ContentFile(pdf), save=False)
        report.state, report.progress, report.stage = GovernorReport.State.READY, 100, "Ready"
        report.built_at = timezone.now()
        report.save()
        if report.origin == GovernorReport.Origin.END_OF_TERM:
            notify_governors(report=report)
    return report


def record_download(*, report: GovernorReport, user, ip: str | None) -> ReportDownload:
    return ReportDownload.objects.create(report=report, user=user, at=timezone.now(), ip=ip)


@transaction.atomic
def thresholds_save(*, trust, values: dict[str, dict[str, int]], by) -> None:
    """The trust's dashboard thresholds (reports.forms.ThresholdsForm checked them), recorded in the audit log."""
    row, _ = TrustThresholds.objects.select_for_update().get_or_create(trust=trust)
    changed = sorted(k for k, v in values.items() if row.values.get(k) != v)
    row.values = values
    row.updated_by = by
    row.save()
    summary = f"Trust dashboard thresholds saved for {trust}" + (f": {', '.join(changed)}" if changed else "")
    audit_record(action="reports.thresholds_saved", actor=by, obj=row, summary=summary)
