"""Searches of pupils' devices: the list, the record form, one search with its follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.audit.services import record_view
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.schools.models import Pupil

from . import searches
from .categories import NO_ATTACHMENT_GUIDANCE
from .forms import DeviceSearchFollowUpForm, DeviceSearchForm
from .models import DeviceOutcome, DeviceSearch, DeviceSearchEntryKind


def search_list(request: HttpRequest) -> HttpResponse:
    rows = list(searches.searches(school=request.portal.school)[:200])
    return render(request, "incidents/device_searches.html", {"searches": rows})


def search_new(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    school = portal.school
    form = DeviceSearchForm(
        request.POST or None,
        pupils=Pupil.objects.on_roll().filter(school=school).order_by("surname", "legal_forename"),
        people=searches.staff_people(school=school),
        cases=searches.cases_to_link(portal=portal),
        initial={
            "searched_at": timezone.localtime().replace(second=0, microsecond=0),
            "case": request.GET.get("case", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        new_case = searches.NewCase(d["new_case_category"], d["immediate_risk"]) if d["new_case_category"] else None
        try:
            search = searches.search_record(
                school=school,
                by=request.user,
                pupil=d["pupil"],
                searched_at=d["searched_at"],
                device=d["device"],
                authorised_by=d["authorised_by"],
                authority=d["authority"],
                searched_by=d["searched_by"],
                witness=d["witness"],
                no_witness_reason=d["no_witness_reason"],
                grounds=d["grounds"],
                reason=d["reason"],
                looked_at=d["looked_at"],
                found=d["found"],
                child_at_risk=d["child_at_risk"],
                deleted=d["deleted"],
                deleted_what=d["deleted_what"],
                deletion_reason=d["deletion_reason"],
                parents_informed=d["parents_informed"],
                parents_note=d["parents_note"],
                outcome=d["outcome"],
                incident=d["case"],
                new_case=new_case,
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            if search.child_at_risk:
                messages.success(
                    request, f"Search recorded and passed to the DSL team on case {search.incident.reference}."
                )
            else:
                messages.success(request, "Search recorded.")
            return redirect("incidents:device_search", search_id=search.pk)
    return render(
        request,
        "incidents/device_search_new.html",
        {
            "form": form,
            "policy_powers": searches.POLICY_POWERS,
            "policy_risk": searches.POLICY_RISK,
            "never_delete": searches.NEVER_DELETE,
            "no_image": NO_ATTACHMENT_GUIDANCE,
        },
    )


def _search(request: HttpRequest, search_id: int) -> DeviceSearch:
    return get_object_or_404(
        searches.searches(school=request.portal.school).select_related("authorised_by", "witness", "recorded_by"),
        pk=search_id,
    )


def search_detail(request: HttpRequest, search_id: int) -> HttpResponse:
    search = _search(request, search_id)
    record_view(request=request, obj=search, summary=f"Device search {search.pk} opened")
    entries = list(search.entries.select_related("author").order_by("seq"))
    outcome = searches.current_outcome(search)
    return render(
        request,
        "incidents/device_search.html",
        {
            "s": search,
            "entries": entries,
            "outcome": DeviceOutcome(outcome).label,
            "still_held": outcome == DeviceOutcome.HELD,
            "informed": search.parents_informed
            or any(e.kind == DeviceSearchEntryKind.PARENTS_INFORMED for e in entries),
            "form": DeviceSearchFollowUpForm(),
        },
    )


@require_POST
def search_act(request: HttpRequest, search_id: int) -> HttpResponse:
    search = _search(request, search_id)
    form = DeviceSearchFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That could not be recorded.")
        return redirect("incidents:device_search", search_id=search.pk)
    d = form.cleaned_data
    try:
        if d["kind"] == "parents":
            searches.search_parents_informed(search=search, by=request.user, text=d["text"])
        elif d["kind"] == "outcome":
            searches.search_outcome(search=search, by=request.user, outcome=d["outcome"], text=d["text"])
        else:
            searches.search_note(search=search, by=request.user, text=d["text"])
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, "Recorded.")
    return redirect("incidents:device_search", search_id=search.pk)
