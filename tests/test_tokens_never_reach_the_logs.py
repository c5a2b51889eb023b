"""Signing, manage, password-reset and kept-form links, and monitoring webhook addresses, carry their secret in the
path. No log line holds one: not gunicorn's access log (deploy/gunicorn.conf.py), not Django's request logging
("Not Found: <path>"). Every URL with a token in its path is found and checked, so a new one cannot be missed."""

from __future__ import annotations

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from aup import services as aup_services

from . import factories_aup as fa

pytestmark = pytest.mark.django_db

TOKEN = "Zq9xK2mB7vLw4RtY8pN3"
CODE = "ABCDEFGHJKMNPQRS"


def _secret_urls() -> list[str]:
    return [
        reverse("aup:sign", args=[TOKEN]),
        reverse("aup:signed", args=[TOKEN]),
        reverse("aup:signed_certificate", args=[TOKEN, CODE]),
        reverse("accounts:password_reset_confirm", args=["MTIz", TOKEN]),
        reverse("accounts:resume", args=[TOKEN]),
        reverse("accounts:login") + "?next=" + reverse("accounts:resume", args=[TOKEN]).replace("/", "%2F"),
    ]


def _gunicorn_line(path: str, query: str = "") -> str:
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    from gunicorn.config import Config

    cfg = Config()
    for name in ("access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "Mobile Safari",
        "HTTP_REFERER": settings.SITE_URL + path,
    }
    resp = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    req = SimpleNamespace(headers=[("REFERER", settings.SITE_URL + path)])
    atoms = logger.atoms_wrapper_class(logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=12)))
    return cfg.access_log_format % atoms + " " + " ".join(str(v) for v in atoms.values())


def test_gunicorns_access_log_holds_no_token():
    for url in _secret_urls():
        path, _, query = url.partition("?")
        line = _gunicorn_line(path, query)
        assert TOKEN not in line and CODE not in line, line
        assert "[redacted]" in line


def test_gunicorns_access_log_still_says_which_page_was_asked_for():
    line = _gunicorn_line(reverse("aup:sign", args=[TOKEN]))
    assert '"GET /agreements/s/[redacted]/ HTTP/1.1" 200' in line


def test_djangos_request_log_holds_no_signing_token(client, school, caplog):
    fam = fa.family(school)
    invitation = fa.invitation_of(fa.campaign(school, notify=False), fam.guardian)
    token = aup_services.signing_token(invitation)
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("aup:sign", args=[wrong])).status_code == 404

    [record] = [r for r in caplog.records if r.name == "django.request"]
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert console.filter(record)
    written = console.format(record)
    assert wrong not in written
    assert "Not Found: /agreements/s/[redacted]/" in written


def test_every_secret_url_is_redacted_by_the_portals_log_filter():
    from safeguarding_portal.core.redact import RedactTokensFilter

    for url in _secret_urls():
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (url,), None)
        RedactTokensFilter().filter(record)
        assert TOKEN not in record.getMessage() and CODE not in record.getMessage(), record.getMessage()


def _routes_with_a_token(patterns, prefix: str = "", namespace: str = ""):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes_with_a_token(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name and "token" in getattr(entry.pattern, "converters", {}):
            yield f"{namespace}{entry.name}", entry.pattern.converters


def test_every_url_with_a_token_in_its_path_is_redacted():
    # A new page with a secret in its path (a webhook address, a link in an email) is caught here, not in a log.
    from django.urls import get_resolver

    from safeguarding_portal.core.redact import redact

    found = []
    for name, converters in _routes_with_a_token(get_resolver().url_patterns):
        args = {key: TOKEN if key == "token" else CODE if key == "code" else "MTIz" for key in converters}
        url = reverse(name, kwargs=args)
        found.append(name)
        assert TOKEN not in redact(url), f"{name}: {redact(url)}"
    assert {"aup:sign", "aup:signed", "accounts:resume"} <= set(found)
