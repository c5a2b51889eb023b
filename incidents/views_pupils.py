"""Views across a pupil's cases: chronology, the CP file for a new school and its transfer, trends, and the
school's procedure checklists. Thin: reads in chronology/transfers/trends, writes in their services."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record, origin_of, record_view
from safeguarding_portal.core import builds
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.pdf import pdf_response
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.schools.models import URN_VALIDATOR, Pupil, School
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.selectors import school_view

from . import chronology, procedures, transfers, trends
from .categories import Category, StepSpec
from .models import CPFileTransfer, TransferMethod
from .revisions import REVISIONS, revisions_for

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SentForm(forms.Form):
    sent_at = forms.DateTimeField(label="When it was sent", widget=_DATETIME)
    method = forms.ChoiceField(label="How it was sent", choices=[("", "Choose…"), *TransferMethod.choices])
    receiving_school = forms.CharField(label="Receiving school", max_length=200)
    receiving_urn = forms.CharField(
        label="Receiving school's URN", max_length=6, required=False, validators=[URN_VALIDATOR]
    )
    receiving_contact = forms.CharField(label="Sent to (name and role, e.g. their DSL)", max_length=200, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class ConfirmForm(forms.Form):
    confirmed_at = forms.DateTimeField(label="When receipt was confirmed", widget=_DATETIME)
    confirmed_by_name = forms.CharField(label="Confirmed by (name and role at the new school)", max_length=200)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class StepForm(forms.Form):
    text = forms.CharField(label="Step", max_length=300, required=False)
    mandatory = forms.BooleanField(label="Required", required=False)
    completed_by = forms.MultipleChoiceField(
        label="Completed when the DSL records",
        choices=list(procedures.COMPLETIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=40, validate_max=True)


def _pupil_or_404(request: HttpRequest, pupil_id: int) -> Pupil:
    pupil = chronology.pupil_for_chronology(portal=request.portal, pupil_id=pupil_id)
    if pupil is None:
        raise Http404("No such pupil at this school")
    return pupil


def chronology_page(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id)
    items = chronology.pupil_chronology(portal=request.portal, pupil=pupil)
    record_view(request=request, obj=pupil, summary=f"Chronology of pupil {pupil.upn}")
    return render(
        request,
        "incidents/chronology.html",
        {
            "pupil": pupil,
            "items": items,
            "transfers": list(transfers.transfers_for(school=pupil.school).filter(pupil=pupil)),
            "other_sections": chronology.other_sections(portal=request.portal, pupil=pupil),
        },
    )


def chronology_pdf(request: HttpRequest, pupil_id: int) -> FileResponse:
    pupil = _pupil_or_404(request, pupil_id)
    pdf, cases = chronology.chronology_pdf(portal=request.portal, pupil=pupil, user=request.user)
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        request=request,
        obj=pupil,
        summary=f"Chronology PDF produced for pupil {pupil.upn}",
        detail={"export": "chronology_pdf", "sha256": hashlib.sha256(pdf).hexdigest(), "cases": cases},
    )
    return pdf_response(content=pdf, filename=f"chronology-{pupil.upn}.pdf")


@require_POST
def cp_file_produce(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id)
    transfer = transfers.cp_file_produce(
        school=request.portal.school, pupil=pupil, by=request.user, origin=origin_of(request)
    )
    if transfer.is_ready:
        messages.success(request, "The child-protection file has been produced. Record how and when you send it.")
    else:
        messages.info(request, "The child-protection file is being prepared; this page shows when it is ready.")
    return redirect("incidents:transfer", transfer_id=transfer.pk)


def transfer_list(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    qs = transfers.transfers_for(school=school)
    return render(
        request,
        "incidents/transfer_list.html",
        {
            "awaiting": list(transfers.awaiting_confirmation(school=school)),
            "not_sent": list(qs.filter(sent_at__isnull=True).order_by("-produced_at")),
            "confirmed": list(qs.filter(confirmed_at__isnull=False).order_by("-confirmed_at")[:25]),
            "today": timezone.localdate(),
        },
    )


def transfers_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/transfer_badge.html", {"counts": transfers.counts(school=request.portal.school)})


def _transfer_or_404(request: HttpRequest, transfer_id: int) -> CPFileTransfer:
    transfer = transfers.transfer_for(school=request.portal.school, transfer_id=transfer_id)
    if transfer is None:
        raise Http404("No such child-protection file at this school")
    return transfer


def _reclaimed(transfer: CPFileTransfer) -> CPFileTransfer:
    # A build whose worker died is started again by whoever looks (the page, or its poll).
    if transfer.is_stale:
        builds.reclaim_if_stale(transfer, task=transfers.BUILD_TASK, transfer_id=transfer.pk)
    return transfer


def transfer_status(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """The file's "being prepared" panel, polled by HTMX; once built, the page reloads to show the file."""
    transfer = _reclaimed(_transfer_or_404(request, transfer_id))
    response = render(request, "incidents/_transfer_status.html", {"transfer": transfer})
    if not transfer.is_pending and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _reclaimed(_transfer_or_404(request, transfer_id))
    now = timezone.localtime().replace(second=0, microsecond=0)
    sent_form = SentForm(initial={"sent_at": now})
    confirm_form = ConfirmForm(initial={"confirmed_at": now})
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = (
            SentForm(request.POST) if action == "sent" else ConfirmForm(request.POST) if action == "confirmed" else None
        )
        if form is None:
            messages.error(request, "That action is not recognised.")
            return redirect("incidents:transfer", transfer_id=transfer.pk)
        if action == "sent":
            sent_form = form
        else:
            confirm_form = form
        if form.is_valid():
            try:
                if action == "sent":
                    transfers.cp_file_sent(
                        transfer=transfer, by=request.user, origin=origin_of(request), **form.cleaned_data
                    )
                    messages.success(request, "Sending recorded.")
                else:
                    transfers.cp_file_confirmed(
                        transfer=transfer, by=request.user, origin=origin_of(request), **form.cleaned_data
                    )
                    messages.success(request, "Receipt recorded.")
                return redirect("incidents:transfer", transfer_id=transfer.pk)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    # The step was already recorded (perhaps by a colleague just now): show the record.
                    messages.error(request, " ".join(error_messages(exc)))
                    return redirect("incidents:transfer", transfer_id=transfer.pk)
                add_errors_to_form(form, exc)
    else:
        record_view(
            request=request, obj=transfer, summary=f"Child-protection file transfer for pupil {transfer.pupil.upn}"
        )
    # A form error answers 200 with what was typed kept, like the rest of the portal's pages.
    return render(
        request,
        "incidents/transfer_detail.html",
        {
            "transfer": transfer,
            "sent_form": sent_form,
            "confirm_form": confirm_form,
            "today": timezone.localdate(),
            "portal_schools": School.objects.exclude(pk=transfer.school_id).order_by("name"),
            "deadline_note": transfers.school_days_note(
                school=transfer.school, start=timezone.localtime(transfer.sent_at).date(), end=transfer.confirm_by
            )
            if transfer.confirm_by
            else "",
        },
    )


def transfer_pdf(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer_or_404(request, transfer_id)
    if not transfer.is_ready:
        messages.info(request, "The file is not ready yet; this page shows when it is.")
        return redirect("incidents:transfer", transfer_id=transfer.pk)
    if not transfer.pdf:
        raise Http404("This CP file was disposed of under the retention schedule.")
    with transfer.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != transfer.sha256:
        # Never hand over a file that is not the one recorded as produced.
        raise Http404("The stored file does not match its recorded checksum; produce a new one.")
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        request=request,
        obj=transfer,
        summary=f"Child-protection file downloaded for pupil {transfer.pupil.upn}",
        detail={"export": "cp_file_pdf", "sha256": transfer.sha256},
    )
    return pdf_response(content=data, filename=f"cp-file-{transfer.pupil.upn}-{transfer.produced_at:%Y%m%d}.pdf")


def trends_page(request: HttpRequest) -> HttpResponse:
    with_names = request.portal.can(Cap.NAME_FLAGGED_PUPILS)
    data = trends.trends(school=request.portal.school, with_names=with_names)
    sections = []
    for name, heading, column, bars in (
        ("four_c", "By the 4 Cs", "4 Cs", data.by_four_c),
        ("year_group", "By year group", "Year group", data.by_year_group),
        ("month", "By month reported", "Month", data.by_month),
        ("category", "By category", "Category", data.by_category),
    ):
        rows = [
            {"key": b.key, "label": b.label, "n": b.n, "y": i * 10 + 2, "px": b.width * 3} for i, b in enumerate(bars)
        ]
        sections.append(
            {"name": name, "heading": heading, "column": column, "bars": rows, "height": len(rows) * 10 + 2}
        )
    return render(
        request,
        "incidents/trends.html",
        {
            "t": data,
            "with_names": with_names,
            "sections": sections,
            "threshold": trends.FLAG_THRESHOLD,
            # One or two concerns about, say, looked-after children could name the child to the head or the online
            # safety lead: "fewer than 3" for everyone, as the governor report shows the same figure.
            "flag_rows": [(key, label, small_count(n)) for key, label, n in data.by_flag_group],
        },
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    new_in = {c: r.title for r in REVISIONS for c in r.added}
    rows = procedures.procedures_overview(school=school)
    for row in rows:
        row["new_in"] = new_in.get(row["category"], "")
    return render(
        request,
        "incidents/procedures.html",
        {
            "rows": rows,
            "revisions": revisions_for(school=school),
            "standings": school_view(school=school, kind_name="incidents.procedures"),
        },
    )


@require_POST
def procedure_adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    """Take the trust's checklist for a category (safeguarding_portal.standards) as the school's own."""
    school = request.portal.school
    template = standards.template_for_school(school=school, kind="incidents.procedures", template_id=template_id)
    standards.template_adopt(school=school, template=template, by=request.user, origin=origin_of(request))
    messages.success(
        request,
        f"The checklist for {template.key_label} now follows the trust's version "
        f"{template.version}. New cases use it; open cases keep theirs.",
    )
    return redirect("incidents:procedures")


def procedure_edit(request: HttpRequest, category: str) -> HttpResponse:
    if category not in Category.values:
        raise Http404("No such category")
    school = request.portal.school
    steps, own = procedures.procedure_for(school=school, category=category)
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "reset":
        procedures.procedure_reset(school=school, category=category, by=request.user, origin=origin_of(request))
        messages.success(request, "The policy's default procedure will be used for new cases.")
        return redirect("incidents:procedure_edit", category=category)
    if request.method == "POST":
        formset = StepFormSet(request.POST)
        if formset.is_valid():
            rows = [
                StepSpec(
                    f.cleaned_data.get("text", ""),
                    f.cleaned_data.get("mandatory", False),
                    tuple(f.cleaned_data.get("completed_by", ())),
                )
                for f in formset.forms
            ]
            try:
                procedures.procedure_save(
                    school=school, category=category, steps=rows, by=request.user, origin=origin_of(request)
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, "Saved. New cases of this kind will use these steps; open cases keep theirs.")
                return redirect("incidents:procedure_edit", category=category)
    else:
        formset = StepFormSet(
            initial=[
                {"text": step.text, "mandatory": step.mandatory, "completed_by": list(step.completed_by)}
                for step in steps
            ]
        )
    return render(
        request,
        "incidents/procedures_edit.html",
        {"category": Category(category), "formset": formset, "own": own, "errors": errors},
    )
