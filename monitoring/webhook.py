"""The vendor's webhook: a per-school, per-vendor address; an HMAC-signed JSON body; replays refused.

The vendor signs ``"{timestamp}.{delivery id}." + body`` with HMAC-SHA256 and the shared secret and sends:

* ``X-Portal-Timestamp``: Unix seconds when it signed (refused when more than
  MONITORING_WEBHOOK_TOLERANCE_SECONDS away from the server's clock);
* ``X-Portal-Delivery``: a unique id per delivery (a second post with an accepted id is a replay);
* ``X-Portal-Signature``: ``sha256=<hex digest>``.

The body is ``{"alerts": [...]}`` or one alert: ``id``, ``time`` (ISO 8601), ``rule``, ``severity``, ``user``,
``email``, ``device``, ``text``, ``screenshot`` (base64 PNG/JPEG, optional), ``suspected_iioc`` (bool).
Every post is logged (``WebhookDelivery``), taken or refused. The secret is shown once when made; it is
stored encrypted with a key derived from SECRET_KEY, because checking a signature needs it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from . import csvimport, services
from .models import Channel, MonitoringAlert, WebhookDelivery, WebhookEndpoint

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_ALERTS_PER_DELIVERY = 500
Outcome = WebhookDelivery.Outcome


def _fernet() -> MultiFernet:
    keys = []
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"safeguarding-portal", info=b"monitoring webhook secrets"
        ).derive(secret.encode())
        keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(keys)


def secret_of(endpoint: WebhookEndpoint) -> str:
    return _fernet().decrypt(endpoint.secret_encrypted.encode()).decode()


@transaction.atomic
def webhook_create(*, school: School, vendor: str, by: User) -> tuple[WebhookEndpoint, str]:
    """A new address and secret for the vendor (the previous one for this vendor stops working). The secret
    is returned once, to be shown once; it cannot be read from the portal again."""
    now = timezone.now()
    for old in WebhookEndpoint.objects.select_for_update().filter(
        school=school, vendor=vendor, revoked_at__isnull=True
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        school=school,
        vendor=vendor,
        token=secrets.token_urlsafe(24),
        created_by=by,
        created_at=now,
        secret_encrypted=_fernet().encrypt(secret.encode()).decode(),
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=school,
        obj=endpoint,
        summary=f"Monitoring webhook made for {endpoint.get_vendor_display()}",
    )
    return endpoint, secret


@transaction.atomic
def webhook_revoke(*, endpoint: WebhookEndpoint, by: User) -> None:
    if endpoint.revoked_at is None:
        endpoint.revoked_at = timezone.now()
        endpoint.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.SCHOOL_UPDATED,
            actor=by,
            school=endpoint.school,
            obj=endpoint,
            summary=f"Monitoring webhook for {endpoint.get_vendor_display()} switched off",
        )


def sign(*, secret: str, timestamp: str, delivery_id: str, body: bytes) -> str:
    """What the vendor sends in X-Portal-Signature (used by tests and the bench as the vendor would)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{delivery_id}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


@dataclass
class Answer:
    status: int
    outcome: str
    message: str
    alerts: list[MonitoringAlert]


def _parse(payload, vendor: str, school: School) -> list[services.IncomingAlert]:
    items = payload.get("alerts") if isinstance(payload, dict) and "alerts" in payload else [payload]
    if not isinstance(items, list) or not items or len(items) > MAX_ALERTS_PER_DELIVERY:
        raise ValueError(f"send between 1 and {MAX_ALERTS_PER_DELIVERY} alerts")
    # The school's own level names for the product (the mapping screen), then the portal's defaults.
    severities = csvimport.saved_mapping(school=school, vendor=vendor).severities
    found = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ValueError(f"alert {n} is not an object")
        rule, level, when = str(item.get("rule") or "").strip(), str(item.get("severity") or ""), item.get("time")
        if not rule or not when:
            raise ValueError(f"alert {n} needs a rule and a time")
        try:
            at = datetime.datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"alert {n}: the time is not ISO 8601")
        if at.tzinfo is None:
            at = at.replace(tzinfo=datetime.UTC)
        severity = csvimport.map_severity(level, severities)
        if severity is None:
            raise ValueError(f"alert {n}: severity {level!r} is not known")
        shot = None
        if item.get("screenshot"):
            try:
                shot = base64.b64decode(str(item["screenshot"]), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"alert {n}: the screenshot is not base64")
        user, email, device = (str(item.get(k) or "") for k in ("user", "email", "device"))
        if not (user or email or device):
            raise ValueError(f"alert {n} names no user, email or device")
        found.append(
            services.IncomingAlert(
                vendor=vendor,
                rule=rule[:200],
                severity=severity,
                vendor_severity=level[:40],
                activity_at=at,
                username=user,
                user_email=email,
                device=device,
                captured_text=str(item.get("text") or ""),
                external_id=str(item.get("id") or "")[:120],
                screenshot=shot,
                suspected_imagery=bool(item.get("suspected_iioc")),
            )
        )
    return found


def _log(
    *, endpoint, outcome: str, delivery_id: str, ip, body: bytes, detail: str = "", alert=None, at=None
) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        received_at=at or timezone.now(),
        delivery_id=delivery_id[:100],
        outcome=outcome,
        ip=ip,
        body_sha256=hashlib.sha256(body).hexdigest(),
        detail=detail[:300],
        alert=alert,
    )


def receive(*, token: str, body: bytes, headers, ip: str | None) -> Answer:
    """Check and take one post. Refusals are logged; only a signed, fresh, new delivery reaches alert_receive."""
    now = timezone.now()
    delivery_id = str(headers.get("X-Portal-Delivery", ""))[:100]
    endpoint = (
        WebhookEndpoint.objects.filter(token=token, revoked_at__isnull=True).select_related("school").first()
        if token
        else None
    )
    if endpoint is None:
        _log(endpoint=None, outcome=Outcome.UNKNOWN, delivery_id=delivery_id, ip=ip, body=body[:MAX_BODY_BYTES])
        return Answer(401, Outcome.UNKNOWN, "Signature not valid.", [])
    if len(body) > MAX_BODY_BYTES:
        _log(
            endpoint=endpoint,
            outcome=Outcome.MALFORMED,
            delivery_id=delivery_id,
            ip=ip,
            body=body,
            detail="body too large",
        )
        return Answer(413, Outcome.MALFORMED, "The body is too large.", [])
    timestamp = str(headers.get("X-Portal-Timestamp", ""))
    given = str(headers.get("X-Portal-Signature", ""))
    expected = sign(secret=secret_of(endpoint), timestamp=timestamp, delivery_id=delivery_id, body=body)
    if not delivery_id or not hmac.compare_digest(given.encode(), expected.encode()):
        _log(
            endpoint=endpoint,
            outcome=Outcome.BAD_SIGNATURE,
            delivery_id=delivery_id,
            ip=ip,
            body=body,
            detail="no delivery id" if not delivery_id else "signature does not match",
        )
        return Answer(401, Outcome.BAD_SIGNATURE, "Signature not valid.", [])
    tolerance = getattr(settings, "MONITORING_WEBHOOK_TOLERANCE_SECONDS", 300)
    if not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > tolerance:
        _log(
            endpoint=endpoint,
            outcome=Outcome.STALE,
            delivery_id=delivery_id,
            ip=ip,
            body=body,
            detail=f"timestamp {timestamp[:20]!r}",
        )
        return Answer(401, Outcome.STALE, "The signed timestamp is too far from the server's clock.", [])
    try:
        incoming = _parse(json.loads(body.decode("utf-8")), endpoint.vendor, endpoint.school)
    except (ValueError, UnicodeDecodeError) as exc:
        _log(endpoint=endpoint, outcome=Outcome.MALFORMED, delivery_id=delivery_id, ip=ip, body=body, detail=str(exc))
        return Answer(400, Outcome.MALFORMED, f"Not a valid alert: {exc}.", [])

    def log_accepted(result: services.ReceiveResult) -> None:
        # The delivery's row, written once the alerts are stored and before the school's chain head is taken (so
        # the head is not held for it): its unique id makes a replay (even one racing this post) fail here,
        # rolling back everything it would have added.
        alerts = result.alerts
        _log(
            endpoint=endpoint,
            outcome=Outcome.ACCEPTED,
            delivery_id=delivery_id,
            ip=ip,
            body=body,
            at=now,
            alert=alerts[0] if alerts else None,
            detail=f"{len(result.created)} new, {len(incoming) - len(result.created)} folded or known",
        )

    try:
        with transaction.atomic():
            result = services.alert_receive(
                school=endpoint.school,
                incoming=incoming,
                channel=Channel.WEBHOOK,
                received_at=now,
                before_chain=log_accepted,
            )
            alerts = result.alerts
    except IntegrityError:
        _log(
            endpoint=endpoint,
            outcome=Outcome.REPLAY,
            delivery_id=delivery_id,
            ip=ip,
            body=body,
            detail="delivery id already taken",
        )
        return Answer(409, Outcome.REPLAY, "This delivery was already received.", [])
    return Answer(202, Outcome.ACCEPTED, "Received.", alerts)
