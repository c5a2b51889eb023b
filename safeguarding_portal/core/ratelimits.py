"""Rate limits on the pages anyone can reach or hammer, by user and by the one client IP (core/clientip.py).

Counts live in the cache (django-ratelimit's fixed windows). A cache that does not answer lets the request
through: a parent signing, or someone resetting a forgotten password, is never refused because Redis is down.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django_ratelimit import ALL as RATELIMIT_ALL
from django_ratelimit.core import _split_rate, get_usage

log = logging.getLogger(__name__)

# name -> rate ("count/period", period in s, m, h or d, optionally with a multiple: "30/10m"). Generous enough for
# a school: one office tablet signs in every visitor of the morning, and a whole school shares one public IP.
RATES: dict[str, str] = {
    "password_reset.ip": "20/h",
    "password_reset.email": "3/h",  # emails to one address, whoever asks
    "aup.verify.ip": "30/m",
    "aup.visitor.ip": "60/10m",  # signatures from one place
    "aup.signing.ip": "120/m",  # the parent's link pages (sign, signed, certificate)
    "incidents.pupil_options.user": "120/m",  # type-ahead: a request per keystroke, at most
    "incidents.pupil_options.ip": "600/m",
    # A pupil telling the safeguarding team (incidents/views_pupil_reports.py): a few sends an hour from one
    # device is more than anyone needs to tell; the whole school shares one address, so that limit is wide.
    "incidents.pupil_tell.device": "5/h",
    "incidents.pupil_tell.ip": "120/h",
    # The one-time CP file link (public: its token and a passphrase sent apart are the keys): a receiving DSL
    # opens it, types the passphrase and confirms receipt in a few requests; guessing tokens or passphrases is not.
    "incidents.bundle_link.ip": "20/10m",
}

Key = str | Callable[[str, HttpRequest], str]
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def rate_for(name: str) -> str:
    rate: str = getattr(settings, "RATE_LIMITS", {}).get(name, RATES[name])
    return rate


# Every method, or one method named as a string ("POST").
ALL = RATELIMIT_ALL


def hit(request: HttpRequest, name: str, *, key: Key, method: str | tuple[str, ...] = ALL) -> bool:
    """Count this request against ``name``; True when it is over the limit."""
    try:
        usage = get_usage(request, group=name, key=key, rate=rate_for(name), method=method, increment=True)
    except Exception as exc:  # the cache is down: fail open, loudly
        log.warning("rate limit %s not checked: %s", name, exc)
        return False
    return bool(usage and usage["should_limit"])


def too_many(request: HttpRequest, name: str) -> HttpResponse:
    _count, seconds = _split(rate_for(name))
    response = render(request, "errors/429.html", {"public": True}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _split(rate: str) -> tuple[int, int]:
    count, seconds = _split_rate(rate)
    return int(count), int(seconds)


def limited(name: str, *, key: Key, method: str | tuple[str, ...] = ALL) -> Callable[[_View], _View]:
    """Decorate a view: over the limit, a 429 page that says to wait, instead of the view."""

    def decorator(view: _View) -> _View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if hit(request, name, key=key, method=method):
                return too_many(request, name)
            return view(request, *args, **kwargs)

        return cast("_View", wrapper)

    return decorator
