"""The pupil's page promises they can tell anonymously, and a school device's address says which classroom: a
send to /incidents/tell/<key>/ leaves the pupil's address nowhere. gunicorn's access log keeps the line without
the client's address, the forwarded addresses or the browser (other pages keep theirs); the database, the audit
log included, holds no trace of it; Django's own logging neither. The throttle counts by a hash in the cache."""

from __future__ import annotations

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from incidents.models import Incident
from safeguarding_portal.audit.models import AuditEvent

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db

PUPIL_IP = "203.0.113.77"
PROXY_IP = "198.51.100.9"
BROWSER = "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) SchoolChromebook/Room-12"


def _gunicorn_line(path: str, *, method: str = "POST") -> str:
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    from gunicorn.config import Config

    cfg = Config()
    for name in ("access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": PUPIL_IP,
        "HTTP_USER_AGENT": BROWSER,
        "HTTP_X_FORWARDED_FOR": f"{PUPIL_IP}, {PROXY_IP}",
    }
    resp = SimpleNamespace(status="302 Found", sent=0, headers=[])
    req = SimpleNamespace(
        headers=[("X-FORWARDED-FOR", f"{PUPIL_IP}, {PROXY_IP}"), ("X-REAL-IP", PUPIL_IP), ("USER-AGENT", BROWSER)]
    )
    atoms = logger.atoms_wrapper_class(logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=40)))
    # The configured line, and every atom a changed access_log_format could name.
    return cfg.access_log_format % atoms + " " + " ".join(str(v) for v in atoms.values())


def test_gunicorns_line_for_a_pupils_send_has_no_address_and_no_browser(school):
    line = _gunicorn_line(tell_url(school))
    assert PUPIL_IP not in line and PROXY_IP not in line and "Room-12" not in line, line
    # Still says what happened, for whoever runs the server.
    assert f'"POST {tell_url(school)} HTTP/1.1" 302' in line


def test_other_pages_keep_their_address_in_the_access_log():
    line = _gunicorn_line(reverse("accounts:login"))
    assert line.startswith(f"{PUPIL_IP} ") and "Room-12" in line


def _every_stored_value() -> str:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        texts = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            texts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(texts)


def test_a_pupils_send_stores_no_address_anywhere_in_the_database(client, school, dsl, caplog):
    headers = {"REMOTE_ADDR": PUPIL_IP, "HTTP_X_FORWARDED_FOR": PUPIL_IP, "HTTP_USER_AGENT": BROWSER}
    with caplog.at_level(logging.DEBUG):
        sent = client.post(tell_url(school), pupil_payload(), **headers)
        refused = client.post(tell_url(school), pupil_payload(description=""), **headers)  # a form error
    assert sent.status_code == 302 and refused.status_code == 400
    assert Incident.objects.filter(school=school).count() == 1

    stored = _every_stored_value()
    assert PUPIL_IP not in stored and "Room-12" not in stored
    assert not AuditEvent.objects.filter(ip=PUPIL_IP).exists()
    assert PUPIL_IP not in caplog.text and "Room-12" not in caplog.text
