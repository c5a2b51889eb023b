"""A mail server the tests can take down: Django's in-memory backend that fails while ``MailServer.fault`` is set."""

from __future__ import annotations

from django.core.mail.backends.locmem import EmailBackend


class MailServer:
    fault: BaseException | None = None
    attempts = 0


class FlakyBackend(EmailBackend):
    def open(self):
        if MailServer.fault is not None:
            MailServer.attempts += 1
            raise MailServer.fault
        return super().open()

    def send_messages(self, messages):
        self.open()
        return super().send_messages(messages)
