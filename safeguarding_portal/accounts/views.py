from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.selectors import sign_ins_of
from safeguarding_portal.audit.services import audit_record

from . import resume, services
from .forms import CodeForm, EnrolForm, QueuedPasswordResetForm, SignInForm


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Recorded whether or not the address has an account; the page never says which.
        audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, request=self.request, actor=None,
                     actor_email=form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=AuditAction.PASSWORD_CHANGED, request=self.request, actor=form.user, school=None,
                     summary="Password set from an emailed reset link")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=AuditAction.PASSWORD_CHANGED, request=self.request, school=None)
        return response


@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect(f"{reverse_lazy('accounts:two_factor_setup')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = services.backup_codes_remaining(user=request.user)
                audit_record(action=AuditAction.BACKUP_CODE_USED, request=request, school=None,
                             summary=f"{left} backup codes left")
                messages.warning(request, f"You used a backup code. {left} remain: set up your phone again from "
                                          "Sign-in and security if you have lost it.")
            else:
                audit_record(action=AuditAction.TWO_FACTOR_VERIFIED, request=request, school=None)
            return redirect(_next_url(request))
        audit_record(action=AuditAction.TWO_FACTOR_FAILED, request=request, school=None)
        form.add_error("code", "That code is not right. Codes change every 30 seconds: try the current one.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        # Replacing a phone needs the old one (or a backup code) first; a lost phone needs an admin reset.
        return redirect(f"{reverse_lazy('accounts:two_factor_verify')}?next={_next_url(request)}")
    device = services.totp_device_pending(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            services.totp_confirm(user=request.user, device=device, request=request)
            otp_login(request, device)
            codes = services.backup_codes_regenerate(user=request.user, request=request)
            return render(request, "accounts/backup_codes.html",
                          {"codes": codes, "first_time": True, "next": _next_url(request)})
        form.add_error("code", "That code did not match. Check the time on your phone is set automatically, "
                               "then type the code your app shows now.")
    manual_key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "manual_key": " ".join(manual_key[i:i + 4] for i in range(0, len(manual_key), 4)),
        "next": _next_url(request),
    })


@never_cache
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    device = services.totp_device_pending(user=request.user)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        messages.error(request, "Confirm a code from your authenticator app first.")
        return redirect("accounts:two_factor_verify")
    codes = services.backup_codes_regenerate(user=request.user, request=request)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": False, "next": "/"})


@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", {
        "has_totp": user_has_device(request.user, confirmed=True),
        "verified": request.user.is_verified(),
        "needs_two_factor": request.portal.needs_two_factor,
        "backup_codes_left": services.backup_codes_remaining(user=request.user),
        "recent_sign_ins": sign_ins_of(user=request.user)[:10],
    })


def resume_post(request: HttpRequest, token: str) -> HttpResponse:
    return resume.resume_view(request, token)
