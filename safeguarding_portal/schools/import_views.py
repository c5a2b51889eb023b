"""MIS import pages: upload a CSV or an Excel workbook, see what it changed (or why not), download a template."""

from __future__ import annotations

import logging

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core.csvexport import csv_response

from . import importer, tables
from .models import ImportRun, Pupil

log = logging.getLogger(__name__)

RECENT_RUNS = 10


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportRun.Kind.choices,
        initial=ImportRun.Kind.PUPILS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="CSV file or Excel workbook exported from your MIS",
        help_text="Up to 5 MB. A CSV (UTF-8 is best; Excel's ordinary CSV works too) or an Excel workbook (.xlsx).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv," + tables.XLSX_TYPE}),
    )
    sheet = forms.CharField(
        required=False,
        label="Which sheet of the workbook",
        help_text="Only for a workbook with several sheets: the one that holds the list.",
    )
    allow_many_leavers = forms.BooleanField(
        required=False,
        label="Yes, mark pupils missing from the file as left, even if there are many",
        help_text="Pupils files only. Leavers are kept on record and come back if a later file lists them.",
    )
    end_missing_staff = forms.BooleanField(
        required=False,
        label="End the roles of staff who are not in this file",
        help_text="Staff files only. Their records are kept; your own roles are never ended this way.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB. "
                "Export only the columns the portal needs."
            )
        return upload


def _page(request: HttpRequest, form: ImportForm, run: ImportRun | None = None, *, status: int = 200) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "schools/import.html",
        {
            "form": form,
            "run": run,
            "recent": ImportRun.objects.filter(school=school).select_related("uploaded_by")[:RECENT_RUNS],
            "pupil_columns": importer.accepted_spellings(kind=ImportRun.Kind.PUPILS),
            "staff_columns": importer.accepted_spellings(kind=ImportRun.Kind.STAFF),
        },
        status=status,
    )


def import_upload(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    if school is None:
        raise Http404("Choose a school to import into")
    if request.method != "POST":
        return _page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    if tables.ask_for_sheet(form, data):
        return _page(request, form)
    try:
        run = importer.import_people(
            school=school,
            kind=form.cleaned_data["kind"],
            data=data,
            filename=upload.name,
            by=request.user,
            origin=origin_of(request),
            end_missing_staff=form.cleaned_data["end_missing_staff"],
            allow_many_leavers=form.cleaned_data["allow_many_leavers"],
            sheet=form.cleaned_data["sheet"],
        )
    except Exception:
        # The importer answers bad files with a report; anything reaching here is our bug. Log it loudly and
        # still give the person a page that says nothing changed, rather than an error page mid-task.
        log.exception("MIS import failed for school %s", school.pk)
        form.add_error(
            None,
            "Something went wrong while reading this file, so nothing was changed. "
            "The problem has been logged; please tell the portal's administrator.",
        )
        return _page(request, form)
    if run.applied:
        return redirect("schools:import_result", run_id=run.pk)
    return _page(request, form, run)


def import_template(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", ImportRun.Kind.PUPILS)
    if kind not in ImportRun.Kind.values:
        kind = ImportRun.Kind.PUPILS
    # The canonical headers and two example rows, through the one CSV helper (BOM for Excel, cells escaped).
    return csv_response(
        filename=f"mis-import-{kind}-template.csv",
        header=importer.TEMPLATE_HEADERS[kind],
        rows=importer.TEMPLATE_ROWS[kind],
    )


def import_result(request: HttpRequest, run_id: int) -> HttpResponse:
    run = ImportRun.objects.filter(school=request.portal.school, pk=run_id).select_related("uploaded_by").first()
    if run is None:
        raise Http404("No such import at this school")
    left_ids = run.details.get("left_ids", []) if run.kind == ImportRun.Kind.PUPILS else []
    leavers = Pupil.objects.filter(school=request.portal.school, pk__in=left_ids).order_by("surname", "legal_forename")
    return render(request, "schools/import_result.html", {"run": run, "leavers": leavers})
