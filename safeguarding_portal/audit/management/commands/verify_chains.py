from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from safeguarding_portal.audit import chain


class Command(BaseCommand):
    help = (
        "Verify every hash-chained record (audit log, case timelines, ...); name the first broken link of each chain."
    )

    def handle(self, *args, **options):
        models = [m for m in apps.get_models() if issubclass(m, chain.ChainedRecord)]
        broken = 0
        for model in models:
            breaks = chain.verify(model)
            count = model.objects.count()
            if breaks:
                broken += len(breaks)
                for b in breaks:
                    self.stderr.write(f"BROKEN {model._meta.label}: {b}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{model._meta.label}: intact ({count} records)"))
        if broken:
            raise CommandError(f"{broken} chain(s) broken")
