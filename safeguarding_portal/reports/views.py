"""Governor reports: ask for one, watch it being built, download it; the trust's side-by-side report; and
the reminder log for the office and the DSL team. Views stay thin: reads in selectors, writes in services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts import policy
from safeguarding_portal.audit.services import record_view
from safeguarding_portal.core.clientip import client_ip
from safeguarding_portal.core.formerrors import add_errors_to_form
from safeguarding_portal.core.pdf import pdf_response
from safeguarding_portal.schools.models import School
from safeguarding_portal.schools.selectors import term_in_view

from . import school_figures, selectors, services, trust
from .forms import ReportRequestForm, ThresholdsForm
from .models import GovernorReport


def _school(request: HttpRequest):
    school = request.portal.school
    if school is None:
        raise Http404("Choose a school first.")
    return school


def _report(request: HttpRequest, report_id: int) -> GovernorReport:
    # Another school's report is simply not found: its existence is not disclosed.
    return get_object_or_404(
        GovernorReport.objects.select_related("school", "requested_by"), pk=report_id, school=_school(request)
    )


def index(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    view = term_in_view(school=school)
    form = ReportRequestForm(school=school, term_view=view)
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "reports": selectors.reports_for(school=school),
            "term_view": view,
        },
    )


@require_POST
def request_report(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = ReportRequestForm(request.POST, school=school)
    if form.is_valid():
        try:
            report = services.report_request(
                school=school,
                start=form.cleaned_data["starts_on"],
                end=form.cleaned_data["ends_on"],
                by=request.user,
                term=form.cleaned_data.get("term"),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            return redirect("reports:detail", report_id=report.pk)
    # Re-shown with the messages and what was typed (200, like every form page of the portal).
    return render(
        request,
        "reports/index.html",
        {"form": form, "reports": selectors.reports_for(school=school), "term_view": term_in_view(school=school)},
    )


def _reclaimed(report: GovernorReport) -> GovernorReport:
    """Watching a build whose worker died starts it again (once: services.reclaim_if_stale)."""
    if report.is_stale and services.reclaim_if_stale(report=report):
        report.refresh_from_db()
    return report


def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _reclaimed(_report(request, report_id))
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "downloads": selectors.downloads_of(report=report),
        },
    )


def status(request: HttpRequest, report_id: int) -> HttpResponse:
    """The progress panel, polled by HTMX while the report builds; polling stops once it is done."""
    report = _reclaimed(_report(request, report_id))
    response = render(request, "reports/_status.html", {"report": report})
    if report.is_done and request.htmx:
        # The page around the panel shows downloads and the fingerprint: reload it once the file exists.
        response["HX-Refresh"] = "true"
    return response


def download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if report.state != GovernorReport.State.READY:
        messages.info(request, "That report is not ready yet; this page shows its progress.")
        return redirect("reports:detail", report_id=report.pk)
    services.record_download(report=report, user=request.user, ip=client_ip(request))
    record_view(request=request, obj=report, summary=f"Governor report downloaded: {report.title}")
    return pdf_response(content=report.pdf.open("rb"), filename=report.filename)


def trust_report(request: HttpRequest) -> HttpResponse:
    trust_obj = request.portal.trust
    if trust_obj is None:
        raise Http404("No trust.")
    form, period = trust.period_from(request.GET, trust=trust_obj)
    table = trust.trust_table(trust=trust_obj, start=period.start, end=period.end)
    return render(
        request,
        "reports/trust.html",
        {"trust": trust_obj, "table": table, "period": period, "form": form, "area_parts": trust.area_parts(table)},
    )


def trust_report_pdf(request: HttpRequest) -> HttpResponse:
    trust_obj = request.portal.trust
    if trust_obj is None:
        raise Http404("No trust.")
    _, period = trust.period_from(request.GET, trust=trust_obj)
    pdf = trust.trust_pdf(trust=trust_obj, start=period.start, end=period.end)
    return pdf_response(content=pdf, filename=f"trust-report-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf")


def reminder_log(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    show = request.GET.get("show", "")
    digests, counts = selectors.digests_for(school=school, show=show)
    return render(request, "reports/reminder_log.html", {"digests": digests, "counts": counts, "show": show})


# --- The trust dashboard (schools:trust_overview), its drill-down and thresholds -----------------------


def _trust(request: HttpRequest):
    trust_obj = request.portal.trust
    if trust_obj is None:
        raise Http404("No trust.")
    return trust_obj


def _chosen_period(request: HttpRequest, trust_obj):
    """None (each school's term in view) unless a period is asked for; the form either way."""
    form, period = trust.period_from(request.GET, trust=trust_obj)
    chosen = (period.start, period.end) if form.is_bound and form.is_valid() else None
    return form, chosen


def trust_dashboard(request: HttpRequest) -> HttpResponse:
    trust_obj = _trust(request)
    form, chosen = _chosen_period(request, trust_obj)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    data = school_figures.dashboard(
        trust=trust_obj, period=chosen, sort=request.GET.get("sort", "attention"), page=page
    )
    return render(
        request,
        "reports/trust_dashboard.html",
        {
            "trust": trust_obj,
            "data": data,
            "form": form,
            "chosen": chosen,
            "can_manage": request.portal.can(policy.Cap.MANAGE_TRUST),
        },
    )


def trust_school(request: HttpRequest, school_id: int) -> HttpResponse:
    """One school's aggregates for the trust lead: the dashboard's cells with their detail, never a child."""
    trust_obj = _trust(request)
    school = get_object_or_404(School, pk=school_id, trust=trust_obj)  # another trust's school is not found
    form, chosen = _chosen_period(request, trust_obj)
    detail = school_figures.school_detail(school=school, period=chosen)
    return render(
        request,
        "reports/trust_school.html",
        {"trust": trust_obj, "school": school, "form": form, "chosen": chosen, **detail},
    )


def trust_thresholds(request: HttpRequest) -> HttpResponse:
    trust_obj = _trust(request)
    form = ThresholdsForm(request.POST or None, trust=trust_obj)
    if request.method == "POST" and form.is_valid():
        services.thresholds_save(trust=trust_obj, values=form.values(), by=request.user)
        messages.success(request, "The thresholds are saved; the dashboard uses them now.")
        return redirect("schools:trust_overview")
    return render(request, "reports/trust_thresholds.html", {"trust": trust_obj, "form": form})
