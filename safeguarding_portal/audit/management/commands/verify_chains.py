"""The one command that verifies hash chains: every chained record by default, or the models, chains or school
asked for (``--model audit.AuditEvent --school 100001``). It replaced verify_audit_chain and verify_filtering_log."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding_portal.audit import chain, projections
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools.models import School


def chained_models() -> list[type[chain.ChainedRecord]]:
    return sorted((m for m in apps.get_models() if issubclass(m, chain.ChainedRecord)), key=lambda m: m._meta.label)


class Command(BaseCommand):
    help = (
        "Verify every hash-chained record (audit log, case timelines, filtering log, ...); name the first broken "
        "link of each chain. A full run then checks that the state the pages read (case status, photo consents...) "
        "agrees with its chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--model",
            action="append",
            metavar="APP.MODEL",
            help="Only this chained model, for example audit.AuditEvent. Repeatable.",
        )
        parser.add_argument("--chain", action="append", help="Only this chain (for example school:3). Repeatable.")
        parser.add_argument("--school", metavar="URN", help="Only the chains of the school with this URN.")

    def handle(self, *args: Any, **options: Any) -> None:
        models = self._models(options.get("model"))
        chains = list(options.get("chain") or [])
        if options.get("school"):
            school = School.objects.filter(urn=options["school"]).first()
            if school is None:
                raise CommandError(f"No school with URN {options['school']}.")
            chains.append(f"school:{school.pk}")
        names = dict(School.objects.values_list("pk", "name"))
        broken = 0
        for model in models:
            breaks = chain.verify(model, chains=chains or None)
            label = model._meta.label
            if breaks:
                broken += len(breaks)
                for b in breaks:
                    self.stderr.write(f"BROKEN {label}: {b}{self._school_of(b.chain, names)}")
            else:
                records = model.objects.filter(chain__in=chains) if chains else model.objects.all()
                self.stdout.write(self.style.SUCCESS(f"{label}: intact ({counted(records.count(), 'record')})"))
        # The pages' state against the chains: only on a full run (a run asked for one model or chain is a spot
        # check, and the checks read every chain).
        differ = 0 if (options.get("model") or chains) else self._projections()
        problems = []
        if broken:
            problems.append(f"{broken} chain(s) broken")
        if differ:
            problems.append(f"{differ} record(s) do not match their chain")
        if problems:
            raise CommandError("; ".join(problems))

    def _models(self, labels: list[str] | None) -> list[type[chain.ChainedRecord]]:
        every = chained_models()
        if not labels:
            return every
        by_label = {m._meta.label_lower: m for m in every}
        unknown = [label for label in labels if label.lower() not in by_label]
        if unknown:
            raise CommandError(
                f"Not a chained model: {', '.join(unknown)}. Chained models: {', '.join(m._meta.label for m in every)}."
            )
        return [by_label[label.lower()] for label in labels]

    @staticmethod
    def _school_of(chain_name: str, names: dict[int, str]) -> str:
        kind, _, pk = chain_name.partition(":")
        if kind == "school" and pk.isdigit() and int(pk) in names:
            return f" ({names[int(pk)]})"
        return ""

    def _projections(self) -> int:
        differ = 0
        for check in projections.CHECKS.values():
            mismatches = list(check.run())
            for m in mismatches:
                self.stderr.write(f"DIFFERS {check.label}: {m}")
            differ += len(mismatches)
            if not mismatches:
                self.stdout.write(self.style.SUCCESS(f"{check.label}: as {check.agrees_with} say"))
        return differ
