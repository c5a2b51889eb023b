"""Subject access requests: the list, logging one, its page (deadline, extension, disclosures), the review pack
where redactions are marked, and the disclosure PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts import policy
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record, origin_of, record_view
from safeguarding_portal.core import builds
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.pdf import pdf_response

from . import pack, selectors, services
from .forms import ExtendForm, MarkForm, RequestForm, SentForm, WithdrawForm
from .models import Disclosure, RedactionMark, SubjectAccessRequest
from .sources import anchor


def index(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.requests_for(portal=request.portal)[:200])
    for sar in rows:
        sar.state = selectors.deadline_state(sar)
    return render(request, "sar/index.html", {"requests": rows})


def new(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = RequestForm(
        request.POST or None,
        pupils=selectors.subject_pupils(school=school),
        staff=selectors.subject_staff(school=school),
        initial={"received_on": timezone.localdate(), "about": "pupil"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sar = services.request_log(
                school=school,
                by=request.user,
                requester_name=d["requester_name"],
                relationship=d["relationship"],
                received_on=d["received_on"],
                identity_check=d["identity_check"],
                subject_pupil=d["subject_pupil"],
                subject_staff=d["subject_staff"],
                origin=origin_of(request),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"Request logged. The answer is due by {sar.due_on:%-d %B %Y}.")
            return redirect("sar:detail", request_id=sar.pk)
    about = form["about"].value() or "pupil"
    chosen = form["subject_staff" if about == "staff" else "subject_pupil"].value()
    chosen_obj = None
    if chosen:
        qs = selectors.subject_staff(school=school) if about == "staff" else selectors.subject_pupils(school=school)
        chosen_obj = qs.filter(pk=as_int(str(chosen))).first()
    # What was chosen, offered again (checked) when the form comes back with an error.
    return render(
        request,
        "sar/new.html",
        {
            "form": form,
            "about": about,
            "chosen": [chosen_obj] if chosen_obj else [],
            "chosen_id": getattr(chosen_obj, "pk", 0),
        },
    )


def subject_search(request: HttpRequest) -> HttpResponse:
    """The subject picker (HTMX): pupils or staff matching what was typed, each a choice of the form. The URL rule
    lets those who log requests ask; the school is theirs. A search that shows names is audited (how many, whom)."""
    about = "staff" if request.GET.get("about") == "staff" else "pupil"
    query = request.GET.get("subject_q", "")[:100]
    results = selectors.search_subjects(school=request.portal.school, about=about, query=query)
    if results:
        names = f"{len(results)} {about} name{'s' if len(results) != 1 else ''}"
        audit_record(
            action=AuditAction.RECORD_VIEWED,
            request=request,
            summary=f"Subject access request subject search: {names} shown",
            detail={"search": "sar_subject", "about": about, "shown": [r.pk for r in results]},
        )
    return render(
        request,
        "sar/_subject_options.html",
        {"results": results, "about": about, "q": query, "chosen_id": as_int(request.GET.get(f"subject_{about}"))},
    )


def _request(request: HttpRequest, request_id: int) -> SubjectAccessRequest:
    sar = selectors.request_for(portal=request.portal, request_id=request_id)
    if sar is None:
        raise Http404("No such request")
    return sar


def _reviewable(request: HttpRequest, request_id: int) -> SubjectAccessRequest:
    sar = _request(request, request_id)
    if not policy.can_review_subject_access(request.portal, sar):
        raise Http404("No such request")
    return sar


def detail(request: HttpRequest, request_id: int, extend_form: ExtendForm | None = None) -> HttpResponse:
    sar = _request(request, request_id)
    record_view(request=request, obj=sar, summary=f"Subject access request {sar.pk} opened")
    return render(
        request,
        "sar/detail.html",
        {
            "sar": sar,
            "state": selectors.deadline_state(sar),
            "disclosures": selectors.disclosures(sar=sar),
            "can_review": policy.can_review_subject_access(request.portal, sar),
            "extend_form": extend_form or ExtendForm(initial={"to": services.latest_extension(sar.received_on)}),
            "latest_extension": services.latest_extension(sar.received_on),
            "sent_form": SentForm(initial={"sent_on": timezone.localdate()}),
        },
    )


@require_POST
def extend(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _request(request, request_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.request_extend(sar=sar, by=request.user, origin=origin_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "Deadline extended.")
            return redirect("sar:detail", request_id=sar.pk)
    return detail(request, request_id, extend_form=form)


def review_pack(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _reviewable(request, request_id)
    record_view(request=request, obj=sar, summary=f"Review pack of subject access request {sar.pk} opened")
    sections = pack.gather(portal=request.portal, request=sar)
    marks = pack.current_marks(sar)
    shown, changed = pack.redacted(sections, marks)
    by_target = pack.marks_by_target(marks)
    # Each passage shown as held, with the marks on it and, beside it, what the disclosure will say.
    for section, disclosed in zip(sections, shown, strict=True):
        for record, record_out in zip(section.records, disclosed.records, strict=True):
            record.marks = by_target.get(record.key, [])
            for passage, passage_out in zip(record.passages, record_out.passages, strict=True):
                passage.marks = by_target.get(passage.key, [])
                passage.disclosed = passage_out.text
    return render(
        request,
        "sar/pack.html",
        {
            "sar": sar,
            "sections": sections,
            "marks": marks,
            "changed": changed,
            "records": sum(len(s.records) for s in sections),
            "mark_form": MarkForm(),
            "state": selectors.deadline_state(sar),
            "history": RedactionMark.objects.filter(request=sar).select_related("by").order_by("seq"),
        },
    )


@require_POST
def mark(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _reviewable(request, request_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the exemption and give a reason for the redaction.")
    else:
        d = form.cleaned_data
        try:
            made = services.redaction_marks(
                school=request.portal.school,
                sar=sar,
                by=request.user,
                targets=[d["target"]],
                exemption=d["exemption"],
                reason=d["reason"],
                phrase=d["phrase"],
                everywhere=d["everywhere"],
                origin=origin_of(request),
            )
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(
                request, "Redaction recorded." if len(made) == 1 else f"Redaction recorded in {len(made)} passages."
            )
    return redirect(reverse("sar:pack", args=[sar.pk]) + "#" + anchor(form.data.get("target", "")[:120]))


@require_POST
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _reviewable(request, request_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the redaction is withdrawn.")
        return redirect("sar:pack", request_id=sar.pk)
    found = RedactionMark.objects.filter(request=sar, pk=form.cleaned_data["mark"]).first()
    if found is None:
        raise Http404("No such redaction")
    try:
        services.redaction_withdraw(
            sar=sar, by=request.user, mark=found, reason=form.cleaned_data["reason"], origin=origin_of(request)
        )
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, "Redaction withdrawn.")
    return redirect("sar:pack", request_id=sar.pk)


@require_POST
def build(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _reviewable(request, request_id)
    try:
        disclosure = services.disclosure_build(
            school=request.portal.school, sar=sar, by=request.user, origin=origin_of(request)
        )
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        if disclosure.is_ready:  # the embedded mode builds it on commit, inside this request
            pages, redactions = disclosure.pages, disclosure.redactions
            messages.success(
                request,
                f"Disclosure built: {pages} page{'s' if pages != 1 else ''}, "
                f"{redactions} passage{'s' if redactions != 1 else ''} redacted.",
            )
        else:
            messages.info(request, "The disclosure PDF is being prepared; this page shows when it is ready.")
    return redirect(reverse("sar:detail", args=[sar.pk]) + "#disclosures-heading")


def _disclosure(request: HttpRequest, request_id: int, disclosure_id: int) -> tuple[SubjectAccessRequest, Disclosure]:
    sar = _reviewable(request, request_id)
    disclosure = selectors.disclosure_for(sar=sar, disclosure_id=disclosure_id)
    if disclosure is None:
        raise Http404("No such disclosure")
    if disclosure.is_stale:  # its worker died: whoever looks starts it again
        builds.reclaim_if_stale(disclosure, task=services.BUILD_TASK, disclosure_id=disclosure.pk)
    return sar, disclosure


def disclosure_status(request: HttpRequest, request_id: int, disclosure_id: int) -> HttpResponse:
    """A disclosure's "being prepared" panel, polled by HTMX; once built, the page reloads to show it."""
    sar, disclosure = _disclosure(request, request_id, disclosure_id)
    response = render(request, "sar/_disclosure_status.html", {"sar": sar, "d": disclosure, "can_review": True})
    if not disclosure.is_pending and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def disclosure_pdf(request: HttpRequest, request_id: int, disclosure_id: int) -> HttpResponse:
    sar, disclosure = _disclosure(request, request_id, disclosure_id)
    if not disclosure.is_ready:
        messages.info(request, "That disclosure is not ready yet; this page shows when it is.")
        return redirect("sar:detail", request_id=sar.pk)
    record_view(
        request=request, obj=sar, summary=f"Disclosure {disclosure.pk} of subject access request {sar.pk} downloaded"
    )
    return pdf_response(content=disclosure.pdf.open("rb"), filename=f"subject-access-{sar.pk}-{disclosure.pk}.pdf")


@require_POST
def sent(request: HttpRequest, request_id: int) -> HttpResponse:
    sar = _reviewable(request, request_id)
    disclosure = selectors.disclosure_for(sar=sar, disclosure_id=as_int(request.POST.get("disclosure")))
    form = SentForm(request.POST)
    if disclosure is None or not form.is_valid():
        messages.error(request, "Give the day it was sent and how.")
        return redirect("sar:detail", request_id=sar.pk)
    try:
        services.disclosure_sent(disclosure=disclosure, by=request.user, origin=origin_of(request), **form.cleaned_data)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, "Disclosure recorded as sent; the request is closed.")
    return redirect("sar:detail", request_id=sar.pk)


def as_int(value: str | None) -> int:
    from safeguarding_portal.core.ids import as_id

    return as_id(value or "") or 0
