"""The school's retention schedule (see it, change a period, take the trust's), its legal holds, and the monthly
disposal batches the DSL and the headteacher review and approve."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.selectors import school_view

from . import disposal, selectors, services
from .forms import HoldForm, LiftForm, RemoveForm
from .models import BatchStatus, DisposalBatch
from .registry import MAX_YEARS, MIN_YEARS


def schedule(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    entries = selectors.schedule(school=school)
    errors: dict[str, str] = {}
    values = {e.kind.name: str(e.years) for e in entries}
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "").strip()[:300]
        wanted: dict[str, int] = {}
        for entry in entries:
            raw = request.POST.get(f"years-{entry.kind.name}", "").strip()
            values[entry.kind.name] = raw
            if not raw.isdigit() or not MIN_YEARS <= int(raw) <= MAX_YEARS:
                errors[entry.kind.name] = f"A whole number of years from {MIN_YEARS} to {MAX_YEARS}."
            else:
                wanted[entry.kind.name] = int(raw)
        if not errors:
            changed = [e for e in entries if wanted[e.kind.name] != e.years]
            try:
                for entry in changed:
                    services.period_set(
                        school=school,
                        user=request.user,
                        kind=entry.kind.name,
                        years=wanted[entry.kind.name],
                        note=note,
                        origin=origin_of(request),
                    )
            except ValidationError as exc:
                errors["__all__"] = "; ".join(error_messages(exc))
            else:
                messages.success(
                    request, f"Retention schedule saved ({len(changed)} changed)." if changed else "Nothing changed."
                )
                return redirect("retention:schedule")

    rows = [{"entry": e, "value": values[e.kind.name], "error": errors.get(e.kind.name)} for e in entries]
    return render(
        request,
        "retention/schedule.html",
        {
            "rows": rows,
            "note": note,
            "form_error": errors.get("__all__"),
            "min_years": MIN_YEARS,
            "max_years": MAX_YEARS,
            "standings": school_view(school=school, kind_name="retention.schedule"),
        },
        status=400 if errors else 200,
    )


@require_POST
def adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    """Take the trust's retention schedule (safeguarding_portal.standards); each period changed is recorded."""
    school = request.portal.school
    template = standards.template_for_school(school=school, kind="retention.schedule", template_id=template_id)
    standards.template_adopt(school=school, template=template, by=request.user, origin=origin_of(request))
    messages.success(request, f"The retention schedule now follows the trust's version {template.version}.")
    return redirect("retention:schedule")


# --- legal holds ---------------------------------------------------------------------------------------------


def holds(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(selectors.holds(school=request.portal.school))
    standing = [h for h in rows if h.stands(today)]
    ended = [h for h in rows if not h.stands(today)]
    return render(request, "retention/holds.html", {"standing": standing, "ended": ended})


def hold_place(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = HoldForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hold_place(
                school=school,
                user=request.user,
                scope=data["scope"],
                reason=data["reason"],
                detail=data["detail"],
                kind=data["kind"],
                pupil=data["pupil"],
                record_label=data["record_label"],
                ends_on=data["ends_on"],
                origin=origin_of(request),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "Legal hold placed: nothing it covers will be disposed of while it stands.")
            return redirect("retention:holds")
    return render(request, "retention/hold_place.html", {"form": form}, status=400 if form.errors else 200)


def hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    school = request.portal.school
    hold = get_object_or_404(selectors.holds(school=school), pk=hold_id)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hold_lift(
                school=school,
                user=request.user,
                hold=hold,
                reason=form.cleaned_data["reason"],
                origin=origin_of(request),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "Legal hold lifted.")
            return redirect("retention:holds")
    return render(request, "retention/hold_lift.html", {"hold": hold, "form": form}, status=400 if form.errors else 200)


# --- disposal batches ----------------------------------------------------------------------------------------


def batches(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/batches.html", {"batches": selectors.batches(school=request.portal.school)})


def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    school = request.portal.school
    found = get_object_or_404(DisposalBatch.objects.filter(school=school), pk=batch_id)
    approvals = list(found.approvals.select_related("user"))
    standing = [a for a in approvals if a.withdrawn_at is None]
    return render(
        request,
        "retention/batch.html",
        {
            "batch": found,
            "items": found.items.select_related("removed_by"),
            "approvals": approvals,
            "standing": standing,
            "mine": any(a.user_id == request.user.pk for a in standing),
            "tombstones": selectors.tombstones(batch=found) if found.status == BatchStatus.DISPOSED else [],
            "remove_form": RemoveForm(),
        },
    )


@require_POST
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    school = request.portal.school
    found = get_object_or_404(DisposalBatch.objects.filter(school=school), pk=batch_id)
    try:
        disposal.batch_approve(school=school, user=request.user, batch=found, origin=origin_of(request))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        found.refresh_from_db()
        messages.success(
            request,
            "Approved. The records have been disposed of: their tombstones are below."
            if found.status == BatchStatus.DISPOSED
            else "Approved. Disposal runs when the other approval is given.",
        )
    return redirect("retention:batch", batch_id=found.pk)


@require_POST
def item_remove(request: HttpRequest, batch_id: int, item_id: int) -> HttpResponse:
    school = request.portal.school
    found = get_object_or_404(DisposalBatch.objects.filter(school=school), pk=batch_id)
    get_object_or_404(found.items, pk=item_id)
    try:
        item = disposal.item_remove(
            school=school,
            user=request.user,
            batch=found,
            item_id=item_id,
            reason=request.POST.get("reason", ""),
            origin=origin_of(request),
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"{item.label} taken off the list; it is kept.")
    return redirect("retention:batch", batch_id=found.pk)
