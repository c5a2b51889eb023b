"""allauth's URLs the single sign-on flow needs, under /accounts/sso/ (accounts/sso.py).

Only the providers' login and callback views come from allauth. Its own account pages (sign-up, password
reset, email management) are not mounted at all; the few of its names allauth reverses in the flow lead to
the portal's pages. Every view here is a public sign-in page (policy.URL_RULES).
"""

from __future__ import annotations

import functools

from allauth.socialaccount.models import SocialApp
from allauth.urls import build_provider_urlpatterns
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from . import views


def _guarded(view, *, starts_a_sign_in: bool):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if starts_a_sign_in:
            # Sign-ins start from the sign-in page's buttons (accounts:sso_start), which pick the school.
            return redirect("accounts:login")
        try:
            return view(request, *args, **kwargs)
        except (SocialApp.DoesNotExist, Http404):
            # No school chosen in this session (a stale or forged callback): back to the sign-in page.
            messages.error(request, "That sign-in could not be finished. Choose your school's button again.")
            return redirect("accounts:login")

    return wrapper


def _guard(patterns):
    # Google's one-tap token sign-in skips the sign-in page's choice of school: not mounted.
    patterns[:] = [e for e in patterns if getattr(e, "name", None) != "google_login_by_token"]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _guard(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = _guarded(entry.callback, starts_a_sign_in=entry.name.endswith("_login"))
    return patterns


urlpatterns = [
    # Names allauth reverses during the flow, answered by the portal's own pages.
    path("sign-in/", RedirectView.as_view(pattern_name="accounts:login"), name="account_login"),
    path("inactive/", views.sso_refused, {}, name="account_inactive"),
    path("signup/", views.sso_refused, name="socialaccount_signup"),
    path("error/", views.sso_refused, name="socialaccount_login_error"),
    path("cancelled/", views.sso_cancelled, name="socialaccount_login_cancelled"),
    *_guard(build_provider_urlpatterns()),
]
