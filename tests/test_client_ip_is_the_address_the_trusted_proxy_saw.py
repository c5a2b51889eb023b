"""One client IP for the audit log, signature evidence, lockouts and rate limits: the address the trusted proxy
saw, never a header the visitor wrote.

Behind PROXY_COUNT reverse proxies, each appending the address it was connected from to X-Forwarded-For (nginx's
``$proxy_add_x_forwarded_for``), the client is the PROXY_COUNT-th entry from the right; anything to its left was
sent by the visitor. X-Real-IP is never set by the documented proxy, so it is never believed.
"""

import pathlib
import re

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from aup import services as aup_services
from aup.models import Signature
from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.core.clientip import client_ip

from . import factories_aup as f
from .factories import PASSWORD
from .project_files import NOT_THE_PROJECT

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
REAL = "81.2.69.142"
FORGED = "6.6.6.6"


def _through_proxy(client_address: str, forged: str | None = FORGED) -> dict:
    """What gunicorn receives from nginx for a visitor at ``client_address`` who sent forged headers."""
    sent_by_visitor = [forged] if forged else []
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join([*sent_by_visitor, client_address])}
    if forged:
        meta["HTTP_X_REAL_IP"] = forged
    return meta


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.PROXY_COUNT = 1
    axes_reset()
    yield
    axes_reset()


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client():
    request = RequestFactory().get("/", **_through_proxy(REAL))
    assert client_ip(request) == REAL


def test_behind_two_proxies_the_load_balancers_entry_is_the_client(settings):
    settings.PROXY_COUNT = 2
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{FORGED}, {REAL}, 10.0.0.2"}
    assert client_ip(RequestFactory().get("/", **meta)) == REAL


def test_without_a_proxy_forwarded_headers_are_ignored(settings):
    settings.PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=FORGED, HTTP_X_REAL_IP=FORGED)
    assert client_ip(request) == "198.51.100.9"


def test_a_request_that_did_not_pass_the_proxy_is_the_socket_address():
    # A health probe on the machine itself: no X-Forwarded-For at all.
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=PROXY)) == PROXY


def test_a_garbled_forwarded_header_falls_back_to_the_socket_address():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == PROXY


def test_the_audit_log_records_the_client_not_the_forged_first_hop(client, staff):
    response = password_sign_in(client, staff.email, PASSWORD, **_through_proxy(REAL))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN, actor=staff)
    assert event.ip == REAL


def test_signature_evidence_ignores_a_forged_x_real_ip(client, school):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[aup_services.signing_token(invitation)])

    response = client.post(url, f.sign_form(invitation), **_through_proxy(REAL))

    assert response.status_code == 302
    ips = set(Signature.objects.filter(request__invitation=invitation).values_list("ip_address", flat=True))
    assert ips == {REAL}


def test_wrong_passwords_from_one_address_do_not_lock_the_head_out_everywhere(client, head):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_sign_in(client, head.email, "wrong-guess-123", **_through_proxy("203.0.113.66", forged=None))
    locked = password_sign_in(client, head.email, PASSWORD, **_through_proxy("203.0.113.66", forged=None))
    assert locked.status_code in (403, 429)

    # The real headteacher, at school, through the same proxy.
    response = password_sign_in(client, head.email, PASSWORD, **_through_proxy(REAL, forged=None))

    assert response.status_code == 302
    lockout = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).first()
    assert lockout.ip == "203.0.113.66"


def test_a_forged_forwarded_header_does_not_buy_more_guesses(client, staff):
    # Each guess claims another address on the left; the proxy's entry on the right is the same every time.
    for n in range(settings.AXES_FAILURE_LIMIT):
        password_sign_in(client, staff.email, "wrong-guess-123", **_through_proxy(REAL, forged=f"6.6.6.{n}"))

    response = password_sign_in(client, staff.email, PASSWORD, **_through_proxy(REAL, forged="6.6.6.99"))

    assert response.status_code in (403, 429)


# Code that reads an address header itself (comments are left out: settings explain the proxy in words).
_READS_AN_ADDRESS = re.compile(
    r"REMOTE_ADDR|X_FORWARDED_FOR|X_REAL_IP|HTTP_CLIENT_IP|\bipware\b|[\"'](x-forwarded-for|x-real-ip)[\"']", re.I
)


def _code_lines(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_only_the_one_helper_reads_the_clients_address():
    root = pathlib.Path(settings.BASE_DIR)
    readers = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_THE_PROJECT or parts[0].startswith(".") or "migrations" in parts:
            continue
        if _READS_AN_ADDRESS.search(_code_lines(path.read_text(encoding="utf-8"))):
            readers.append(str(path.relative_to(root)))
    assert readers == ["safeguarding_portal/core/clientip.py"]


def test_the_address_scan_sees_a_hand_written_reading():
    assert _READS_AN_ADDRESS.search(_code_lines('ip = request.META.get("HTTP_X_REAL_IP")'))
    assert _READS_AN_ADDRESS.search(_code_lines("ip = request.headers.get('X-Forwarded-For')"))
    assert not _READS_AN_ADDRESS.search(_code_lines("# behind X_FORWARDED_FOR, see clientip"))
