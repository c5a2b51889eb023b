from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from safeguarding_portal.audit import chain, projections


class Command(BaseCommand):
    help = (
        "Verify every hash-chained record (audit log, case timelines, ...); name the first broken link of each chain. "
        "Then check that the state the pages read (case status, photo consents...) agrees with its chain."
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
        differ = 0
        for check in projections.CHECKS.values():
            mismatches = list(check.run())
            for m in mismatches:
                self.stderr.write(f"DIFFERS {check.label}: {m}")
            differ += len(mismatches)
            if not mismatches:
                self.stdout.write(self.style.SUCCESS(f"{check.label}: as {check.agrees_with} say"))
        problems = []
        if broken:
            problems.append(f"{broken} chain(s) broken")
        if differ:
            problems.append(f"{differ} record(s) do not match their chain")
        if problems:
            raise CommandError("; ".join(problems))
