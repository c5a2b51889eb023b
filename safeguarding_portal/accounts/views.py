from __future__ import annotations

import base64
import io
from functools import cached_property

import qrcode
import qrcode.image.svg
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import AuthProcess
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.selectors import sign_ins_of
from safeguarding_portal.audit.services import audit_record, origin_of, request_school
from safeguarding_portal.core import ratelimits

from . import resume, services, sso
from .forms import CodeForm, EnrolForm, QueuedPasswordResetForm, SignInForm
from .selectors import failed_sign_ins_for


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _with_next(view_name: str, next_url: str) -> str:
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def _wait_message(seconds: int) -> str:
    wait = f"{seconds} second{'s' if seconds != 1 else ''}" if seconds < 120 else f"{-(-seconds // 60)} minutes"
    return f"Too many wrong codes in a row. Wait {wait}, then type the code your app shows at that moment."


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["single_sign_ons"] = self.single_sign_ons
        return context

    @cached_property
    def single_sign_ons(self):
        return sso.enabled_configs()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        origins = sso.provider_origins(self.single_sign_ons)
        if origins:
            # A button posts here and is redirected to the school's provider: the page's form-action allows it.
            response._csp_update = {"form-action": origins}
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        # Someone who set up two-factor sign-in by choice is asked for a code too, even if no role requires it.
        if user_has_device(form.get_user(), confirmed=True):
            self.request.session[services.TWO_FACTOR_CHOSEN_SESSION_KEY] = True
        return response


class SignOutView(auth_views.LogoutView):
    pass


@never_cache
@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """A sign-in page button: remember which school's provider, then let allauth send the browser there."""
    config = next((c for c in sso.enabled_configs() if str(c.pk) == request.POST.get("sso", "")), None)
    if config is None:
        messages.error(request, "That sign-in button is no longer set up. Choose again, or use your password.")
        return redirect("accounts:login")
    request.session[sso.SESSION_KEY] = config.pk
    provider = get_adapter().get_provider(request, config.provider_id)
    return provider.redirect(request, process=AuthProcess.LOGIN, next_url=_next_url(request, "/"))


@never_cache
def sso_refused(request: HttpRequest) -> HttpResponse:
    """Where allauth's own dead ends (signup, an inactive account, an error) lead: the refusal page."""
    return sso.refusal_response(
        request, sso.chosen_config(request), request.GET.get("why", "provider_error"), status=200
    )


@never_cache
def sso_cancelled(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Signing in with your school account was cancelled. Try again, or use your password.")
    return redirect("accounts:login")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and ratelimits.hit(request, "password_reset.ip", key="ip"):
            return ratelimits.too_many(request, "password_reset.ip")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        # Only a few emails an hour to one address, whoever asks; the page says the same either way, so it
        # never tells whether the address has an account, nor that it was limited.
        flooded = ratelimits.hit(self.request, "password_reset.email", key=lambda group, request: email)
        # Recorded whether or not the address has an account; the page never says which.
        audit_record(
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            request=self.request,
            actor=None,
            school=None,
            actor_email=email,
            detail={"not_sent": "too many requests for this address"} if flooded else None,
        )
        if flooded:
            return redirect(self.get_success_url())
        # The link points at the configured site, never at whatever Host header the request carried.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever opened the emailed link controls the mailbox: lift a lockout on the account, or the locked-out
        # page's advice to reset the password would leave them locked out anyway.
        cleared = axes_reset(username=form.user.email.lower())
        audit_record(
            action=AuditAction.PASSWORD_CHANGED,
            request=self.request,
            actor=form.user,
            school=None,
            summary="Password set from an emailed reset link",
            detail={"lockout_cleared": bool(cleared)},
        )
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
    next_url = _next_url(request)
    if not user_has_device(request.user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    if request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.two_factor_code_check(user=request.user, code=form.cleaned_data["code"])
        device = check.device
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = services.backup_codes_remaining(user=request.user)
                audit_record(
                    action=AuditAction.BACKUP_CODE_USED,
                    request=request,
                    school=None,
                    summary=f"{left} backup codes left",
                    detail={"backup_codes_left": left},
                )
                messages.warning(
                    request,
                    f"You used a backup code. {left} remain: set up your phone again from "
                    "Sign-in and security if you have lost it.",
                )
            else:
                audit_record(action=AuditAction.TWO_FACTOR_VERIFIED, request=request, school=None)
            return redirect(next_url)
        audit_record(
            action=AuditAction.TWO_FACTOR_FAILED,
            request=request,
            school=None,
            detail={"throttled_seconds": check.wait_seconds},
        )
        form.add_error(
            "code",
            _wait_message(check.wait_seconds)
            if check.wait_seconds
            else "That code is not right. Codes change every 30 seconds: type the one your app shows now, "
            "or one of your backup codes.",
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _enrolment_blocked(request: HttpRequest) -> bool:
    # Replacing a phone needs the old one (or a backup code) first; a lost phone needs an admin reset.
    return user_has_device(request.user, confirmed=True) and not request.user.is_verified()


@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if _enrolment_blocked(request):
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    device = services.totp_device_pending(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A code typed while throttled is not looked at; say so rather than calling a right code wrong.
        wait = services.seconds_until_allowed(device)
        if not wait and device.verify_token(form.cleaned_data["code"]):
            services.totp_confirm(
                user=request.user, device=device, school=request_school(request), origin=origin_of(request)
            )
            otp_login(request, device)
            codes = services.backup_codes_regenerate(
                user=request.user, school=request_school(request), origin=origin_of(request)
            )
            return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": True, "next": next_url})
        form.add_error(
            "code",
            _wait_message(wait)
            if wait
            else "That code did not match. Check the time on your phone is set automatically, "
            "then type the code your app shows now.",
        )
    manual_key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "manual_key": " ".join(manual_key[i : i + 4] for i in range(0, len(manual_key), 4)),
            "next": next_url,
        },
    )


@never_cache
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    if _enrolment_blocked(request):
        return HttpResponse(
            "Confirm a code from your current authenticator app first.", status=403, content_type="text/plain"
        )
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
    codes = services.backup_codes_regenerate(
        user=request.user, school=request_school(request), origin=origin_of(request)
    )
    return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": False, "next": "/"})


@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": user_has_device(request.user, confirmed=True),
            "verified": request.user.is_verified(),
            "needs_two_factor": request.portal.needs_two_factor,
            "backup_codes_left": services.backup_codes_remaining(user=request.user),
            "recent_sign_ins": sign_ins_of(user=request.user)[:10],
            "recent_failures": failed_sign_ins_for(user=request.user)[:10],
        },
    )


def resume_post(request: HttpRequest, token: str) -> HttpResponse:
    return resume.resume_view(request, token)
