"""``manage.py recount_cases``: the dashboard's kept case counts (incidents.counts) checked against the cases,
and rebuilt from them: after loading cases past the portal (a bulk COPY) or if a check finds them drifted."""

from django.core.management.base import BaseCommand, CommandError

from incidents import counts
from safeguarding_portal.schools.models import School


class Command(BaseCommand):
    help = (
        "Compare the dashboard's kept case counts with a count of the cases and rebuild them (all schools, or "
        "--school URN). --check only reports the difference and exits 1 if there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", metavar="URN", help="Only the school with this URN.")
        parser.add_argument("--check", action="store_true", help="Report drift without changing anything.")

    def handle(self, *args, school: str | None = None, check: bool = False, **options):
        ids = None
        if school:
            found = School.objects.filter(urn=school).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No school with URN {school}.")
            ids = [found]
        drifted = counts.drift(ids)
        for key, (stored, counted) in sorted(drifted.items()):
            self.stderr.write(
                f"DRIFT school {key.school_id} {key.route} {key.status} {key.category}: "
                f"kept {stored}, counted {counted}"
            )
        if check:
            if drifted:
                raise CommandError(f"{len(drifted)} kept counts differ from the cases.")
            self.stdout.write(self.style.SUCCESS("Kept case counts agree with the cases."))
            return
        rows = counts.recount(ids)
        self.stdout.write(self.style.SUCCESS(f"Recounted: {rows} state rows written ({len(drifted)} had differed)."))
