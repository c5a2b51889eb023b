"""The SMTP receiver for forwarded monitoring alert emails: its own process, like the web, worker and beat.

Takes mail only for the schools' live alert addresses (anything else is refused at RCPT), keeps each message
as evidence and files its alert. Run it behind the mail domain's MX (or a relay that forwards to it).
"""

from __future__ import annotations

import signal
import threading

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from monitoring import mail


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook name
        known = await sync_to_async(_known, thread_sensitive=True)(address)
        if not known:
            return "550 No such alert address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        if len(raw) > mail.MAX_MESSAGE_BYTES:
            return "552 Message too large"
        peer = str(session.peer[0]) if session.peer else ""
        for rcpt in envelope.rcpt_tos:
            await sync_to_async(_receive, thread_sensitive=True)(raw, envelope.mail_from or "", rcpt, peer)
        return "250 Message accepted"


def _known(address: str) -> bool:
    close_old_connections()
    return mail.address_for(address) is not None


def _receive(raw: bytes, mail_from: str, rcpt: str, peer: str) -> None:
    close_old_connections()
    mail.receive_message(raw=raw, mail_from=mail_from, rcpt=rcpt, peer=peer)


class Command(BaseCommand):
    help = "Receive forwarded monitoring alert emails over SMTP (aiosmtpd) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MONITORING_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.MONITORING_SMTP_PORT)

    def handle(self, *args, host: str, port: int, **options):
        controller = Controller(
            Handler(), hostname=host, port=port, data_size_limit=mail.MAX_MESSAGE_BYTES, decode_data=False
        )
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        controller.start()
        self.stdout.write(
            f"receive_alerts: listening on {host}:{port} for @{settings.MONITORING_MAIL_DOMAIN}", ending="\n"
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
