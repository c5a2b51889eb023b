from typing import Any

from django.core.management.base import BaseCommand

from safeguarding_portal.outbox import services
from safeguarding_portal.outbox.models import OutboxMessage


class Command(BaseCommand):
    help = "Send queued tasks that have not reached the broker yet (what the every-minute beat task does)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.drain()
        left = OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
        self.stdout.write(f"Sent {sent} queued task(s); {left} still waiting.")
        if left:
            self.stdout.write("The broker may still be down: see the last_error of the waiting messages in the admin.")
