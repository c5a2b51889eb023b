"""Creates or updates the provider's clients and users from one JSON document (tests/oidc_provider/state.py)."""

import json
import sys

from django.core.management.base import BaseCommand

from tests.oidc_provider.state import apply_state


class Command(BaseCommand):
    help = "Create or update the test provider's clients and users from JSON (an argument, or stdin)."

    def add_arguments(self, parser):
        parser.add_argument("state", nargs="?", help="JSON; read from stdin when absent")

    def handle(self, *args, state=None, **options):
        apply_state(json.loads(state if state else sys.stdin.read()))
        self.stdout.write("provider state applied")
