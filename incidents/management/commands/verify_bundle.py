"""``manage.py verify_bundle <file> [--fingerprint HEX]``: check a CP file transfer bundle, here or anywhere.

Reads the file alone (``incidents.bundles.verify``, the verify page's function): exit 0 and "Verified" with the
signing key's fingerprint, or exit 1 and "Refused" with the first broken link named, then any other problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents import bundles


class Command(BaseCommand):
    help = "Verify a child-protection file transfer bundle and name the first broken link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--fingerprint", default="", help="The sending school's key fingerprint, as known out of band."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = bundles.verify(path.read_bytes(), expected_fingerprint=options["fingerprint"])
        m = result.manifest
        if m:
            pupil = m.get("pupil") or {}
            self.stdout.write(
                f"Bundle {m.get('bundle_id')} (format version {m.get('version')}) from "
                f"{(m.get('from_school') or {}).get('name')}, made {m.get('created_at')}, for pupil "
                f"UPN {pupil.get('upn')}: {len(result.records)} records"
            )
        if result.fingerprint:
            self.stdout.write(f"Signing key fingerprint: {result.fingerprint_spaced}")
        if result.ok:
            self.stdout.write(self.style.SUCCESS("Verified: nothing was changed or left out."))
            return
        self.stdout.write(self.style.ERROR(f"Refused. First broken link: {result.first}"))
        for problem in result.problems[1:]:
            self.stdout.write(f"  also: {problem}")
        sys.exit(1)
