"""Starts the test provider for the demo: migrates its SQLite file and serves it (settings make its key).

    .venv/bin/python -m django run_provider --settings=tests.oidc_provider.settings

(README, "Single sign-on with the test provider"). Tests start it through tests/oidc_provider/server.py.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate and serve the test OpenID Connect provider on 127.0.0.1 (default port 8800)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8800)

    def handle(self, *args, port, **options):
        call_command("migrate", verbosity=0, interactive=False)
        # No system checks again: migrate just ran them. Threaded, for a browser's parallel requests.
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)
