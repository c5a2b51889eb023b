from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/coming_soon.html", {"title": "Governor reports", "app": "reports"})
