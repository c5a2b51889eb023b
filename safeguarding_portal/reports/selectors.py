from __future__ import annotations

from django.db.models import Count, Max, Prefetch, QuerySet

from safeguarding_portal.reminders.models import Digest, Reminder

from .models import GovernorReport, ReportDownload

LOG_LIMIT = 200


def reports_for(*, school) -> QuerySet[GovernorReport]:
    return (
        GovernorReport.objects.filter(school=school)
        .select_related("requested_by")
        .annotate(download_count=Count("downloads"), last_download=Max("downloads__at"))
        .order_by("-requested_at", "-pk")[:50]
    )


def latest_report(*, school) -> GovernorReport | None:
    return GovernorReport.objects.filter(school=school).order_by("-requested_at", "-pk").first()


def downloads_of(*, report: GovernorReport) -> QuerySet[ReportDownload]:
    return report.downloads.select_related("user").order_by("-at", "-pk")


def digests_for(*, school, show: str = "") -> tuple[list[Digest], dict[str, int]]:
    """Digests that carried at least one of this school's reminders, newest first, with counts by status.
    Bounced and failed ones first when asked: the office fixes the address or chases the person."""
    mine = Digest.objects.filter(
        pk__in=Reminder.objects.filter(school=school, digest__isnull=False).values("digest_id")
    )
    counts = {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("pk")).order_by()}
    listed = mine
    if show in Digest.Status.values:
        listed = listed.filter(status=show)
    items = Reminder.objects.filter(school=school).order_by("kind", "pk")
    digests = list(
        listed.prefetch_related(Prefetch("items", queryset=items)).order_by("-on", "recipient_email")[:LOG_LIMIT]
    )
    return digests, {s: counts.get(s, 0) for s in Digest.Status.values}
