"""Asking for, building and downloading governor reports."""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from safeguarding_portal.outbox.services import enqueue

from . import builder
from .models import GovernorReport, ReportDownload
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
def report_request(*, school, start: datetime.date, end: datetime.date, by=None, term=None,
                   origin: str = GovernorReport.Origin.REQUESTED) -> GovernorReport:
    """Queue a build. The same period asked for again while one is queued or building, or within a couple of
    minutes of the last request, returns that report, so the work is done once."""
    _validate(start, end)
    existing = None if origin != GovernorReport.Origin.REQUESTED else (
        GovernorReport.objects.select_for_update()
        .filter(school=school, starts_on=start, ends_on=end)
        .filter(Q(state__in=[GovernorReport.State.QUEUED, GovernorReport.State.BUILDING])
                | Q(requested_at__gte=timezone.now() - DOUBLE_SUBMIT))
        .exclude(state=GovernorReport.State.FAILED)
        .order_by("-requested_at")
        .first()
    )
    if existing is not None:
        return existing
    title = f"Online safety report to governors: {period_for(school=school, start=start, end=end).label}"
    try:
        with transaction.atomic():
            report = GovernorReport.objects.create(
                school=school, starts_on=start, ends_on=end, term=term, title=title[:200], origin=origin,
                requested_by=by,
            )
    except IntegrityError:
        # The end-of-term build exists already (another beat process got there first).
        return GovernorReport.objects.get(school=school, term=term, origin=origin)
    enqueue("reports.build_governor_report", report_id=report.pk)
    return report


def _progress(report_id: int, pct: int, stage: str) -> None:
    # Saved outside the build's work so the request page's polling sees it move.
    GovernorReport.objects.filter(pk=report_id).update(progress=pct, stage=stage[:120])


def build(*, report_id: int) -> GovernorReport:
    """Build one queued report. Idempotent: a report that is ready (a retry, a second worker) is left alone;
    the claim from queued to building is one conditional update, so two workers never build it twice."""
    claimed = GovernorReport.objects.filter(
        pk=report_id, state__in=[GovernorReport.State.QUEUED, GovernorReport.State.FAILED]
    ).update(state=GovernorReport.State.BUILDING, progress=5, stage="Starting", error="")
    report = GovernorReport.objects.select_related("school__trust", "requested_by").get(pk=report_id)
    if not claimed:
        return report
    try:
        ctx = builder.context(
            school=report.school, start=report.starts_on, end=report.ends_on,
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
            from .notify import notify_governors

            notify_governors(report=report)
    return report


def record_download(*, report: GovernorReport, user, ip: str | None) -> ReportDownload:
    return ReportDownload.objects.create(report=report, user=user, at=timezone.now(), ip=ip)
