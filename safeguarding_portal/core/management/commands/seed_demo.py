"""Demo data for trying the portal: a trust, two schools, pupils, parents and one account per role."""

from django.core.management.base import BaseCommand

from safeguarding_portal.core.demo import build_demo, format_report


class Command(BaseCommand):
    help = (
        "Create (or top up) the Riverside Learning Trust demo: two schools, pupils, parents and carers, and one "
        "account per role. Safe to run again. Prints every sign-in, with backup codes for two-factor roles."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(format_report(build_demo()), ending="")
