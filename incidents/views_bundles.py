"""Views of signed transfer bundles: send (in the portal or by a one-time link), download, receive and accept,
import from another system, verify, and the pupil's move. Thin: writes in ``transfer_bundles``, the format and
its check in ``bundles``. Every view of a bundle or of received records is audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record, origin_of, record_view
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.ratelimits import limited
from safeguarding_portal.schools.models import URN_VALIDATOR, Pupil, School

from . import bundles, transfer_bundles
from .views_pupils import _pupil_or_404, _transfer_or_404

MAX_UPLOAD = bundles.MAX_BUNDLE_BYTES


class PortalSendForm(forms.Form):
    to_school = forms.ModelChoiceField(label="The pupil's new school (on this portal)", queryset=School.objects.none())

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = School.objects.exclude(pk=school.pk).order_by("name")


class LinkSendForm(forms.Form):
    receiving_school = forms.CharField(label="Receiving school", max_length=200)
    receiving_urn = forms.CharField(
        label="Receiving school's URN", max_length=6, required=False, validators=[URN_VALIDATOR]
    )
    recipient_email = forms.EmailField(label="Receiving DSL's email address")


class UploadForm(forms.Form):
    bundle = forms.FileField(label="Transfer bundle (.zip)")
    fingerprint = forms.CharField(
        label="Sending school's key fingerprint (optional)",
        required=False,
        max_length=100,
        help_text="If the sending school read it to you, type it: a bundle signed with any other key is refused.",
    )


class AcceptForm(forms.Form):
    pupil = forms.ModelChoiceField(label="File under pupil", queryset=Pupil.objects.none())

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(school=school).order_by("surname", "legal_forename")


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(label="Leaving on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    destination_school = forms.CharField(label="Destination school", max_length=200)
    destination_urn = forms.CharField(
        label="Destination school's URN", max_length=6, required=False, validators=[URN_VALIDATOR]
    )


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label="Passphrase (from the second email)",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ConfirmReceiptForm(forms.Form):
    confirmed_by_name = forms.CharField(label="Your name and role (for example: J Smith, DSL)", max_length=200)


def _zip_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _read_upload(upload) -> bytes:
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"bundle": "That file is too large to be a transfer bundle."})
    return upload.read()


# --- Sending ----------------------------------------------------------------------------------------------------


@require_POST
def bundle_send(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer_or_404(request, transfer_id)
    school = request.portal.school
    action = request.POST.get("action")
    form = (
        PortalSendForm(request.POST, school=school)
        if action == "portal"
        else LinkSendForm(request.POST)
        if action == "link"
        else None
    )
    if form is None or not form.is_valid():
        errors = [e for errs in (form.errors.values() if form else [["That action is not recognised."]]) for e in errs]
        messages.error(request, " ".join(errors))
        return redirect("incidents:transfer", transfer_id=transfer.pk)
    try:
        if action == "portal":
            transfer_bundles.bundle_send_in_portal(
                school=school,
                transfer=transfer,
                by=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
            messages.success(
                request,
                f"The signed bundle is with {form.cleaned_data['to_school'].name}'s DSL team. "
                "Receipt is recorded here when they accept it.",
            )
        else:
            sent = transfer_bundles.bundle_send_link(
                school=school,
                transfer=transfer,
                by=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
            messages.success(
                request,
                "The link and the passphrase went in two separate emails. If the receiving "
                f"DSL needs it by phone, the passphrase is {sent.passphrase} (it is not "
                "shown again).",
            )
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    return redirect("incidents:transfer", transfer_id=transfer.pk)


def bundle_download(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer_or_404(request, transfer_id)
    bundle = getattr(transfer, "bundle", None)
    if bundle is None or not bundle.file:
        raise Http404("No bundle was made for this file, or it was disposed of under the retention schedule")
    with bundle.file.open("rb") as handle:
        data = handle.read()
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        request=request,
        obj=transfer,
        summary=f"CP file bundle downloaded for pupil {transfer.pupil.upn}",
        detail={"export": "cp_file_bundle", "bundle": str(bundle.bundle_id), "sha256": bundle.sha256},
    )
    return _zip_response(data, f"cp-file-{transfer.pupil.upn}-{bundle.built_at:%Y%m%d}.zip")


# --- The one-time link (public: the token and the passphrase are the keys) ----------------------------------


@limited("incidents.bundle_link.ip", key="ip")
def bundle_link(request: HttpRequest, token: str) -> HttpResponse:
    bundle = transfer_bundles.link_bundle(token=token)
    form = PassphraseForm(request.POST or None)
    if request.method == "POST" and bundle is not None and form.is_valid():
        try:
            data = transfer_bundles.link_download(token=token, origin=origin_of(request), **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_errors_to_form(form, exc)
            else:
                messages.error(request, " ".join(error_messages(exc)))
        else:
            return _zip_response(data, f"cp-file-bundle-{bundle.bundle_id}.zip")
    state = transfer_bundles.link_state(bundle) if bundle else "invalid"
    return render(
        request,
        "incidents/bundle_link.html",
        {
            "bundle": bundle,
            "state": state,
            "form": form,
            "token": token,
            "fingerprint": bundles.spaced(bundle.fingerprint) if bundle else "",
        },
        status=404 if bundle is None else 200,
    )


@limited("incidents.bundle_link.ip", key="ip")
def bundle_link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    bundle = transfer_bundles.link_bundle(token=token)
    form = ConfirmReceiptForm(request.POST or None)
    done = bool(bundle and bundle.transfer.confirmed_at)
    if request.method == "POST" and bundle is not None and form.is_valid():
        try:
            transfer_bundles.link_confirm(token=token, origin=origin_of(request), **form.cleaned_data)
            done = True
        except ValidationError as exc:
            messages.error(request, " ".join(error_messages(exc)))
    return render(
        request,
        "incidents/bundle_link_confirm.html",
        {"bundle": bundle, "form": form, "done": done},
        status=404 if bundle is None else 200,
    )


# --- Receiving ----------------------------------------------------------------------------------------------


def received_list(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = UploadForm()
    if request.method == "POST" and request.POST.get("action") == "make_key":
        # Made when asked for (to read its fingerprint to a school) or when the first bundle is signed, never by
        # opening the page: a GET changes nothing.
        transfer_bundles.signing_key_ensure(school=school, by=request.user, origin=origin_of(request))
        return redirect(reverse("incidents:received_list") + "#key-heading")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                received = transfer_bundles.received_import(
                    school=school,
                    data=_read_upload(form.cleaned_data["bundle"]),
                    by=request.user,
                    expected_fingerprint=form.cleaned_data["fingerprint"],
                    origin=origin_of(request),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_errors_to_form(form, exc)
                else:
                    form.add_error(None, " ".join(error_messages(exc)))
            else:
                messages.success(
                    request,
                    "The bundle verified. Check the fingerprint with the sending school, then file it under the pupil.",
                )
                return redirect("incidents:received", received_id=received.pk)
    found = list(transfer_bundles.received_for(school=school))
    key = transfer_bundles.signing_key_of(school=school)
    return render(
        request,
        "incidents/received_list.html",
        {
            "incoming": [r for r in found if r.state == "incoming"],
            "accepted": [r for r in found if r.state == "accepted"][:50],
            "form": form,
            "key": key,
            "fingerprint": bundles.spaced(key.fingerprint) if key else "",
            "leavers": list(transfer_bundles.leavers_needing_notice(school=school)[:50]),
        },
    )


def received_detail(request: HttpRequest, received_id: int) -> HttpResponse:
    school = request.portal.school
    received = transfer_bundles.received_one(school=school, received_id=received_id)
    if received is None:
        raise Http404("No such received file at this school")
    match = Pupil.objects.filter(school=school, upn=received.pupil_upn).first()
    form = AcceptForm(request.POST or None, school=school, initial={"pupil": match})
    if request.method == "POST" and form.is_valid():
        try:
            transfer_bundles.received_accept(
                received=received, by=request.user, origin=origin_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(error_messages(exc)))
        else:
            messages.success(request, "Accepted: the records are in the pupil's chronology, marked as received.")
            return redirect("incidents:chronology", pupil_id=form.cleaned_data["pupil"].pk)
    check = transfer_bundles.read_received(received)
    known = transfer_bundles.known_fingerprint(school_name=received.from_school_name, urn=received.from_school_urn)
    if request.method == "GET":
        record_view(
            request=request,
            obj=received,
            summary=f"Received CP file from {received.from_school_name} for UPN {received.pupil_upn}",
        )
    return render(
        request,
        "incidents/received_detail.html",
        {
            "received": received,
            "check": check,
            "form": form,
            "match": match,
            "known_fingerprint": bundles.spaced(known) if known else "",
            "known_matches": known == received.fingerprint,
            "records": bundles.grouped(check.records),
            "fingerprint": bundles.spaced(received.fingerprint),
        },
    )


def bundle_verify(request: HttpRequest) -> HttpResponse:
    """Check any bundle without keeping it: verified, or refused with the first broken link named."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            data = _read_upload(form.cleaned_data["bundle"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            result = bundles.verify(data, expected_fingerprint=form.cleaned_data["fingerprint"])
            import hashlib

            audit_record(
                action=AuditAction.RECORD_VIEWED,
                request=request,
                summary=f"CP file bundle checked on the verify page: {'verified' if result.ok else 'refused'}",
                detail={
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "fingerprint": result.fingerprint,
                    "problem": str(result.first or ""),
                },
            )
    return render(request, "incidents/bundle_verify.html", {"form": form, "result": result})


# --- The pupil's move ---------------------------------------------------------------------------------------


@require_POST
def pupil_leaving(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id)
    if request.POST.get("action") == "early_notice":
        transfer_bundles.early_notice_recorded(pupil=pupil, by=request.user, origin=origin_of(request))
        messages.success(request, "Recorded: the essential information went ahead of the file.")
        return redirect("incidents:chronology", pupil_id=pupil.pk)
    form = LeavingForm(request.POST)
    if form.is_valid():
        try:
            transfer_bundles.pupil_mark_leaving(
                pupil=pupil, by=request.user, origin=origin_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(error_messages(exc)))
        else:
            messages.success(
                request,
                "Marked as leaving. Send the new school's DSL the essential information now, "
                "ahead of the file, and record it here.",
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("incidents:chronology", pupil_id=pupil.pk)
