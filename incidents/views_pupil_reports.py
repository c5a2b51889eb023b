"""The pupils' "tell someone" pages (public, no account) and the DSL team's page for the link and its QR code.

What a pupil sent is never shown back on their device: a send redirects to a fixed thank-you page (POST,
redirect, GET), every page here is ``no-store`` so the back button fetches an empty form instead of a cached
filled one, the fields ask the browser not to remember what was typed, and neither the session nor a cookie
carries anything of the report (the device cookie holds a random number, for throttling only).
"""

from __future__ import annotations

import io
import secrets
import uuid

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from safeguarding_portal.accounts.context import PortalRequest
from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core import ratelimits
from safeguarding_portal.core.clientip import client_ip
from safeguarding_portal.core.formerrors import add_errors_to_form

from . import pupil_reports
from .forms import PupilTellForm

DEVICE_COOKIE = "tell_device"
DEVICE_SALT = "incidents.pupil_tell.device"
DEVICE_MAX_AGE = 365 * 24 * 3600


def _device_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    return value if value and len(value) == 32 else None


def _device_key(group: str, request: HttpRequest) -> str:
    # A device that refuses the cookie (or a script that never keeps it) counts by its address instead.
    return _device_id(request) or f"ip:{client_ip(request)}"


def _ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"public": True, "help_lines": pupil_reports.help_lines(school=context.get("school")), **context}
    response = render(request, template, context, status=status)
    if _device_id(request) is None:
        # Only a random number: nothing of what was sent, and the same whether or not anything was.
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_hex(16),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            path=reverse("incidents:tell_root"),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _gone(request: HttpRequest, *, status: int = 404) -> HttpResponse:
    """A link that was replaced (or never was): where to get help, still."""
    return _page(request, "incidents/tell/gone.html", {"school": None}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def tell(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    school = pupil_reports.school_for_key(key)
    if school is None:
        return _gone(request)
    context = {"school": school, "key": key}
    if request.method != "POST":
        form = PupilTellForm(initial={"submission_token": uuid.uuid4()})
        return _page(request, "incidents/tell/form.html", {**context, "form": form})
    # Counted before anything else, a honeypot's and a refused file's sends included.
    over_device = ratelimits.hit(request, "incidents.pupil_tell.device", key=_device_key, method="POST")
    over_ip = ratelimits.hit(request, "incidents.pupil_tell.ip", key=_ip_key, method="POST")
    if over_device or over_ip:
        name = "incidents.pupil_tell.device" if over_device else "incidents.pupil_tell.ip"
        response = _page(request, "incidents/tell/too_many.html", context, status=429)
        response["Retry-After"] = str(ratelimits._split(ratelimits.rate_for(name))[1])
        return response
    if request.FILES:
        # No pictures or files, ever (a nude image of a child must never be stored): an empty form and why.
        form = PupilTellForm(initial={"submission_token": uuid.uuid4()})
        return _page(request, "incidents/tell/form.html", {**context, "form": form, "files_refused": True}, status=400)
    form = PupilTellForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # A bot filled the hidden field: it gets exactly what a pupil gets, and nothing is recorded.
            return redirect("incidents:tell_thanks", key=key)
        try:
            pupil_reports.pupil_report(
                school=school,
                about=data["about"],
                description=data["description"],
                when=data["when"],
                name=data["name"],
                still_happening=form.still_happening_value(),
                submission_token=data["submission_token"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            return redirect("incidents:tell_thanks", key=key)
    return _page(request, "incidents/tell/form.html", {**context, "form": form}, status=400)


@never_cache
@require_GET
def tell_thanks(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The same page for every send: it knows nothing of what was sent, or whether anything was."""
    school = pupil_reports.school_for_key(key)
    if school is None:
        return _gone(request)
    return _page(request, "incidents/tell/thanks.html", {"school": school, "key": key})


@never_cache
@require_GET
def tell_root(request: HttpRequest) -> HttpResponse:
    """/incidents/tell/ with no key: where to get help (and the device cookie's path)."""
    return _gone(request, status=200)


# --- The DSL team: the link, its QR code, replacing it ------------------------------------------------


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@require_http_methods(["GET", "POST"])
def pupil_link(request: PortalRequest) -> HttpResponse:
    school = request.portal.school
    if request.method == "POST" and request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to say the printed QR codes will stop working, then replace the link.")
        return redirect("incidents:pupil_link")
    if request.method == "POST":
        pupil_reports.pupil_link_rotate(school=school, by=request.portal.user, origin=origin_of(request))
        messages.success(
            request,
            "The link has been replaced. The old link and QR code no longer work: print the new one for your posters.",
        )
        return redirect("incidents:pupil_link")
    link = pupil_reports.pupil_link_for(school=school)
    url = request.build_absolute_uri(reverse("incidents:tell", args=[link.key]))
    return render(request, "incidents/pupil_link.html", {"link": link, "url": url, "svg": _qr_svg(url)})
