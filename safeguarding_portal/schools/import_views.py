"""MIS import pages. Being built: see the foundations issue, part 2."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def import_upload(request: HttpRequest) -> HttpResponse:
    return render(request, "core/coming_soon.html", {"title": "Import from the MIS", "app": "schools"})


def import_template(request: HttpRequest) -> HttpResponse:
    return render(request, "core/coming_soon.html", {"title": "Import template", "app": "schools"})


def import_result(request: HttpRequest, run_id: int) -> HttpResponse:
    return render(request, "core/coming_soon.html", {"title": "Import result", "app": "schools"})
