from django.core.management.base import BaseCommand, CommandError

from filtering.models import FilterEvent
from safeguarding_portal.audit import chain
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools.models import School


class Command(BaseCommand):
    help = "Verify the filtering log's hash chains (one per school); name the first broken link of each."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="URN of one school (default: every school)")

    def handle(self, *args, **options):
        chains = None
        if options["school"]:
            school = School.objects.filter(urn=options["school"]).first()
            if school is None:
                raise CommandError(f"No school with URN {options['school']}.")
            chains = [f"school:{school.pk}"]
        breaks = chain.verify(FilterEvent, chains=chains)
        names = dict(School.objects.values_list("pk", "name"))
        for b in breaks:
            school_name = names.get(int(b.chain.split(":")[1]), b.chain) if b.chain.startswith("school:") else b.chain
            self.stderr.write(f"BROKEN filtering log of {school_name}: {b}")
        if breaks:
            raise CommandError(f"{counted(len(breaks), 'filtering log chain')} broken")
        count = FilterEvent.objects.filter(chain__in=chains).count() if chains else FilterEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Filtering log intact ({counted(count, 'event')})."))
