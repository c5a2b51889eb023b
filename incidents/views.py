from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.selectors import view_summary, views_of
from safeguarding_portal.audit.services import audit_record, record_view
from safeguarding_portal.core.csvexport import csv_response
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.ids import as_id, as_ids
from safeguarding_portal.core.ratelimits import limited
from safeguarding_portal.retention.models import Tombstone
from safeguarding_portal.schools import selectors as school_selectors
from safeguarding_portal.schools.models import FlagGroup, Pupil, YearGroup

from . import access, corrections, pupil_reports, selectors, services
from .categories import NO_ATTACHMENT_CATEGORIES, NO_ATTACHMENT_GUIDANCE, Category, FourC
from .forms import (
    AssignForm,
    ClassifyForm,
    CorrectionForm,
    FurtherInformationForm,
    OtherPersonForm,
    PersonForm,
    PupilAcceptForm,
    PupilAddForm,
    PupilChangeForm,
    PupilDismissForm,
    RecordForm,
    ReportForm,
    TaskForm,
    TransitionForm,
)
from .models import TRANSITIONS, Device, Incident, Location, PupilRole, Route, Status


def _team(school):
    ids = (
        Membership.objects.current()
        .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER])
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


def index(request: HttpRequest) -> HttpResponse:
    reports = Paginator(selectors.own_reports(portal=request.portal), 25).get_page(request.GET.get("page"))
    return render(request, "incidents/index.html", {"reports": reports})


def _chosen_pupils(request: HttpRequest, school) -> list[dict]:
    # A list, not as_ids()'s set: the pupils keep the order they were chosen in.
    ids = [n for n in (as_id(v) for v in request.POST.getlist("pupil")) if n is not None]
    pupils = {p.pk: p for p in Pupil.objects.filter(school=school, pk__in=ids)}
    chosen = []
    for pid in ids:
        if pid in pupils:
            role = request.POST.get(f"pupil_role_{pid}", PupilRole.INVOLVED)
            chosen.append({"pupil": pupils[pid], "role": role if role in PupilRole.values else PupilRole.INVOLVED})
    return chosen


def report(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    staff = school_selectors.staff_users(school=school)
    form = ReportForm(request.POST or None, request.FILES or None, school=school, staff_queryset=staff)
    chosen = _chosen_pupils(request, school) if request.method == "POST" else []
    # The picker offers pupils on roll only; one who has left is the DSL team's to add to a case.
    for left in [c["pupil"] for c in chosen if not c["pupil"].on_roll]:
        form.add_error(
            None,
            f"{left.full_name} left the school on {left.left_on:%-d %B %Y}: tell the DSL team, who keep their record.",
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_report(
                school=school,
                reporter=request.user,
                occurred_at=data["occurred_at"],
                location=data["location"],
                location_detail=data["location_detail"],
                category=data["category"],
                description=data["description"],
                device=data["device"],
                device_detail=data["device_detail"],
                action_taken=data["action_taken"],
                immediate_risk=data["immediate_risk"] == "yes",
                others_involved=data["others_involved"],
                pupils=[services.PupilInvolvement(c["pupil"].pk, c["role"], c["pupil"]) for c in chosen],
                staff_ids=[u.pk for u in data["staff_involved"]],
                subject_staff=data["subject_staff"] if data["about_staff"] else None,
                files=data["attachments"],
                submission_token=data["submission_token"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            return redirect("incidents:reported", reference=incident.reference)
    return render(
        request,
        "incidents/report.html",
        {
            "form": form,
            "chosen": chosen,
            "pupil_roles": PupilRole.choices,
            "no_attachment_categories": sorted(NO_ATTACHMENT_CATEGORIES),
            "no_attachment_guidance": NO_ATTACHMENT_GUIDANCE,
            "contacts": school_selectors.emergency_contacts(school=school),
            "team": school_selectors.safeguarding_team(school=school),
        },
    )


def reported(request: HttpRequest, reference: str) -> HttpResponse:
    incident = selectors.own_report(portal=request.portal, reference=reference)
    if incident is None:
        raise Http404("No report of yours with that reference")
    return render(
        request,
        "incidents/reported.html",
        {
            "incident": incident,
            "contacts": school_selectors.emergency_contacts(school=request.portal.school),
            "team": school_selectors.safeguarding_team(school=request.portal.school),
        },
    )


def my_report(request: HttpRequest, reference: str) -> HttpResponse:
    incident = selectors.own_report(portal=request.portal, reference=reference)
    if incident is None:
        raise Http404("No report of yours with that reference")
    form = FurtherInformationForm(request.POST or None)
    # A case whose pupils have all left is read-only but for the DSL team: the reporter tells them directly.
    read_only = selectors.is_leavers_case(incident)
    if request.method == "POST" and read_only:
        form.add_error(None, "The pupils on this report have left the school: tell the DSL team directly.")
    if request.method == "POST" and not read_only and form.is_valid():
        try:
            services.case_add_information(incident=incident, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Added to your report. The safeguarding team has been told.")
            return redirect("incidents:my_report", reference=reference)
    # The reporter sees what they wrote, what they have added, and the status; never the case notes.
    return render(
        request,
        "incidents/my_report.html",
        {
            "incident": incident,
            "pupils": selectors.reported_pupils(incident=incident),
            "added": selectors.own_additions(incident=incident, user=request.user),
            "reported_category": selectors.reported_category(incident=incident),
            "form": form,
            "read_only": read_only,
        },
    )


@limited("incidents.pupil_options.ip", key="ip")
@limited("incidents.pupil_options.user", key="user")
def pupil_options(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("pupil_q", "")
    exclude = as_ids(request.GET.getlist("pupil"))
    reference = request.GET.get("for_case", "")
    # Adding a pupil to a case the person may act on: offer pupils not on it now, each with a small form.
    incident = selectors.case_detail(portal=request.portal, reference=reference) if reference else None
    if incident is not None and access.can_act_on_case(request.portal, incident):
        exclude |= {link.pupil_id for link in selectors.case_pupils(incident=incident)}
    results = [
        p for p in school_selectors.search_pupils(school=request.portal.school, query=query) if p.pk not in exclude
    ]
    template = "incidents/_case_pupil_options.html" if incident is not None else "incidents/_pupil_options.html"
    return render(
        request, template, {"results": results, "q": query, "pupil_roles": PupilRole.choices, "incident": incident}
    )


def _filters(request: HttpRequest) -> selectors.DashboardFilters:
    g = request.GET

    def as_int(name):
        return as_id(g.get(name, ""))

    def as_date(name):
        try:
            return datetime.date.fromisoformat(g.get(name, ""))
        except ValueError:
            return None

    return selectors.DashboardFilters(
        queue=g.get("queue", "") if g.get("queue", "") in dict(selectors.QUEUES) else "",
        status=g.get("status", "") if g.get("status", "") in Status.values else "",
        category=g.get("category", "") if g.get("category", "") in Category.values else "",
        four_c=g.get("four_c", "") if g.get("four_c", "") in FourC.values else "",
        year_group=g.get("year", "") if g.get("year", "") in YearGroup.values else "",
        flag_group=g.get("flag", "")
        if g.get("flag", "") in FlagGroup.values and request.portal.can(policy.Cap.VIEW_VULNERABILITY_FLAGS)
        else "",
        pupil_id=as_int("pupil"),
        reporter_id=as_int("reporter"),
        date_from=as_date("from"),
        date_to=as_date("to"),
        q=g.get("q", "").strip()[:100],
    )


class KnownCountPaginator(Paginator):
    """A paginator told its count when the cached queue and status figures already hold it, sparing a COUNT
    over every case of the school on the most common dashboard loads."""

    def __init__(self, *args, count: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def dashboard(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    filters = _filters(request)
    paginator = KnownCountPaginator(
        selectors.dashboard_cases(portal=portal, filters=filters),
        25,
        count=selectors.known_count(portal=portal, filters=filters),
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_pupil_names(list(page.object_list), query=filters.q)
    context = {
        "page": page,
        # One reverse() for the page rather than one per row.
        "case_prefix": reverse("incidents:case", args=["-"]).removesuffix("-/"),
        "filters": filters,
        "queues": selectors.QUEUES,
        "query_string": request.GET.copy().urlencode() if "page" not in request.GET else _without_page(request),
        "today": timezone.localdate(),
    }
    if request.htmx and request.htmx.target == "case-list":
        return render(request, "incidents/_case_list.html", context)
    trend = selectors.weekly_trend(portal=portal)
    context.update(
        {
            "counts": selectors.queue_counts(portal=portal),
            "status_counts": selectors.status_counts(portal=portal),
            "dismissed_count": selectors.dismissed_count(portal=portal),
            "trend": trend,
            "chart": _trend_chart(trend),
            "statuses": Status.choices,
            "categories": Category.choices,
            "four_cs": FourC.choices,
            "year_groups": YearGroup.choices,
            "flag_groups": FlagGroup.choices if portal.can(policy.Cap.VIEW_VULNERABILITY_FLAGS) else None,
            # The school's staff: bounded by the school, and no scan of its incidents to find them.
            "reporters": list(school_selectors.staff_users(school=portal.school).values_list("pk", "full_name")),
            "saved_filters": selectors.saved_filters(portal=portal),
            "filtered": bool(_without_page(request)),
        }
    )
    return render(request, "incidents/dashboard.html", context)


# The weekly chart's plot area inside its 320 x 110 viewBox: room on the left for the count axis and below
# for the week labels.
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 34, 314, 8, 82


def _trend_chart(trend: list[tuple[datetime.date, int]]) -> dict:
    """Bars with a labelled count axis (0, half, the top) and week labels, so the chart reads on its own."""
    top = max([n for _, n in trend] + [1])
    scale_top = top if top <= 4 else -(-top // 4) * 4  # a round top: ticks land on whole numbers
    height = CHART_BOTTOM - CHART_TOP
    slot = (CHART_RIGHT - CHART_LEFT) / max(len(trend), 1)
    bars = []
    for i, (week, n) in enumerate(trend):
        h = round(height * n / scale_top, 1)
        bars.append(
            {
                "x": round(CHART_LEFT + i * slot + 2, 1),
                "w": round(slot - 4, 1),
                "y": round(CHART_BOTTOM - h, 1),
                "h": h,
                "week": week,
                "n": n,
                "label_x": round(CHART_LEFT + i * slot + slot / 2, 1),
            }
        )
    ticks = list(range(scale_top + 1)) if scale_top <= 4 else [0, scale_top // 2, scale_top]
    return {
        "bars": bars,
        "ticks": [{"value": t, "y": round(CHART_BOTTOM - height * t / scale_top, 1)} for t in ticks],
        "labels": [b for i, b in enumerate(bars) if i % 4 == 0 or i == len(bars) - 1],
        "left": CHART_LEFT,
        "right": CHART_RIGHT,
        "top": CHART_TOP,
        "bottom": CHART_BOTTOM,
    }


CSV_HEADER = (
    "Reference",
    "Reported",
    "Category",
    "4 Cs",
    "Status",
    "Risk level",
    "Pupils",
    "Assigned to",
    "Next task due",
    "Required steps open",
)


def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's current list, every page of it, as CSV; the export itself is in the audit log."""
    portal = request.portal
    filters = _filters(request)
    cases = selectors.with_pupil_names(list(selectors.dashboard_cases(portal=portal, filters=filters)[:5000]))
    audit_record(
        action=AuditAction.RECORDS_EXPORTED,
        request=request,
        summary=f"Dashboard list exported as CSV ({len(cases)} case{'s' if len(cases) != 1 else ''})",
        detail={"query": _without_page(request)[:500], "cases": len(cases)},
    )
    rows = (
        (
            c.reference,
            timezone.localtime(c.reported_at).strftime("%Y-%m-%d %H:%M"),
            c.get_category_display(),
            c.get_four_c_display(),
            c.get_status_display(),
            c.get_severity_display(),
            c.pupil_names,
            c.assigned_to.full_name if c.assigned_to else "",
            c.next_task_due_on or "",
            c.open_mandatory_steps,
        )
        for c in cases
    )
    return csv_response(filename=f"cases-{timezone.localdate():%Y-%m-%d}.csv", header=CSV_HEADER, rows=rows)


@require_POST
def saved_filter(request: HttpRequest) -> HttpResponse:
    """Keep the dashboard's current filters under a name, or forget a kept one."""
    portal = request.portal
    if request.POST.get("action") == "delete":
        selectors.saved_filters(portal=portal).filter(pk=_post_int(request, "filter")).delete()
        return redirect("incidents:dashboard")
    query = request.POST.get("query", "")[:500]
    try:
        services.saved_filter_save(
            school=portal.school, by=request.user, name=request.POST.get("name", ""), query=query
        )
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, "Filter kept.")
    return redirect(f"{reverse('incidents:dashboard')}?{query}" if query else reverse("incidents:dashboard"))


def _case_or_404(request: HttpRequest, reference: str) -> Incident:
    incident = selectors.case_detail(portal=request.portal, reference=reference)
    if incident is None:
        raise Http404("No case you can open has that reference")
    return incident


ACTED_KEY = "incidents:acted"


def _record_opening(request: HttpRequest, incident: Incident) -> None:
    """Every opening is recorded, except the page an action sends its author back to: that is the same
    visit, not a new look at the record. The mark is the server's own (the session), never the client's."""
    if request.session.pop(ACTED_KEY, None) == incident.reference:
        return
    record_view(request=request, obj=incident, summary=f"Case {incident.reference}")


def case(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _case_or_404(request, reference)
    _record_opening(request, incident)
    return render(request, "incidents/case.html", _case_context(request, incident))


def shared_case(request: HttpRequest, reference: str) -> HttpResponse:
    """A case the DSL shared with this member of staff by name: read-only, every opening recorded."""
    incident = (
        selectors.shared_with(portal=request.portal)
        .filter(reference=reference)
        .select_related("school", "reported_by", "assigned_to")
        .first()
    )
    if incident is None:
        raise Http404("No case has been shared with you under that reference")
    record_view(request=request, obj=incident, summary=f"Case {incident.reference} (shared with them)")
    context = _case_context(request, incident)
    context.update(can_act=False, can_share=False, shared_view=True)
    return render(request, "incidents/case.html", context)


def case_views(request: HttpRequest, reference: str) -> HttpResponse:
    """Every recorded opening of a case, newest first (the case page shows the summary)."""
    incident = _case_or_404(request, reference)
    page = Paginator(views_of(obj=incident).order_by("-at"), 100).get_page(request.GET.get("page"))
    return render(request, "incidents/case_views.html", {"incident": incident, "page": page})


def _case_context(request, incident, **forms) -> dict:
    school = incident.school
    can_act = access.can_act_on_case(request.portal, incident)
    timeline = selectors.case_timeline(incident=incident)
    steps = selectors.case_steps(incident=incident)
    reported = next((e for e in timeline if e.kind == "reported"), None)
    pupils = selectors.case_pupils(incident=incident)
    # The pupils' flags today, for the DSL team only: never the reporter, the head, a shared reader or the chair.
    pupil_flags = (
        school_selectors.current_flags(school=school, pupil_ids=[link.pupil_id for link in pupils])
        if request.portal.can(policy.Cap.VIEW_VULNERABILITY_FLAGS) and pupils
        else {}
    )
    return {
        # Disposed of under the retention schedule: what is left, and its tombstone (retention.disposal).
        "disposed": Tombstone.objects.filter(record_table=Incident._meta.db_table, record_id=incident.pk).first(),
        "pupil_flags": pupil_flags,
        # Every pupil on it has left (as figures.leavers_only, from the links already read).
        "leavers_case": bool(pupils) and all(not link.pupil.on_roll for link in pupils),
        "incident": incident,
        "timeline": timeline,
        "reported_entry": reported,
        "report_fields": corrections.report_fields(incident=incident, reported=reported),
        "report_field_names": corrections.REPORT_FIELDS,
        "pupils": pupils,
        "pupil_corrections": selectors.pupil_corrections(timeline=timeline),
        "removed_pupils": selectors.case_pupils_removed(incident=incident),
        "siblings": selectors.sibling_suggestions(incident=incident, pupils=pupils) if can_act else [],
        "staff_involved": selectors.case_staff(incident=incident),
        "others_involved": selectors.case_others(incident=incident),
        "other_form": forms.get("other_form") or SimpleLazyObject(OtherPersonForm),
        "shares": selectors.case_shares(incident=incident),
        "tasks": selectors.case_tasks(incident=incident),
        "steps": steps,
        # A closed case can have a required step open again (a referral's agency corrected after closing):
        # the page says so at the top, since the case is otherwise out of everyone's open-case lists.
        "reopened_required": [s for s in steps if s.mandatory and s.done_entry_id is None]
        if incident.status == Status.CLOSED
        else [],
        "attachments": list(incident.attachments.all()),
        "viewers": view_summary(obj=incident),
        "can_act": can_act,
        "pupil_roles": PupilRole.choices,
        "staff_choices": SimpleLazyObject(lambda: list(school_selectors.staff_users(school=school))),
        "location_choices": Location.choices,
        "device_choices": Device.choices,
        "category_choices": [c for c in Category.choices if c[0] != Category.STAFF_CONDUCT],
        "allowed_next": [(s, Status(s).label) for s in Status.values if s in TRANSITIONS.get(incident.status, set())],
        # Unbound forms are built only if the page renders them: most loads use the cached markup instead.
        "transition_form": forms.get("transition_form") or SimpleLazyObject(TransitionForm),
        "assign_form": forms.get("assign_form")
        or SimpleLazyObject(lambda: AssignForm(team=_team(school), initial={"to": incident.assigned_to_id})),
        "classify_form": forms.get("classify_form")
        or SimpleLazyObject(
            lambda: ClassifyForm(initial={"severity": incident.severity, "concern_type": incident.concern_type})
        ),
        "record_form": forms.get("record_form") or SimpleLazyObject(RecordForm),
        "task_form": forms.get("task_form")
        or SimpleLazyObject(lambda: TaskForm(staff=school_selectors.staff_users(school=school))),
        "correction_form": forms.get("correction_form") or SimpleLazyObject(CorrectionForm),
        # The one form sent with errors, which opens where it was; the rest stay closed.
        "open_form": next(iter(forms), "").removesuffix("_form"),
        "statuses": dict(Status.choices),
        "no_attachments": incident.category in NO_ATTACHMENT_CATEGORIES,
        "can_share": access.can_share_case(request.portal, incident),
        "pupil_said": pupil_reports.pupil_said(incident=incident, reported=reported),
        "pupil_accept_form": forms.get("pupil_accept_form")
        or SimpleLazyObject(
            lambda: PupilAcceptForm(initial={"category": incident.category}, allegation=incident.route != Route.DSL)
        ),
        "pupil_dismiss_form": forms.get("pupil_dismiss_form") or SimpleLazyObject(PupilDismissForm),
    }


# Each case action: the context name of its form (None for one-button actions), how to build the form,
# and what to do with valid input. Services raise ValidationError for rules the form cannot know.
def _post_text(request: HttpRequest) -> str:
    return request.POST.get("text", "")


CASE_ACTIONS = {
    "transition": (
        "transition_form",
        lambda request, incident: TransitionForm(request.POST),
        lambda request, incident, d: services.case_transition(
            incident=incident, to=d["to"], by=request.user, note=d["text"], outcome=d["outcome"], lessons=d["lessons"]
        ),
    ),
    "assign": (
        "assign_form",
        lambda request, incident: AssignForm(request.POST, team=_team(incident.school)),
        lambda request, incident, d: services.case_assign(incident=incident, to=d["to"], by=request.user),
    ),
    "classify": (
        "classify_form",
        lambda request, incident: ClassifyForm(request.POST),
        lambda request, incident, d: services.case_classify(
            incident=incident,
            by=request.user,
            severity=d["severity"],
            concern_type=d["concern_type"],
            reason=d["text"],
        ),
    ),
    "record": (
        "record_form",
        lambda request, incident: RecordForm(request.POST),
        lambda request, incident, d: services.case_record(
            incident=incident, by=request.user, kind=d["kind"], text=d["text"], data=d["_entry_data"]
        ),
    ),
    "task": (
        "task_form",
        lambda request, incident: TaskForm(request.POST, staff=school_selectors.staff_users(school=incident.school)),
        lambda request, incident, d: services.case_task_add(
            incident=incident, by=request.user, title=d["title"], owner=d["owner"], due_on=d["due_on"]
        ),
    ),
    "correct": (
        "correction_form",
        lambda request, incident: CorrectionForm(request.POST),
        lambda request, incident, d: services.case_correct(
            incident=incident,
            by=request.user,
            entry=get_object_or_404(incident.entries, pk=d["entry"]),
            field=d["field"],
            value=d["value"],
            reason=d["text"],
        ),
    ),
    "pupil_add": (
        "pupil_add_form",
        lambda request, incident: PupilAddForm(request.POST),
        lambda request, incident, d: services.case_pupil_add(
            incident=incident,
            by=request.user,
            role=d["role"],
            reason=d["text"],
            pupil=get_object_or_404(Pupil, pk=d["pupil"], school_id=incident.school_id),
        ),
    ),
    "pupil_remove": (
        "pupil_change_form",
        lambda request, incident: PupilChangeForm(request.POST),
        lambda request, incident, d: services.case_pupil_remove(
            incident=incident,
            by=request.user,
            reason=d["text"],
            link=get_object_or_404(incident.pupil_links, pk=d["link"]),
        ),
    ),
    "pupil_role": (
        "pupil_change_form",
        lambda request, incident: PupilChangeForm(request.POST),
        lambda request, incident, d: services.case_pupil_role(
            incident=incident,
            by=request.user,
            role=d["role"],
            reason=d["text"],
            link=get_object_or_404(incident.pupil_links, pk=d["link"]),
        ),
    ),
    "staff_add": (
        "person_form",
        lambda request, incident: PersonForm(request.POST, staff=school_selectors.staff_users(school=incident.school)),
        lambda request, incident, d: services.case_staff_add(
            incident=incident, by=request.user, user=d["user"], reason=d["text"]
        ),
    ),
    "staff_remove": (
        None,
        None,
        lambda request, incident, d: services.case_staff_remove(
            incident=incident,
            by=request.user,
            reason=_post_text(request),
            link=get_object_or_404(incident.staff_links, pk=_post_int(request, "link")),
        ),
    ),
    "other_add": (
        "other_form",
        lambda request, incident: OtherPersonForm(request.POST),
        lambda request, incident, d: services.case_other_add(
            incident=incident, by=request.user, name=d["name"], part=d["part"]
        ),
    ),
    "other_remove": (
        None,
        None,
        lambda request, incident, d: services.case_other_remove(
            incident=incident,
            by=request.user,
            reason=_post_text(request),
            link=get_object_or_404(incident.others, pk=_post_int(request, "link")),
        ),
    ),
    "share_person": (
        "person_form",
        lambda request, incident: PersonForm(request.POST, staff=school_selectors.staff_users(school=incident.school)),
        lambda request, incident, d: services.case_share(
            incident=incident, by=request.user, user=d["user"], reason=d["text"]
        ),
    ),
    "share_end": (
        None,
        None,
        lambda request, incident, d: services.case_share_end(
            incident=incident,
            by=request.user,
            reason=_post_text(request),
            share=get_object_or_404(incident.shares, pk=_post_int(request, "share")),
        ),
    ),
    # A pupil-raised report is checked first (incidents.pupil_reports).
    "pupil_accept": (
        "pupil_accept_form",
        lambda request, incident: PupilAcceptForm(request.POST, allegation=incident.route != Route.DSL),
        lambda request, incident, d: pupil_reports.pupil_report_accept(
            incident=incident, by=request.user, category=d["category"], note=d["text"]
        ),
    ),
    "pupil_dismiss": (
        "pupil_dismiss_form",
        lambda request, incident: PupilDismissForm(request.POST),
        lambda request, incident, d: pupil_reports.pupil_report_dismiss(
            incident=incident, by=request.user, reason_kind=d["reason_kind"], reason=d["reason"]
        ),
    ),
    "acknowledge": (
        None,
        None,
        lambda request, incident, d: services.case_acknowledge(incident=incident, by=request.user),
    ),
    "task_done": (
        None,
        None,
        lambda request, incident, d: services.case_task_done(
            task=get_object_or_404(incident.tasks, pk=_post_int(request, "task")),
            by=request.user,
            note=_post_text(request),
        ),
    ),
    "step_done": (
        None,
        None,
        lambda request, incident, d: services.case_step_done(
            step=get_object_or_404(incident.steps, pk=_post_int(request, "step")),
            by=request.user,
            note=_post_text(request),
            not_needed=request.POST.get("not_needed") == "1",
        ),
    ),
    "share": (
        None,
        None,
        lambda request, incident, d: services.case_share_with_dsl_team(
            incident=incident, by=request.user, reason=_post_text(request)
        ),
    ),
}


def _post_int(request: HttpRequest, name: str) -> int:
    return as_id(request.POST.get(name, "")) or 0


def _back_to_case(request: HttpRequest, reference: str) -> HttpResponse:
    request.session[ACTED_KEY] = reference  # the page an action sends them back to is not a new view
    return redirect("incidents:case", reference=reference)


@require_POST
def case_action(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _case_or_404(request, reference)
    if not access.can_act_on_case(request.portal, incident):
        raise Http404("No case you can act on has that reference")
    action = request.POST.get("action", "")
    if action == "share" and not access.can_share_case(request.portal, incident):
        messages.error(request, "Only the headteacher can share an allegation about staff with the DSL team.")
        return _back_to_case(request, reference)
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        messages.error(request, "That action is not recognised.")
        return _back_to_case(request, reference)
    form_name, build_form, perform = handler
    form = build_form(request, incident) if build_form else None
    try:
        if form is None:
            perform(request, incident, {})
        elif form.is_valid():
            data = dict(form.cleaned_data)
            if isinstance(form, RecordForm):
                data["_entry_data"] = form.entry_data()
            perform(request, incident, data)
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(error_messages(exc)))
            return _back_to_case(request, reference)
        add_errors_to_form(form, exc)
    if form is not None and form.errors:
        # What was typed stays in the form, which opens where it was.
        incident.refresh_from_db()
        context = _case_context(request, incident, **{form_name: form})
        return render(request, "incidents/case.html", context, status=400)
    messages.success(request, "Recorded on the case timeline.")
    return _back_to_case(request, reference)


def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    incident = _case_or_404(request, reference)
    item = get_object_or_404(incident.attachments, pk=attachment_id)
    record_view(request=request, obj=item, summary=f"Attachment on {incident.reference}")
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=True,
        filename=f"{incident.reference}-{item.pk}",
    )
    response["Cache-Control"] = "no-store"
    return response
