"""``manage.py reset_two_factor EMAIL --reason "..." [--by admin@email]``: a way back in for a lost phone.

For when nobody who can use the admin is verified (for example the only administrator lost their phone).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from safeguarding_portal.accounts import services
from safeguarding_portal.accounts.models import User


class Command(BaseCommand):
    help = "Remove a user's two-factor devices and backup codes (lost phone). Recorded in the audit log."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The account whose two-factor sign-in is reset.")
        parser.add_argument("--reason", required=True, help="Why; kept in the audit log.")
        parser.add_argument("--by", default="", help="Email of the administrator doing the reset.")

    def handle(self, *args, email: str, reason: str, by: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        admin = None
        if by:
            admin = User.objects.filter(email__iexact=by.strip()).first()
            if admin is None:
                raise CommandError(f"No account with the email address {by} (given as --by).")
        if not reason.strip():
            raise CommandError("Give a reason with --reason: it is kept in the audit log.")
        removed = services.two_factor_reset(user=user, by=admin, reason=reason)
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor sign-in reset for {user.email} ({removed} device(s) removed). "
                "They will set up a new phone at their next sign-in."
            )
        )
