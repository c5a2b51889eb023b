"""Alert emails forwarded to a school's address, received by ``manage.py receive_alerts`` (aiosmtpd).

The message is kept exactly as received (``InboundMessage``, with its SHA-256) before anything is read from
it, then parsed by vendor into alerts for ``services.alert_receive``. Monitoring products' alert emails carry
the alert as labelled lines ("Category: Bullying", "Risk level: 5", "User: jsmith" ...); the labels each
vendor uses are below, and the subject stands in for the rule when no line names it. A screenshot attached
as an image is kept, unless the alert is suspected indecent imagery.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import html
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.schools.models import School

from . import csvimport, services
from .models import Channel, InboundMessage, MailAddress

MAX_MESSAGE_BYTES = 10 * 1024 * 1024

# Field -> the labels vendors put before it in their alert emails (folded, without the colon).
LABELS = {
    "activity_at": ("time", "date", "date/time", "date and time", "captured", "captured at", "when", "event time"),
    "rule": ("category", "rule", "policy", "violation", "keyword category", "alert type", "type"),
    "severity": ("severity", "risk level", "risk", "level", "severity level", "priority"),
    "username": ("user", "username", "user name", "student", "login"),
    "user_email": ("email", "user email", "email address"),
    "device": ("device", "computer", "device name", "computer name", "machine"),
    "captured_text": ("captured text", "capture", "text", "content", "context", "phrase", "keyword", "details"),
    "external_id": ("alert id", "incident id", "id", "reference", "capture id", "violation id"),
}
# "Label: value", "Label = value", or a label and its value in two cells of a table row (a tab, see _html_lines).
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /]{0,30}?)\s*(?:[:=]|\t)\s*(.+?)\s*$")
_CELL_BREAK = re.compile(r"</t[dh]>\s*<t[dh][^>]*>", re.I)


def _html_lines(html_text: str) -> str:
    """An HTML alert email as lines of text: one line per table row, paragraph or break, the cells of a row
    apart by a tab (products lay an alert out as a two-column table of labels and values), entities decoded."""
    text = re.sub(r"\s+", " ", html_text)  # the HTML's own line breaks mean nothing
    text = _CELL_BREAK.sub("\t", text)
    text = re.sub(r"<br\s*/?>|</p>|</tr>|</div>|</li>|</h\d>", "\n", text, flags=re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(text)


def address_create(*, school: School, vendor: str, by: User) -> MailAddress:
    now = timezone.now()
    with transaction.atomic():
        for old in MailAddress.objects.select_for_update().filter(
            school=school, vendor=vendor, revoked_at__isnull=True
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        return MailAddress.objects.create(
            school=school, vendor=vendor, created_by=by, created_at=now, local_part=f"alerts-{secrets.token_hex(10)}"
        )


def address_for(rcpt: str) -> MailAddress | None:
    local = rcpt.strip().strip("<>").rsplit("@", 1)[0].lower()
    return MailAddress.objects.filter(local_part=local, revoked_at__isnull=True).select_related("school").first()


@dataclass
class Received:
    message: InboundMessage
    alerts: int


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    lookup = {label: key for key, labels in LABELS.items() for label in labels}
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        key = lookup.get(m.group(1).strip().casefold())
        if key and key not in found:
            found[key] = m.group(2)
    return found


def parse(
    raw: bytes, *, vendor: str, severities: dict[str, str] | None = None
) -> tuple[str, list[services.IncomingAlert]]:
    """The subject and the alert in a message (none when it is not an alert)."""
    severities = severities or csvimport.default_severities(vendor)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(msg.get("Subject", ""))[:300]
    body = msg.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/html":
        text = _html_lines(text)
    f = _fields(text)
    rule = f.get("rule") or re.sub(r"^(fwd?|re):\s*", "", subject, flags=re.I).strip()
    level = f.get("severity", "")
    severity = csvimport.map_severity(level, severities) if level else None
    when = None
    if f.get("activity_at"):
        try:
            when = csvimport.parse_timestamp(f["activity_at"], cache=[])
        except ValueError:
            when = None
    if when is None:
        when = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else timezone.now()
    if not rule or severity is None or not (f.get("username") or f.get("user_email") or f.get("device")):
        return subject, []
    shot = None
    for part in msg.iter_attachments():
        if part.get_content_type() in ("image/png", "image/jpeg", "image/gif"):
            shot = part.get_content()
            break
    return subject, [
        services.IncomingAlert(
            vendor=vendor,
            rule=rule[:200],
            severity=severity,
            vendor_severity=level[:40],
            activity_at=when,
            username=f.get("username", ""),
            user_email=f.get("user_email", ""),
            device=f.get("device", ""),
            captured_text=f.get("captured_text", ""),
            external_id=f.get("external_id", ""),
            screenshot=shot,
            suspected_imagery=bool(re.search(r"suspected (iioc|indecent)", text, re.I)),
        )
    ]


@transaction.atomic
def receive_message(*, raw: bytes, mail_from: str, rcpt: str, peer: str = "") -> Received | None:
    """Keep the message, then take its alert. None when the address is not a live one (refused)."""
    address = address_for(rcpt)
    if address is None:
        return None
    subject, incoming = parse(
        raw,
        vendor=address.vendor,
        severities=csvimport.saved_mapping(school=address.school, vendor=address.vendor).severities,
    )
    message = InboundMessage.objects.create(
        school=address.school,
        received_at=timezone.now(),
        mail_from=mail_from[:320],
        rcpt_to=rcpt[:320],
        subject=subject,
        vendor=address.vendor,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        peer=peer[:100],
        alerts_found=len(incoming),
    )
    if incoming:
        services.alert_receive(
            school=address.school,
            incoming=incoming,
            channel=Channel.EMAIL,
            message=message,
            received_at=message.received_at,
        )
    return Received(message, len(incoming))
