"""Posting to a monitoring webhook as the vendor would: JSON signed with the shared secret."""

from __future__ import annotations

import json
import time
import uuid

from monitoring import webhook


def signed_headers(
    *, secret: str, body: bytes, delivery_id: str | None = None, timestamp: int | None = None, prefix: str = "HTTP_"
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    delivery_id = delivery_id or uuid.uuid4().hex
    signature = webhook.sign(secret=secret, timestamp=ts, delivery_id=delivery_id, body=body)
    names = {"X-Portal-Timestamp": ts, "X-Portal-Delivery": delivery_id, "X-Portal-Signature": signature}
    if prefix == "HTTP_":
        return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in names.items()}
    return names


def body(*alerts: dict) -> bytes:
    return json.dumps({"alerts": list(alerts)}).encode()


def one_alert(**kwargs) -> dict:
    values = {
        "id": uuid.uuid4().hex[:12],
        "time": "2026-09-14T10:00:00+01:00",
        "rule": "Self-harm",
        "severity": "4",
        "user": "kid1",
        "device": "LAPTOP-3",
        "text": "i feel awful",
    }
    values.update(kwargs)
    return values
