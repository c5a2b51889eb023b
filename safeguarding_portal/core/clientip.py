"""The one client IP address: what the audit log, signature evidence, lockouts and rate limits all record.

Behind ``PROXY_COUNT`` reverse proxies, each appending the address it was connected from to X-Forwarded-For
(nginx's ``$proxy_add_x_forwarded_for``, as the README configures it), the client is the ``PROXY_COUNT``-th
entry from the right: everything to its left was written by the visitor and proves nothing. No other header
is read (X-Real-IP, Client-IP... are whatever the visitor sent, since the documented proxy does not set them),
and with no proxy configured X-Forwarded-For is ignored too: the socket's address is the client.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from ipware.ip import get_client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies and request.META.get(FORWARDED_HEADER):
        # ipware counts the proxies *inside* the header (the nearest proxy's own address is REMOTE_ADDR, not
        # an entry), so n proxies in front of gunicorn are n - 1 to ipware; not strict: extra entries on the
        # left are the visitor's own and are skipped, not a reason to give up.
        ip, _routable = get_client_ip(
            request, proxy_count=proxies - 1, request_header_order=[FORWARDED_HEADER], strict=False
        )
        if ip:
            return ip
    # No proxy, or a request that reached gunicorn without passing through it (a probe on the host itself).
    return _address(request.META.get("REMOTE_ADDR"))
