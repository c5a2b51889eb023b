from django.core.management.base import BaseCommand, CommandError

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; name the first broken link of each broken chain."

    def add_arguments(self, parser):
        parser.add_argument("--chain", action="append", help="Only this chain (for example school:3). Repeatable.")

    def handle(self, *args, **options):
        breaks = chain.verify(AuditEvent, chains=options.get("chain"))
        if breaks:
            for b in breaks:
                self.stderr.write(f"BROKEN: {b}")
            raise CommandError(f"{len(breaks)} chain(s) broken")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} entries verified."))
