from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.selectors import views_of
from safeguarding_portal.audit.services import audit_record, record_view

from . import selectors
from .forms import ContactFormSet, SchoolDetailsForm, TermFormSet
from .models import Pupil, YearGroup


def school_settings(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = SchoolDetailsForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            action=AuditAction.SCHOOL_UPDATED,
            request=request,
            obj=school,
            summary="School details changed",
            detail={"fields": form.changed_data},
        )
        messages.success(request, "School details saved.")
        return redirect("schools:settings")
    return render(
        request,
        "schools/settings.html",
        {
            "form": form,
            "school": school,
            "terms": school.terms.order_by("starts_on"),
            "contacts": selectors.emergency_contacts(school=school),
            "team": selectors.safeguarding_team(school=school),
        },
    )


def contacts_edit(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    formset = ContactFormSet(request.POST or None, instance=school, prefix="contacts")
    if request.method == "POST" and formset.is_valid():
        formset.save()
        audit_record(
            action=AuditAction.SCHOOL_UPDATED, request=request, obj=school, summary="Safeguarding contacts changed"
        )
        messages.success(request, "Contacts saved.")
        return redirect("schools:settings")
    return render(request, "schools/contacts_edit.html", {"formset": formset})


def terms_edit(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    formset = TermFormSet(
        request.POST or None, instance=school, prefix="terms", queryset=school.terms.order_by("starts_on")
    )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        audit_record(action=AuditAction.SCHOOL_UPDATED, request=request, obj=school, summary="Term dates changed")
        messages.success(request, "Term dates saved.")
        return redirect("schools:settings")
    return render(request, "schools/terms_edit.html", {"formset": formset})


def pupil_list(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    query = request.GET.get("q", "").strip()
    year = request.GET.get("year", "")
    if year not in YearGroup.values:
        year = ""
    include_left = request.GET.get("left") == "1"
    page = Paginator(
        selectors.pupils(school=school, query=query, year_group=year, include_left=include_left), 50
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "year": year,
        "include_left": include_left,
        "year_groups": YearGroup.choices,
        "year_counts": selectors.year_group_counts(school=school),
    }
    template = "schools/_pupil_rows.html" if request.htmx else "schools/pupil_list.html"
    return render(request, template, context)


def pupil_detail(request: HttpRequest, pupil_id: int) -> HttpResponse:
    try:
        pupil = selectors.pupil_with_guardians(school=request.portal.school, pupil_id=pupil_id)
    except Pupil.DoesNotExist:
        raise Http404("No such pupil at this school") from None
    record_view(request=request, obj=pupil, summary=f"Pupil record {pupil.upn}")
    return render(
        request,
        "schools/pupil_detail.html",
        {
            "pupil": pupil,
            "views": views_of(obj=pupil)[:20],
        },
    )


def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "schools/staff_list.html", {"members": selectors.staff(school=request.portal.school)})


def trust_overview(request: HttpRequest) -> HttpResponse:
    trust = request.portal.trust
    rows = selectors.trust_overview(trust=trust)
    return render(
        request,
        "schools/trust_overview.html",
        {
            "trust": trust,
            "rows": rows,
            "total_pupils": sum(r["pupils_on_roll"] for r in rows),
        },
    )
