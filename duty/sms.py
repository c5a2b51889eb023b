"""Text messages for urgent items, through a provider adapter chosen in settings (``SMS_BACKEND``).

A text carries nothing sensitive, ever: no name, no category, no reference a stranger could look up. It says
only ``SMS_TEXT``; the person signs in to see what it is. Every text is recorded (``SmsDelivery``), sent by
the worker through the outbox after the caller's transaction commits, and retried for a day like emails.

Backends:

* ``console``: writes the text to the log (development, the demo, the tests).
* ``notify``: GOV.UK Notify (open to schools), through its maintained client ``notifications-python-client``.
  The Notify template holds one placeholder, ``((message))``; ``NOTIFY_API_KEY`` and
  ``NOTIFY_SMS_TEMPLATE_ID`` come from the environment.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings

log = logging.getLogger(__name__)

SMS_TEXT = "An urgent safeguarding item needs you: sign in to the portal"


class SmsError(Exception):
    """The provider did not take the text. ``permanent``: trying again will not help (a bad number)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Send one text; return the provider's id for it, or raise SmsError."""
        ...


class ConsoleBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        log.info("SMS to %s (ref %s): %s", to, reference, body)
        return f"console-{reference}"


class NotifyBackend:
    def __init__(self, *, api_key: str, template_id: str, base_url: str | None = None):
        from notifications_python_client.notifications import NotificationsAPIClient  # why: optional

        if not api_key or not template_id:
            raise SmsError("GOV.UK Notify needs NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID", permanent=True)
        kwargs = {"base_url": base_url} if base_url else {}
        self.client = NotificationsAPIClient(api_key, **kwargs)
        self.template_id = template_id

    def send(self, *, to: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import APIError  # why: optional, only when GOV.UK Notify is configured

        try:
            answer = self.client.send_sms_notification(
                phone_number=to, template_id=self.template_id, personalisation={"message": body}, reference=reference
            )
        except APIError as exc:
            status = getattr(exc, "status_code", 0) or 0
            # 400/403: a bad number, key or template (trying again is useless); 429 and 5xx: later.
            raise SmsError(f"Notify {status}: {exc}", permanent=400 <= status < 500 and status != 429) from exc
        return str(answer.get("id", ""))


def backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    if name == "notify":
        return NotifyBackend(
            api_key=settings.NOTIFY_API_KEY,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            base_url=settings.NOTIFY_BASE_URL or None,
        )
    if name == "console":
        return ConsoleBackend()
    raise SmsError(f"Unknown SMS_BACKEND {name!r}", permanent=True)
