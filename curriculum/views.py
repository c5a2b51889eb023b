"""Thin views: forms in, services and selectors out. Access is the middleware's (URL_RULES) plus the object
rules in ``policy`` and the school scoping of every query here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.models import User
from safeguarding_portal.accounts.policy import Cap, Role
from safeguarding_portal.core.csvexport import csv_response
from safeguarding_portal.core.formerrors import add_errors_to_form
from safeguarding_portal.core.ids import as_id
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.schools.calendar import academic_year_label, academic_year_of
from safeguarding_portal.schools.models import FlagGroup, YearGroup

from . import selectors, services, standards, training
from .constants import CERTIFICATE_TYPES, DOCUMENT_TYPES, TRAINED_ROLES, Strand
from .forms import (
    BriefingForm,
    EventForm,
    LessonForm,
    MappingForm,
    PolicyForm,
    RequirementForm,
    TrainingRecordForm,
    TrustStandardForm,
    UnitForm,
)
from .models import (
    BriefingSession,
    Event,
    Gap,
    Policy,
    TrainingRecord,
    TrainingRequirement,
    TrustTrainingStandard,
    Unit,
)


def _school(request: HttpRequest):
    school = request.portal.school
    if school is None:
        raise Http404("Choose a school first.")
    return school


# --- Hub ----------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    portal = request.portal
    row = selectors.person_row(school=school, user=request.user)
    context = {"row": row}
    if portal.can(Cap.VIEW_CURRICULUM):
        context["open_gaps"] = selectors.open_gap_count(school=school)
    if portal.can(Cap.MANAGE_TRAINING):
        context["matrix_totals"] = selectors.matrix(school=school).totals()
    return render(request, "curriculum/index.html", context)


# --- Training -----------------------------------------------------------------------------------------


def my_training(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    row = selectors.person_row(school=school, user=request.user)
    return render(
        request,
        "curriculum/my_training.html",
        {
            "row": row,
            "records": selectors.records_of(school=school, user=request.user),
            "person": request.user,
        },
    )


def _record_form_view(request: HttpRequest, *, person: User, template: str, done_url: str, extra: dict) -> HttpResponse:
    school = _school(request)
    row = selectors.person_row(school=school, user=person)
    roles = row.roles if row else []
    form = TrainingRecordForm(request.POST or None, request.FILES or None, school=school, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.training_record(
                school=school,
                user=person,
                requirement=data["requirement"],
                course=data["course"],
                provider=data["provider"],
                completed_on=data["completed_on"],
                hours=data["hours"],
                certificate=data.get("certificate"),
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"Recorded: {data['requirement'].name} on {data['completed_on']:%-d %B %Y}.")
            return redirect(done_url)
    return render(request, template, {"form": form, "row": row, "person": person, **extra})


def my_training_add(request: HttpRequest) -> HttpResponse:
    return _record_form_view(
        request,
        person=request.user,
        template="curriculum/record_form.html",
        done_url=reverse("curriculum:my_training"),
        extra={"own": True},
    )


def certificate(request: HttpRequest, record_id: int) -> HttpResponse:
    school = _school(request)
    record = get_object_or_404(TrainingRecord, pk=record_id, school=school)
    if not policy.can_view_training_record(request.portal, record) or not record.certificate:
        raise Http404("No such certificate.")
    return _download(
        record.certificate,
        content_type=record.certificate_type,
        filename=f"certificate-{record.pk}{_ext(record.certificate_type)}",
    )


def _download(field, *, content_type: str, filename: str) -> HttpResponse:
    """A stored file as an attachment. Read whole (uploads are capped at 10 MB), so the response is an
    ordinary one that middleware and the access tests can inspect like any page."""
    with field.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _ext(content_type: str) -> str:
    return CERTIFICATE_TYPES.get(content_type) or DOCUMENT_TYPES.get(content_type, "")


def matrix(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    state = request.GET.get("state", "")
    role = request.GET.get("role", "")
    if state not in training.STATE_LABELS:
        state = ""
    if role not in Role.values:
        role = ""
    result = selectors.matrix(school=school, state=state, role=role)
    # One reverse() for the page; each row fills in its person's id.
    person_url = reverse("curriculum:person", args=[0]).removesuffix("0/")
    return render(
        request,
        "curriculum/matrix.html",
        {
            "rows_html": [row.tr(person_url) for row in result.rows],
            "matrix": result,
            "state": state,
            "role": role,
            "states": training.STATE_LABELS,
            "roles": [(r.value, r.label) for r in TRAINED_ROLES],
            "totals": result.totals(),
        },
    )


def matrix_csv(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    result = selectors.matrix(school=school)
    header = ["Name", "Email", "Role", "Job title"]
    for req in result.requirements:
        header += [f"{req.name}: status", f"{req.name}: last done", f"{req.name}: expires"]

    def rows():
        for row in result.rows:
            line = [row.user.full_name, row.user.email, row.role_labels, row.job_title]
            for cell in row.cells:
                line += [
                    cell.label,
                    cell.last_done.isoformat() if cell.last_done else "",
                    cell.expires_on.isoformat() if cell.expires_on else "",
                ]
            yield line

    return csv_response(filename=f"training-{school.urn}-{result.today:%Y-%m-%d}.csv", header=header, rows=rows())


def person(request: HttpRequest, user_id: int) -> HttpResponse:
    school = _school(request)
    if not selectors.is_trained_member(school=school, user_id=user_id):
        raise Http404("Nobody with that record works at this school.")
    subject = get_object_or_404(User, pk=user_id)
    url = reverse("curriculum:person", args=[subject.pk])
    return _record_form_view(
        request,
        person=subject,
        template="curriculum/person.html",
        done_url=url,
        extra={"records": selectors.records_of(school=school, user=subject), "own": False},
    )


def briefing_new(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    services.requirements_ensure_defaults(school=school)
    people = selectors.trained_people(school=school, today=timezone.localdate())
    annual = selectors.requirement_by_key(school=school, key="annual_update")
    form = BriefingForm(
        request.POST or None,
        school=school,
        people=people,
        initial={"requirement": annual, "delivered_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.briefing_record(
                school=school,
                requirement=data["requirement"],
                title=data["title"],
                provider=data["provider"],
                delivered_on=data["delivered_on"],
                hours=data["hours"],
                notes=data["notes"],
                attendee_ids=[int(a) for a in data["attendees"]],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"Briefing recorded for {session.attendance.count()} people.")
            return redirect("curriculum:briefing", briefing_id=session.pk)
    return render(request, "curriculum/briefing_form.html", {"form": form})


def briefing(request: HttpRequest, briefing_id: int) -> HttpResponse:
    school = _school(request)
    session = get_object_or_404(
        BriefingSession.objects.select_related("requirement", "recorded_by"), pk=briefing_id, school=school
    )
    attendance = selectors.briefing_attendance(session=session)
    return render(request, "curriculum/briefing.html", {"session": session, "attendance": attendance})


def requirements(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    return render(
        request,
        "curriculum/requirements.html",
        {
            "requirements": selectors.requirements(school=school, active_only=False),
            "adoptions": selectors.school_view(school=school),
        },
    )


def _requirement_form(request: HttpRequest, instance: TrainingRequirement) -> HttpResponse:
    form = RequirementForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.requirement_save(school=instance.school, form=form)
        messages.success(request, f"Saved “{form.instance.name}”. Every record's expiry follows the new cycle.")
        return redirect("curriculum:requirements")
    return render(
        request,
        "curriculum/form.html",
        {
            "form": form,
            "title": "Training requirement",
            "back": "curriculum:requirements",
            "intro": "Who must have this training and how often. Expiry dates of existing records follow any change.",
        },
    )


def requirement_add(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    services.requirements_ensure_defaults(school=school)
    return _requirement_form(request, TrainingRequirement(school=school, order=99))


def requirement_edit(request: HttpRequest, requirement_id: int) -> HttpResponse:
    school = _school(request)
    return _requirement_form(request, get_object_or_404(TrainingRequirement, pk=requirement_id, school=school))


# --- Teaching -----------------------------------------------------------------------------------------


def log_lesson(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    initial = {"taught_on": timezone.localdate()}
    last = selectors.lessons_by(school=school, user=request.user, limit=1)
    if last:
        # Most teachers teach the same class again: start from where they left off.
        initial |= {"year_group": last[0].year_group, "class_name": last[0].class_name}
    # From a gap's "Log the lesson" link: its year group and strand, and no class from another year group.
    asked_year, asked_strand = request.GET.get("year_group", ""), request.GET.get("strand", "")
    if asked_year in YearGroup.values and asked_year != initial.get("year_group"):
        initial |= {"year_group": asked_year, "class_name": ""}
    if asked_strand in Strand.values:
        initial["strands"] = [asked_strand]
    form = LessonForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson, closed = services.lesson_log(
                school=school,
                taught_by=request.user,
                taught_on=data["taught_on"],
                year_group=data["year_group"],
                strands=data["strands"],
                unit=data["unit"],
                class_name=data["class_name"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            text = f"Logged: {lesson.get_year_group_display()}, {lesson.taught_on:%-d %B}."
            if closed:
                text += (
                    " This closes the curriculum gap"
                    + ("s" if len(closed) > 1 else "")
                    + " on "
                    + ", ".join(g.get_strand_display().lower() for g in closed)
                    + "."
                )
            messages.success(request, text)
            return redirect("curriculum:log_lesson")
    units = {u.pk: {"strands": u.strands, "year_groups": u.year_groups} for u in form.fields["unit"].queryset}
    return render(
        request,
        "curriculum/log_lesson.html",
        {
            "form": form,
            "lessons": selectors.lessons_by(school=school, user=request.user, limit=10),
            "units_json": units,
        },
    )


def heatmap(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    this_year = academic_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if not this_year - 5 <= year <= this_year:
        year = this_year
    flag_group = request.GET.get("flag", "")
    flag_group = flag_group if flag_group in FlagGroup.values else ""
    result = selectors.heatmap(school=school, academic_year=year, flag_group=flag_group)
    return render(
        request,
        "curriculum/heatmap.html",
        {
            "flag_groups": FlagGroup.choices,
            "flag_group_label": FlagGroup(flag_group).label if flag_group else "",
            # How many pupils of each year group have the flag: counts only, 1 and 2 as "fewer than 3".
            "flagged": {yg: small_count(n) for yg, n in result.flagged_pupils.items()},
            "heatmap": result,
            "strands": [Strand(s) for s in result.strands],
            "year_label": academic_year_label(year),
            "years": [(y, academic_year_label(y)) for y in range(this_year, this_year - 3, -1)],
            "year": year,
            "can_manage": request.portal.can(Cap.MANAGE_CURRICULUM),
        },
    )


def units(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    return render(
        request,
        "curriculum/units.html",
        {
            "units": selectors.units(school=school),
            "can_manage": request.portal.can(Cap.MANAGE_CURRICULUM),
        },
    )


def _unit_form(request: HttpRequest, instance: Unit) -> HttpResponse:
    form = UnitForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.unit_save(school=instance.school, form=form)
        messages.success(request, f"Saved the unit “{form.instance.title}”.")
        return redirect("curriculum:units")
    return render(
        request,
        "curriculum/form.html",
        {
            "form": form,
            "title": "Planned unit",
            "back": "curriculum:units",
            "intro": "A unit from your scheme of work (Kapow, a PSHE programme, your own) and the strands it teaches.",
        },
    )


def unit_add(request: HttpRequest) -> HttpResponse:
    return _unit_form(request, Unit(school=_school(request)))


def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _unit_form(request, get_object_or_404(Unit, pk=unit_id, school=_school(request)))


def events(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    return render(
        request,
        "curriculum/events.html",
        {
            "events": selectors.events(school=school),
            "can_manage": request.portal.can(Cap.MANAGE_CURRICULUM),
        },
    )


def event_add(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = EventForm(request.POST or None, instance=Event(school=school), initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.event_record(school=school, user=request.user, form=form)
        messages.success(request, f"Recorded “{form.instance.title}”.")
        return redirect("curriculum:events")
    return render(
        request,
        "curriculum/form.html",
        {
            "form": form,
            "title": "Record an event",
            "back": "curriculum:events",
            "intro": "Safer Internet Day, a parent workshop, an assembly or a visiting speaker: who it was for and "
            "how many came.",
        },
    )


# --- Gaps ---------------------------------------------------------------------------------------------


def gaps(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    items = selectors.gaps(school=school)
    return render(
        request,
        "curriculum/gaps.html",
        {
            "open": [g for g in items if g.is_open],
            "closed": [g for g in items if not g.is_open][:30],
            "threshold": selectors.gap_threshold(school=school),
            "can_manage": request.portal.can(Cap.MANAGE_CURRICULUM),
        },
    )


def gap(request: HttpRequest, gap_id: int) -> HttpResponse:
    school = _school(request)
    item = get_object_or_404(Gap.objects.select_related("term", "school", "closed_by_lesson"), pk=gap_id, school=school)
    return render(request, "curriculum/gap.html", {"gap": item, "evidence": selectors.gap_evidence(gap=item)})


def mapping(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    current = selectors.category_map(school=school)
    threshold = selectors.gap_threshold(school=school)
    form = MappingForm(request.POST or None, mapping=current, threshold=threshold)
    if request.method == "POST" and form.is_valid():
        raised = services.category_map_save(
            school=school, mapping=form.mapping(), threshold=form.cleaned_data["threshold"]
        )
        text = "Saved the map and the threshold."
        if raised:
            text += f" {len(raised)} new gap{'s' if len(raised) != 1 else ''} raised from this term's incidents."
        messages.success(request, text)
        return redirect("curriculum:gaps")
    fields = [form[f"map_{c}"] for c in current]
    return render(request, "curriculum/mapping.html", {"form": form, "category_fields": fields})


# --- Policy register ----------------------------------------------------------------------------------


def policies(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    return render(
        request,
        "curriculum/policies.html",
        {
            "rows": selectors.policy_register(school=school),
            "can_manage": request.portal.can(Cap.MANAGE_POLICIES),
        },
    )


def _policy_form(request: HttpRequest, instance: Policy) -> HttpResponse:
    school = _school(request)
    form = PolicyForm(request.POST or None, request.FILES or None, instance=instance, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(
                policy=form.instance, by=request.user, document=form.cleaned_data.get("document_upload")
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(
                request, f"Saved “{form.instance.title}”: next review due {form.instance.next_review_due:%-d %B %Y}."
            )
            return redirect("curriculum:policies")
    return render(
        request,
        "curriculum/form.html",
        {
            "form": form,
            "title": "Policy",
            "back": "curriculum:policies",
            "multipart": True,
            "intro": "Who approved it and when, how often it is reviewed (or by when), who is responsible, and the "
            "current document.",
        },
    )


def policy_add(request: HttpRequest) -> HttpResponse:
    return _policy_form(request, Policy(school=_school(request)))


def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _policy_form(request, get_object_or_404(Policy, pk=policy_id, school=_school(request)))


def policy_document(request: HttpRequest, policy_id: int) -> HttpResponse:
    item = get_object_or_404(Policy, pk=policy_id, school=_school(request))
    if not item.document:
        raise Http404("No document has been uploaded for this policy yet.")
    return _download(
        item.document, content_type=item.document_type, filename=f"{item.title[:80]}{_ext(item.document_type)}"
    )


# --- The trust's training standards (curriculum.standards) ----------------------------------------------


def trust_standards(request: HttpRequest) -> HttpResponse:
    """The trust lead's view: each standard and every school's state (as the trust's, differs, behind)."""
    trust = request.portal.trust
    if trust is None:
        raise Http404("No trust.")
    return render(
        request,
        "curriculum/trust_standards.html",
        {
            "trust": trust,
            **selectors.trust_view(trust=trust),
            "words": standards.STATE_WORDS,
            "can_publish": request.portal.can(Cap.MANAGE_TRUST),
        },
    )


def trust_standard_publish(request: HttpRequest) -> HttpResponse:
    trust = request.portal.trust
    if trust is None:
        raise Http404("No trust.")
    existing = None
    if request.GET.get("standard"):
        # As the trust's template pages do: an id that is not a number names no standard (not a server error).
        standard_id = as_id(request.GET["standard"])
        if standard_id is None:
            raise Http404("No such standard.")
        existing = get_object_or_404(TrustTrainingStandard, pk=standard_id, trust=trust)
    initial = (
        {
            "name": existing.name,
            "roles": existing.roles,
            "renew_months": existing.renew_months,
            "guidance": existing.guidance,
        }
        if existing
        else None
    )
    form = TrustStandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_publish(trust=trust, by=request.user, standard=existing, **form.cleaned_data)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Published “{standard.name}” (version {standard.version}) to the trust's "
                "schools. Each school takes it from its training requirements page.",
            )
            return redirect("curriculum:trust_standards")
    return render(
        request,
        "curriculum/form.html",
        {
            "form": form,
            "title": "Trust training standard",
            "back": "curriculum:trust_standards",
            "intro": "Who must have this training and how often, for every school of the trust. A change is published "
            "as a new version: schools that took an earlier one show as behind until they take it.",
        },
    )


@require_POST
def standard_adopt(request: HttpRequest, standard_id: int) -> HttpResponse:
    school = _school(request)
    standard = get_object_or_404(TrustTrainingStandard, pk=standard_id, trust_id=school.trust_id)
    req = services.standard_adopt(school=school, standard=standard, by=request.user)
    messages.success(request, f"“{req.name}” now follows the trust's version {standard.version}.")
    return redirect("curriculum:requirements")
