from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core.csvexport import csv_streaming_response
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.ids import as_id
from safeguarding_portal.core.pdf import pdf_response, render_pdf
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools import selectors as school_selectors
from safeguarding_portal.schools import tables

from . import selectors, services, vendor
from .forms import (
    ApplyForm,
    AssessForm,
    ChangeRequestForm,
    CheckForm,
    DecideForm,
    ExplainForm,
    ReportSiteForm,
    ResponsibilityForm,
    RetrospectiveForm,
    RevertForm,
    ReviewForm,
    VendorImportForm,
    VendorIncidentForm,
)
from .models import (
    Action,
    ChangeRequest,
    EventKind,
    FilterCheck,
    FilterEvent,
    FilterReview,
    Responsibility,
    ReviewAction,
    State,
    TargetKind,
    VendorEntry,
    VendorFollowUp,
    VendorImport,
    VendorMapping,
)


def _common(request: HttpRequest) -> dict:
    """What every filtering page shows: the missing responsibilities, in red."""
    return {"missing_roles": selectors.missing_roles(school=request.portal.school)}


# --- Change requests ----------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    school = portal.school
    today = timezone.localdate()
    state = request.GET.get("state", "")
    changes = selectors.changes_for(portal)
    if state == "overdue":
        changes = changes.filter(state=State.APPLIED, expires_on__lt=today)
    elif state in State.values:
        changes = changes.filter(state=state)
    page = Paginator(changes.order_by("-requested_at"), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": State.choices,
        "today": today,
        "sees_all": policy.sees_all_filter_changes(portal),
        **_common(request),
    }
    if portal.can(Cap.APPROVE_FILTER_CHANGE):
        context["to_decide"] = list(
            selectors.to_decide(school=school, user=request.user).select_related("requested_by")[:20]
        )
    if portal.can(Cap.APPLY_FILTER_CHANGE):
        context["to_apply"] = list(selectors.to_apply(school=school).select_related("decided_by")[:20])
    if policy.sees_all_filter_changes(portal):
        context["overdue"] = list(selectors.overdue(school=school, today=today)[:20])
        context["expiring"] = list(selectors.expiring(school=school, today=today)[:20])
    return render(request, "filtering/index.html", context)


def request_change(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = ChangeRequestForm(
        request.POST or None, initial={"token": uuid.uuid4(), "action": Action.ALLOW, "target_kind": TargetKind.URL}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            change = services.change_request(
                school=school,
                requester=request.user,
                action=d["action"],
                target_kind=d["target_kind"],
                target=d["target"],
                scope=d["scope"],
                scope_detail=d["scope_detail"],
                reason=d["reason"],
                needed_until=d["needed_until"],
                submission_token=d["token"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            if change.state == State.REFUSED:
                messages.error(request, f"{change.reference} was refused: {change.decision_reason}")
            else:
                messages.success(request, f"{change.reference} is waiting for a senior leader's approval.")
            return redirect("filtering:change", change_id=change.pk)
    return render(request, "filtering/request.html", {"form": form, **_common(request)})


def report_site(request: HttpRequest) -> HttpResponse:
    """One form for both: a site that got through (an incident + a candidate block) or an over-block (a request)."""
    school = request.portal.school
    form = ReportSiteForm(
        request.POST or None,
        initial={
            "token": uuid.uuid4(),
            "kind": ReportSiteForm.BREACH,
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            change, incident = services.report_site(school=school, reporter=request.user, data=d)
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            if incident is not None:
                messages.success(
                    request,
                    f"Thank you. Concern {incident.reference} went to the DSL team, and "
                    f"{change.reference} asks for the site to be blocked.",
                )
            else:
                messages.success(request, f"Thank you. {change.reference} asks for the block to be lifted.")
            return redirect("filtering:change", change_id=change.pk)
    return render(request, "filtering/report_site.html", {"form": form, **_common(request)})


def _change_or_404(request: HttpRequest, change_id: int) -> ChangeRequest:
    change = get_object_or_404(
        ChangeRequest.objects.select_related("requested_by", "decided_by", "applied_by", "reverted_by"),
        pk=change_id,
        school=request.portal.school,
    )
    if not policy.can_view_filter_change(request.portal, change):
        raise Http404
    return change


def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    change = _change_or_404(request, change_id)
    portal = request.portal
    today = timezone.localdate()
    context = {
        "change": change,
        "today": today,
        "overdue": change.is_overdue(today),
        "assessments": list(change.assessments.select_related("assessed_by")),
        "events": list(change.events.order_by("seq")) if portal.can(Cap.VIEW_FILTER_LOG) else [],
        "missing_views": services.missing_views(change) if change.state == State.REQUESTED else [],
        **_common(request),
    }
    if change.state == State.REQUESTED and portal.can(Cap.ASSESS_FILTER_RISK):
        context["assess_form"] = AssessForm()
    if change.state == State.REQUESTED and portal.can(Cap.APPROVE_FILTER_CHANGE):
        context["decide_form"] = DecideForm(
            initial={"expires_on": change.needed_until},
            needed_until=change.needed_until if change.action == Action.ALLOW else None,
        )
        context["own_request"] = change.requested_by_id == request.user.pk
    if change.state == State.APPROVED and portal.can(Cap.APPLY_FILTER_CHANGE):
        context["apply_form"] = ApplyForm()
    if change.state == State.APPLIED and portal.can(Cap.APPLY_FILTER_CHANGE):
        context["revert_form"] = RevertForm()
    return render(request, "filtering/change.html", context)


def _step(request: HttpRequest, change_id: int, form_class, act) -> HttpResponse:
    change = _change_or_404(request, change_id)
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}: {e}" if label else e)
    else:
        try:
            text = act(change, form.cleaned_data)
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, text)
    return redirect("filtering:change", change_id=change.pk)


@require_POST
def assess(request: HttpRequest, change_id: int) -> HttpResponse:
    def act(change, d):
        services.assess(
            change=change,
            by=request.user,
            view=d["view"],
            rating=d["rating"],
            assessment=d["assessment"],
            mitigations=d["mitigations"],
        )
        return "Risk assessment recorded."

    return _step(request, change_id, AssessForm, act)


@require_POST
def decide(request: HttpRequest, change_id: int) -> HttpResponse:
    def act(change, d):
        if d["decision"] == "approve":
            services.approve(
                change=change,
                by=request.user,
                reason=d["reason"],
                expires_on=d["expires_on"],
                permanent_reason=d["permanent_reason"],
                longer_reason=d["longer_reason"],
            )
            return f"{change.reference} approved: the technician will apply it."
        services.reject(change=change, by=request.user, reason=d["reason"])
        return f"{change.reference} rejected; the requester can see your reason."

    return _step(request, change_id, DecideForm, act)


@require_POST
def apply(request: HttpRequest, change_id: int) -> HttpResponse:
    def act(change, d):
        applied_at = d["applied_at"]
        services.apply(change=change, by=request.user, vendor_reference=d["vendor_reference"], applied_at=applied_at)
        return f"{change.reference} recorded as applied."

    return _step(request, change_id, ApplyForm, act)


@require_POST
def revert(request: HttpRequest, change_id: int) -> HttpResponse:
    def act(change, d):
        services.revert(change=change, by=request.user, vendor_reference=d["vendor_reference"], note=d["note"])
        return f"{change.reference} recorded as reverted."

    return _step(request, change_id, RevertForm, act)


# --- The log ------------------------------------------------------------------------------------------


def log(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    before = request.GET.get("before", "")
    events, more = selectors.log_page(school=school, before=as_id(before))
    # Formatted here rather than with template filters: fifty rows of date filters cost more than the query.
    labels = dict(EventKind.choices)
    rows = [
        (
            e.seq,
            timezone.localtime(e.at).strftime("%d %b %Y %H:%M"),
            labels.get(e.kind, e.kind),
            e.change_id,
            e.change_reference,
            e.actor_name,
            e.summary,
            e.hash,
        )
        for e in events
    ]
    return render(
        request,
        "filtering/log.html",
        {
            "events": events,
            "rows": rows,
            "more": more,
            "change_base": reverse("filtering:index") + "changes/",
            "total": selectors.log_head(school=school),
            "first_page": not before,
            **_common(request),
        },
    )


CSV_HEADER = ["seq", "at", "kind", "change", "by", "summary", "hash", "previous hash"]


def _csv_row(e: FilterEvent) -> list[object]:
    return [
        e.seq,
        timezone.localtime(e.at).isoformat(timespec="seconds"),
        e.get_kind_display(),
        e.change_reference,
        e.actor_name,
        e.summary,
        e.hash,
        e.prev_hash,
    ]


def log_csv(request: HttpRequest) -> StreamingHttpResponse:
    school = request.portal.school
    events = (
        FilterEvent.objects.filter(chain=f"school:{school.pk}")
        .order_by("seq")
        .only("seq", "at", "kind", "change_reference", "actor_name", "summary", "hash", "prev_hash")
        .iterator(chunk_size=2000)
    )
    return csv_streaming_response(
        filename=f"filtering-log-{timezone.localdate():%Y-%m-%d}.csv",
        header=CSV_HEADER,
        rows=(_csv_row(e) for e in events),
    )


PDF_MAX_EVENTS = 2000


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def log_pdf(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    today = timezone.localdate()
    start = _date(request.GET.get("from", "")) or today - datetime.timedelta(days=365)
    end = _date(request.GET.get("to", "")) or today
    qs = FilterEvent.objects.filter(chain=f"school:{school.pk}", at__date__gte=start, at__date__lte=end)
    events = list(qs.order_by("seq")[: PDF_MAX_EVENTS + 1])
    pdf = render_pdf(
        template="filtering/pdf/log.html",
        context={
            "school": school,
            "events": events[:PDF_MAX_EVENTS],
            "truncated": len(events) > PDF_MAX_EVENTS,
            "limit": PDF_MAX_EVENTS,
            "start": start,
            "end": end,
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
            "roles": selectors.responsibilities(school=school),
        },
    ).content
    return pdf_response(content=pdf, filename=f"filtering-log-{start}-{end}.pdf")


# --- Responsibilities ---------------------------------------------------------------------------------


def responsibilities(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "filtering/responsibilities.html",
        {
            "roles": selectors.responsibilities(school=school),
            "history": Responsibility.objects.filter(school=school).order_by("role", "-starts_on"),
            **_common(request),
        },
    )


def responsibility_add(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = ResponsibilityForm(
        request.POST or None,
        people=school_selectors.staff_users(school=school),
        initial={"role": request.GET.get("role", "")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_responsibility(
                school=school,
                by=request.user,
                role=d["role"],
                name=d["name"],
                user=d["user"],
                organisation=d["organisation"],
                email=d["email"],
                phone=d["phone"],
                starts_on=d["starts_on"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Responsibility recorded.")
            return redirect("filtering:responsibilities")
    return render(request, "filtering/responsibility_add.html", {"form": form, **_common(request)})


@require_POST
def responsibility_end(request: HttpRequest, responsibility_id: int) -> HttpResponse:
    record = get_object_or_404(Responsibility, pk=responsibility_id, school=request.portal.school)
    ends_on = _date(request.POST.get("ends_on", "")) or timezone.localdate()
    try:
        services.end_responsibility(record=record, by=request.user, ends_on=ends_on)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, f"{record.name}'s role ends on {ends_on:%d %b %Y}. Record who takes over.")
    return redirect("filtering:responsibilities")


# --- Vendor reconciliation ----------------------------------------------------------------------------


def vendor_page(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "filtering/vendor.html",
        {
            "rec": vendor.reconciliation(school=school),
            "imports": VendorImport.objects.filter(school=school).select_related("uploaded_by")[:10],
            **_common(request),
        },
    )


def _guess_action(vendor_action: str) -> str:
    """The vendor's words for a change ("Unblock site", "Add to block list") as allow or block."""
    words = vendor_action.lower()
    if any(w in words for w in ("unblock", "allow", "whitelist", "permit", "exempt", "remove from block")):
        return Action.ALLOW
    return Action.BLOCK if any(w in words for w in ("block", "deny", "blacklist")) else Action.ALLOW


def vendor_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One change in the vendor's log that no approved request explains, and its follow-up."""
    school = request.portal.school
    entry = get_object_or_404(
        VendorEntry.objects.select_related("vendor_import"),
        pk=entry_id,
        school=school,
        is_change=True,
        explained_by__isnull=True,
    )
    done = VendorFollowUp.objects.filter(entry=entry).select_related("by", "change").first()
    chosen = request.POST.get("follow_up", "") if request.method == "POST" else ""
    forms = {
        "retrospective": RetrospectiveForm(
            request.POST if chosen == "retrospective" else None,
            initial={
                "action": _guess_action(entry.action),
                "target_kind": TargetKind.DOMAIN
                if "/" not in services.normalise_target(entry.target)
                else TargetKind.URL,
                "scope": "all_pupils",
            },
        ),
        "incident": VendorIncidentForm(request.POST if chosen == "incident" else None),
        "explained": ExplainForm(request.POST if chosen == "explained" else None),
    }
    if done is None and chosen in forms and forms[chosen].is_valid():
        d = forms[chosen].cleaned_data
        try:
            if chosen == "retrospective":
                done = services.raise_retrospective_request(
                    entry=entry,
                    by=request.user,
                    action=d["action"],
                    target_kind=d["target_kind"],
                    scope=d["scope"],
                    scope_detail=d["scope_detail"],
                    reason=d["reason"],
                    needed_until=d["needed_until"],
                )
                messages.success(request, f"{done.change.reference} raised: it goes to a senior leader for approval.")
            elif chosen == "incident":
                done = services.open_incident_for_vendor_change(
                    entry=entry, by=request.user, description=d["description"], immediate_risk=d["immediate_risk"]
                )
                messages.success(request, f"Concern {done.incident_reference} went to the DSL team.")
            else:
                done = services.explain_vendor_change(entry=entry, by=request.user, reason=d["reason"])
                messages.success(request, "Recorded as explained.")
        except ValidationError as exc:
            add_errors_to_form(forms[chosen], exc, on_fields=False)
        else:
            return redirect("filtering:vendor")
    return render(
        request,
        "filtering/vendor_entry.html",
        {
            "entry": entry,
            "done": done,
            "forms": forms,
            "chosen": chosen,
            "described": services.describe_vendor_entry(entry),
            **_common(request),
        },
    )


def vendor_import(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    saved = vendor.saved_mapping(school)
    form = VendorImportForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "timestamp_column": saved.timestamp,
            "user_column": saved.user,
            "action_column": saved.action,
            "target_column": saved.target,
            "reference_column": saved.reference,
            "product": getattr(VendorMapping.objects.filter(school=school).first(), "product", ""),
        },
    )
    result = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        if upload.size > vendor.MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than 20 MB; export a shorter period.")
        else:
            mapping = vendor.Mapping(
                d["timestamp_column"], d["user_column"], d["action_column"], d["target_column"], d["reference_column"]
            )
            data = upload.read()
            # A workbook with several sheets: the form asks which one (schools/import_views.py does the same).
            if tables.ask_for_sheet(form, data):
                return render(
                    request, "filtering/vendor_import.html", {"form": form, "result": None, **_common(request)}
                )
            result = vendor.import_vendor_log(
                school=school,
                by=request.user,
                data=data,
                filename=upload.name or "vendor.csv",
                mapping=mapping,
                product=d["product"],
                sheet=d.get("sheet", ""),
            )
            if result.ok:
                messages.success(
                    request,
                    f"Imported {counted(result.vendor_import.rows, 'row')}. "
                    f"{counted(result.unexplained, 'change')} no approved request "
                    f"{'explains' if result.unexplained == 1 else 'explain'}.",
                )
                return redirect("filtering:vendor")
    return render(request, "filtering/vendor_import.html", {"form": form, "result": result, **_common(request)})


# --- Checks -------------------------------------------------------------------------------------------


def checks(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    today = timezone.localdate()
    start, end, view = selectors.term_window(school=school, today=today)
    page = Paginator(FilterCheck.objects.filter(school=school).select_related("checked_by"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "filtering/checks.html",
        {
            "coverage": selectors.coverage(school=school, start=start, end=end),
            "term_view": view,
            "page": page,
            **_common(request),
        },
    )


def check_add(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    initial = {k: request.GET.get(k) for k in ("device_type", "location", "user_group") if request.GET.get(k)}
    form = CheckForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_check(
                school=school,
                by=request.user,
                checked_on=d["checked_on"],
                method=d["method"],
                device_type=d["device_type"],
                location=d["location"],
                user_group=d["user_group"],
                passed=d["passed"],
                what_was_tested=d["what_was_tested"],
                failures=d["failures"],
                actions=d["actions"],
                certificate=d["certificate"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Check recorded.")
            return redirect("filtering:checks")
    return render(request, "filtering/check_add.html", {"form": form, **_common(request)})


def check_certificate(request: HttpRequest, check_id: int) -> FileResponse:
    check = get_object_or_404(FilterCheck, pk=check_id, school=request.portal.school)
    if not check.certificate:
        raise Http404
    return FileResponse(
        check.certificate.open("rb"), as_attachment=True, filename=check.certificate_name or "certificate"
    )


# --- Reviews ------------------------------------------------------------------------------------------


def reviews(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    today = timezone.localdate()
    due, rag = selectors.annual_review_due(school=school, today=today)
    return render(
        request,
        "filtering/reviews.html",
        {
            "reviews": FilterReview.objects.filter(school=school).prefetch_related("actions"),
            "open_actions": selectors.open_actions(school=school),
            "due": due,
            "rag": rag,
            "today": today,
            **_common(request),
        },
    )


def review_add(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    roles = {r.role: r.holder.name for r in selectors.responsibilities(school=school) if r.holder}
    form = ReviewForm(
        request.POST or None,
        people=school_selectors.staff_users(school=school),
        initial={
            "kind": "annual",
            "held_on": timezone.localdate(),
            "senior_leader": roles.get("senior_leader", ""),
            "dsl": roles.get("dsl", ""),
            "it_provider": roles.get("it_provider", ""),
            "governor": roles.get("governor", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_review(
                school=school,
                by=request.user,
                kind=d["kind"],
                held_on=d["held_on"],
                findings=d["findings"],
                senior_leader=d["senior_leader"],
                dsl=d["dsl"],
                it_provider=d["it_provider"],
                governor=d["governor"],
                others=d["others"],
                trigger=d["trigger"],
                trigger_detail=d["trigger_detail"],
                actions=d["actions"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Review recorded.")
            return redirect("filtering:reviews")
    return render(request, "filtering/review_add.html", {"form": form, **_common(request)})


@require_POST
def review_action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        ReviewAction.objects.select_related("review__school"), pk=action_id, review__school=request.portal.school
    )
    services.complete_action(action=action, by=request.user)
    messages.success(request, f"Done: {action.text}")
    return redirect(reverse("filtering:reviews"))
