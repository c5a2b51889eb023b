"""Requests refused before anything reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_nul(texts: Iterable[object]) -> bool:
    return any(isinstance(t, str) and NUL in t for t in texts)


def carries_nul(request: HttpRequest) -> bool:
    """A NUL byte anywhere a view, the session store or the audit log might pass on to the database."""
    if NUL in request.path or NUL in request.path_info:
        return True
    if _any_nul(v for k, v in request.META.items() if k.startswith("HTTP_")):  # the raw Cookie header too
        return True
    if _any_nul([*request.COOKIES, *request.COOKIES.values()]):  # quoted cookies decode "\000" escapes
        return True
    if _any_nul(text for key, values in request.GET.lists() for text in (key, *values)):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
        if _any_nul(text for key, values in request.POST.lists() for text in (key, *values)):
            return True
        if _any_nul(f.name for files in request.FILES.lists() for f in files[1]):
            return True
    return False


class RefuseNulBytesMiddleware:
    """PostgreSQL refuses NUL in text, so a NUL that reached a query was a 500: it is a 400 here, for every URL.

    Sits before the session and authentication middleware (a NUL in the session cookie would reach the session
    table), so the page is rendered without a request: it must not look up who is signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request):
            return HttpResponseBadRequest(render_to_string("errors/400.html"))
        return self.get_response(request)


# Browser features no page of the portal uses, switched off for every page (and anything a page might embed).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
