"""Monitoring pages. Thin: reads in selectors, writes in services (and csvimport / webhook)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from incidents import access
from incidents.models import Incident
from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.services import origin_of, record_view
from safeguarding_portal.core.clientip import client_ip
from safeguarding_portal.core.formerrors import add_errors_to_form
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools.models import Pupil, YearGroup
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.selectors import school_view

from . import csvimport, mail, selectors, services, webhook
from .forms import CloseForm, EscalateForm, MappingForm, UploadForm, UsernameForm, WebhookForm
from .models import ImportRun, MailAddress, Severity, Vendor, WebhookDelivery, WebhookEndpoint


def _alert_or_404(request: HttpRequest, alert_id: int):
    alert = selectors.alert_for(portal=request.portal, alert_id=alert_id)
    if alert is None:
        raise Http404("No such alert at this school")
    return alert


def index(request: HttpRequest) -> HttpResponse:
    """Counts for everyone who may see them; the DSL team goes on to the queue."""
    school = request.portal.school
    return render(
        request,
        "monitoring/index.html",
        {
            "counts": selectors.counts_for_technicians(school=school),
            "imports": ImportRun.objects.filter(school=school).select_related("uploaded_by")[:10],
        },
    )


def queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    q = selectors.queue(portal=request.portal, filters=filters)
    pupil = Pupil.objects.filter(school=request.portal.school, pk=filters.pupil).first() if filters.pupil else None
    return render(
        request,
        "monitoring/queue.html",
        {
            "q": q,
            "filters": filters,
            "pupil": pupil,
            "severities": Severity.choices,
            "vendors": Vendor.choices,
            "year_groups": YearGroup.choices,
            "states": [
                ("open", "Open"),
                ("new", "New"),
                ("reviewed", "Being reviewed"),
                ("escalated", "Escalated"),
                ("closed", "Closed"),
                ("all", "All"),
            ],
            "next_query": filters.as_query(before=q.next_before) if q.next_before else "",
            # Built once, not per row: the link that narrows the queue to one pupil.
            "pupil_query": (lambda base: f"{base}&" if base else "")(filters.as_query(pupil="")),
        },
    )


def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(request, alert_id)
    # Opening the alert is picking it up: the time to pick up stops at the first look by the DSL team.
    alert = services.alert_pick_up(alert=alert, by=request.user)
    record_view(request=request, obj=alert, summary=f"Monitoring alert {alert.reference}")
    return render(
        request,
        "monitoring/alert.html",
        {
            "alert": alert,
            "events": selectors.events_for(alert),
            "disposed": selectors.disposed_of(alert),
            "close_form": CloseForm(),
            "escalate_form": EscalateForm(initial={"category": services.suggested_category(alert)}),
            "withheld_text": services.IMAGERY_WITHHELD,
        },
    )


@require_POST
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(request, alert_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.alert_close(
                alert=alert, by=request.user, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, f"{alert.reference} closed.")
            return redirect("monitoring:queue")
    return render(
        request,
        "monitoring/alert.html",
        {
            "alert": alert,
            "events": selectors.events_for(alert),
            "disposed": selectors.disposed_of(alert),
            "close_form": form,
            "escalate_form": EscalateForm(),
            "withheld_text": services.IMAGERY_WITHHELD,
        },
    )


@require_POST
def alert_escalate(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(request, alert_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        incident = None
        try:
            if d["case"].strip():
                incident = (
                    Incident.objects.filter(access.case_visibility(request.portal))
                    .filter(reference__iexact=d["case"].strip())
                    .first()
                )
                if incident is None:
                    raise ValidationError({"case": "There is no open case with that reference you can add to."})
            incident = services.alert_escalate(
                alert=alert,
                by=request.user,
                incident=incident,
                category=d["category"],
                note=d["note"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, f"{alert.reference} escalated to case {incident.reference}.")
            return redirect("incidents:case", incident.reference)
    return render(
        request,
        "monitoring/alert.html",
        {
            "alert": alert,
            "events": selectors.events_for(alert),
            "disposed": selectors.disposed_of(alert),
            "close_form": CloseForm(),
            "escalate_form": form,
            "withheld_text": services.IMAGERY_WITHHELD,
        },
    )


def alert_screenshot(request: HttpRequest, alert_id: int) -> FileResponse:
    alert = _alert_or_404(request, alert_id)
    if not alert.screenshot:
        raise Http404("No screenshot")
    record_view(request=request, obj=alert, summary=f"Screenshot of monitoring alert {alert.reference}")
    content_type = services._sniff_screenshot(alert.screenshot.open("rb").read(8)) or "application/octet-stream"
    alert.screenshot.open("rb")
    response = FileResponse(alert.screenshot, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response


def message(request: HttpRequest, alert_id: int) -> FileResponse:
    """The forwarded email the alert came in, exactly as received (evidence)."""
    alert = _alert_or_404(request, alert_id)
    if alert.message is None:
        raise Http404("This alert did not come by email")
    if not alert.message.raw:
        raise Http404("The email was disposed of under the retention schedule")
    record_view(request=request, obj=alert, summary=f"Original email of monitoring alert {alert.reference}")
    return FileResponse(
        io.BytesIO(bytes(alert.message.raw)),
        content_type="message/rfc822",
        as_attachment=True,
        filename=f"{alert.reference}.eml",
    )


def usernames(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = UsernameForm(request.POST or None, initial={"username": request.GET.get("name", "")})
    pupils = (
        Pupil.objects.filter(school=school)
        .on_roll()
        .only("pk", "legal_forename", "preferred_forename", "surname", "preferred_surname", "year_group")
    )
    form.fields["pupil"].widget.choices = [("", "Choose a pupil")] + [
        (p.pk, f"{p.full_name} ({p.get_year_group_display()})") for p in pupils
    ]
    if request.method == "POST" and form.is_valid():
        pupil = Pupil.objects.filter(school=school, pk=form.cleaned_data["pupil"]).first()
        try:
            if pupil is None:
                raise ValidationError({"pupil": "Choose a pupil at this school."})
            n = services.username_map(
                school=school, by=request.user, username=form.cleaned_data["username"], pupil=pupil
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, f"Matched: {counted(n, 'waiting alert')} now with {pupil.full_name}.")
            return redirect("monitoring:usernames")
    return render(
        request, "monitoring/usernames.html", {"form": form, "names": selectors.unmatched_names(school=school)}
    )


def upload(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            form.add_error("file", "The file is larger than 20 MB; export a shorter period.")
        else:
            result = csvimport.import_alerts(
                school=school,
                by=request.user,
                vendor=form.cleaned_data["vendor"],
                data=upload.read(),
                filename=upload.name or "alerts.csv",
            )
            if result.ok:
                run = result.run
                messages.success(
                    request,
                    f"Imported {counted(run.rows, 'row')}: {counted(run.created, 'new alert')}, "
                    f"{run.folded} folded into repeats, {run.duplicates} already received.",
                )
                return redirect("monitoring:queue" if request.portal.can(Cap.TRIAGE_ALERTS) else "monitoring:index")
    # The error report names rows and columns; a capture's words are shown only to the DSL team.
    private = {csvimport.LABELS["captured_text"], "Captured Text", "Violation Text"}
    shows_values = request.portal.can(Cap.TRIAGE_ALERTS)
    return render(
        request,
        "monitoring/upload.html",
        {"form": form, "result": result, "shows_values": shows_values, "private_columns": private},
    )


def mapping(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    vendor = request.GET.get("vendor") or request.POST.get("vendor") or Vendor.SMOOTHWALL
    if vendor not in Vendor.values:
        vendor = Vendor.SMOOTHWALL
    saved = csvimport.saved_mapping(school=school, vendor=vendor)
    custom = {k: v for k, v in saved.severities.items() if csvimport.default_severities(vendor).get(k) != v}
    form = MappingForm(
        request.POST or None, columns=saved.columns, severities_text="\n".join(f"{k} = {v}" for k, v in custom.items())
    )
    if request.method == "POST" and form.is_valid():
        try:
            csvimport.save_mapping(
                school=school,
                vendor=vendor,
                by=request.user,
                columns={k: form.cleaned_data.get(k, "") for k in csvimport.LABELS},
                severities=form.severities(),
            )
        except csvimport.FileRejected as exc:
            form.add_error("severities", str(exc))
        else:
            messages.success(request, f"Columns for {Vendor(vendor).label} saved.")
            return redirect(f"{request.path}?vendor={vendor}")

    return render(
        request,
        "monitoring/mapping.html",
        {
            "form": form,
            "vendor": vendor,
            "vendors": Vendor.choices,
            "standings": school_view(school=school, kind_name="monitoring.severities"),
        },
    )


@require_POST
def severities_adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    """Take the trust's severity mapping for a product (safeguarding_portal.standards); the columns stay."""
    school = request.portal.school
    template = standards.template_for_school(school=school, kind="monitoring.severities", template_id=template_id)
    standards.template_adopt(school=school, template=template, by=request.user, origin=origin_of(request))
    messages.success(request, f"{template.key_label}'s levels now follow the trust's version {template.version}.")
    return redirect(f"{reverse('monitoring:mapping')}?vendor={template.key}")


def webhooks(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = WebhookForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("make") == "address":
            address = mail.address_create(school=school, vendor=form.cleaned_data["vendor"], by=request.user)
            messages.success(request, f"Forward {address.get_vendor_display()} alert emails to {address.address}.")
            return redirect("monitoring:webhooks")
        endpoint, secret = webhook.webhook_create(school=school, vendor=form.cleaned_data["vendor"], by=request.user)
        new_secret = {
            "endpoint": endpoint,
            "secret": secret,
            "url": request.build_absolute_uri(f"/monitoring/hook/{endpoint.token}/"),
        }
    endpoints = list(
        WebhookEndpoint.objects.filter(school=school, revoked_at__isnull=True).select_related("created_by")
    )
    log = WebhookDelivery.objects.filter(endpoint__school=school).select_related("endpoint")[:50]
    addresses = list(MailAddress.objects.filter(school=school, revoked_at__isnull=True))
    response = render(
        request,
        "monitoring/webhooks.html",
        {"form": form, "endpoints": endpoints, "log": log, "new_secret": new_secret, "addresses": addresses},
    )
    if new_secret:
        response["Cache-Control"] = "no-store"  # the secret is on this page once
    return response


@require_POST
def webhook_revoke(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id, school=request.portal.school)
    webhook.webhook_revoke(endpoint=endpoint, by=request.user)
    messages.success(request, f"The {endpoint.get_vendor_display()} webhook is switched off.")
    return redirect("monitoring:webhooks")


@require_POST
@csrf_exempt
def webhook_receive(request: HttpRequest, token: str) -> JsonResponse:
    try:
        body = request.body
    except RawPostDataException:
        body = b""  # a multipart form, read by a middleware: not a signed JSON body in any case
    answer = webhook.receive(token=token, body=body, headers=request.headers, ip=client_ip(request))
    return JsonResponse(
        {"status": answer.outcome, "message": answer.message, "alerts": [a.reference for a in answer.alerts]},
        status=answer.status,
    )
