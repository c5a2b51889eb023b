from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.selectors import views_of
from safeguarding_portal.audit.services import origin_of, record_view
from safeguarding_portal.core.formerrors import add_errors_to_form
from safeguarding_portal.core.ids import as_id
from safeguarding_portal.reports.views import trust_dashboard

from . import selectors, services
from .forms import (
    ContactFormSet,
    FlagDatesForm,
    FlagForm,
    NewContactFormSet,
    NewSchoolForm,
    NewTermFormSet,
    SchoolDetailsForm,
    TermFormSet,
)
from .importer import TEMPLATE_HEADERS
from .models import Pupil, PupilFlag, School, YearGroup


def school_settings(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = SchoolDetailsForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        services.school_details_save(school=school, user=request.user, form=form, origin=origin_of(request))
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
        services.school_contacts_save(school=school, user=request.user, formset=formset, origin=origin_of(request))
        messages.success(request, "Contacts saved.")
        return redirect("schools:settings")
    return render(request, "schools/contacts_edit.html", {"formset": formset})


def terms_edit(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    formset = TermFormSet(
        request.POST or None, instance=school, prefix="terms", queryset=school.terms.order_by("starts_on")
    )
    if request.method == "POST" and formset.is_valid():
        services.school_terms_save(school=school, user=request.user, formset=formset, origin=origin_of(request))
        messages.success(request, "Term dates saved.")
        return redirect("schools:settings")
    return render(request, "schools/terms_edit.html", {"formset": formset})


def pupil_list(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    query = request.GET.get("q", "").strip()
    year = request.GET.get("year", "")
    if year not in YearGroup.values:
        year = ""
    # Pupils who have left stay reachable by the DSL team, who keep their records: a name typed finds them too
    # (marked "Left on <date>"), and the box lists them all. Others see the pupils on roll.
    keeps_leavers = request.portal.can(Cap.TRIAGE)
    include_left = keeps_leavers and (request.GET.get("left") == "1" or bool(query))
    page = Paginator(
        selectors.pupils(school=school, query=query, year_group=year, include_left=include_left), 50
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "year": year,
        "include_left": include_left,
        "keeps_leavers": keeps_leavers,
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
    flags = None
    if request.portal.can(Cap.VIEW_VULNERABILITY_FLAGS):
        flags = selectors.current_flags(school=request.portal.school, pupil_ids=[pupil.pk]).get(pupil.pk, [])
    return render(
        request,
        "schools/pupil_detail.html",
        {
            "pupil": pupil,
            "views": views_of(obj=pupil)[:20],
            "flags": flags,
        },
    )


def pupil_flags(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The DSL team's view of a pupil's flags, every period, where they add, re-date or remove one."""
    school = request.portal.school
    try:
        pupil = selectors.pupil_with_guardians(school=school, pupil_id=pupil_id)
    except Pupil.DoesNotExist:
        raise Http404("No such pupil at this school") from None
    add_form = FlagForm(prefix="add")
    failed: dict[int, FlagDatesForm] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        flag = None
        if action in ("change", "remove"):
            flag = PupilFlag.objects.filter(pupil=pupil, pk=as_id(request.POST.get("flag")) or 0).first()
            if flag is None:
                raise Http404("No such flag for this pupil")
        try:
            if action == "add":
                add_form = FlagForm(request.POST, prefix="add")
                if add_form.is_valid():
                    services.flag_add(
                        school=school,
                        user=request.user,
                        pupil=pupil,
                        origin=origin_of(request),
                        **add_form.cleaned_data,
                    )
                    messages.success(request, "Flag added.")
                    return redirect("schools:pupil_flags", pupil_id=pupil.pk)
            elif action == "change":
                form = FlagDatesForm(request.POST, prefix=f"flag{flag.pk}")
                if form.is_valid():
                    services.flag_change(
                        school=school, user=request.user, flag=flag, origin=origin_of(request), **form.cleaned_data
                    )
                    messages.success(request, "Flag dates saved.")
                    return redirect("schools:pupil_flags", pupil_id=pupil.pk)
                failed[flag.pk] = form
            elif action == "remove":
                services.flag_remove(school=school, user=request.user, flag=flag, origin=origin_of(request))
                messages.success(request, "Flag removed.")
                return redirect("schools:pupil_flags", pupil_id=pupil.pk)
        except ValidationError as exc:
            target = (
                add_form
                if action == "add"
                else failed.setdefault(flag.pk, FlagDatesForm(request.POST, prefix=f"flag{flag.pk}"))
            )
            add_errors_to_form(target, exc, on_fields=False)
    record_view(request=request, obj=pupil, summary=f"Vulnerability flags of pupil {pupil.upn}")
    periods = [
        (
            flag,
            failed.get(flag.pk)
            or FlagDatesForm(prefix=f"flag{flag.pk}", initial={"starts_on": flag.starts_on, "ends_on": flag.ends_on}),
        )
        for flag in selectors.pupil_flags(school=school, pupil=pupil)
    ]
    current = {f.pk for f in selectors.current_flags(school=school, pupil_ids=[pupil.pk]).get(pupil.pk, [])}
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "schools/pupil_flags.html",
        {"pupil": pupil, "periods": periods, "current": current, "add_form": add_form},
        status=status,
    )


def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "schools/staff_list.html", {"members": selectors.staff(school=request.portal.school)})


def trust_overview(request: HttpRequest) -> HttpResponse:
    """The trust lead's home: the trust dashboard (reports.school_figures), one row per school."""
    return trust_dashboard(request)


def trust_school_add(request: HttpRequest) -> HttpResponse:
    """The trust lead adds a school: details, term dates, contacts and (optionally) the staff list."""
    trust = request.portal.trust
    if trust is None:
        raise Http404("No trust.")
    data = request.POST if request.method == "POST" else None
    form = NewSchoolForm(data, request.FILES if data is not None else None)
    terms = NewTermFormSet(data, prefix="terms", instance=School())
    contacts = NewContactFormSet(data, prefix="contacts", instance=School())
    if data is not None and form.is_valid() and terms.is_valid() and contacts.is_valid():
        origin = origin_of(request)
        school = services.school_add(
            trust=trust, form=form, terms=terms, contacts=contacts, user=request.user, origin=origin
        )
        upload = form.cleaned_data.get("staff_file")
        if upload:
            run = services.staff_import(school=school, upload=upload, user=request.user, origin=origin)
            if run.applied:
                messages.success(request, f"{school.name} added, with its staff list ({run.created} new).")
            else:
                messages.warning(
                    request,
                    f"{school.name} added, but its staff list was not imported: "
                    f"{run.error_count} row(s) need correcting. Its staff can import it again.",
                )
        else:
            messages.success(request, f"{school.name} added to the trust.")
        return redirect("reports:trust_school", school_id=school.pk)

    columns = ",".join(TEMPLATE_HEADERS["staff"])
    return render(
        request,
        "schools/trust_school_add.html",
        {"trust": trust, "form": form, "terms": terms, "contacts": contacts, "staff_columns": columns},
    )
