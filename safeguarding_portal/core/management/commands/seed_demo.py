"""Demo data for trying the portal: a trust, two schools, pupils, parents and one account per role."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from safeguarding_portal.core.demo import build_demo, format_report
from safeguarding_portal.reports.school_figures import sweep


class Command(BaseCommand):
    help = (
        "Create (or top up) the Riverside Learning Trust demo: two schools, pupils, parents and carers, and one "
        "account per role. Safe to run again. Prints every sign-in, with backup codes for two-factor roles."
    )

    def handle(self, *args, **options) -> None:
        # The trust dashboard's figures are counted once at the end, not after each of the seed's many commits.
        with override_settings(SCHOOL_FIGURES_REFRESH_ON_COMMIT=False):
            demo = build_demo()

        counted = sweep()
        self.stdout.write(format_report(demo), ending="")
        self.stderr.write(f"Trust dashboard: figures counted for {counted} school(s).")
