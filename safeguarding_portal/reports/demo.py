"""Demo governor reports: a few days of reminder emails for the office's log, and one report of this term so
far, ready to download as governor@demo.example.

Registered (kind ``demo``) after every domain app's demo builder, so the report includes every section and the
concern history of earlier terms (incidents/demo.py) for its trends. Idempotent: the demo report is built once.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.reminders.models import Digest, Reminder
from safeguarding_portal.schools.models import Term

from . import services
from .models import GovernorReport


def _reminder_log(*, school, users, term: Term) -> int:
    """A few days of reminder emails for the office's log, one of them bounced. Dated from the term's start,
    so a second run (on any day) finds them and changes nothing."""
    day = term.starts_on + datetime.timedelta(days=21)
    rows = [
        (users["deputy"].email, day, Digest.Status.SENT, "A task on a case was due yesterday.", ""),
        (
            users["dsl"].email,
            day,
            Digest.Status.SENT,
            "A child-protection file sent to a new school is not yet confirmed as received.",
            "",
        ),
        (
            "j.patel.old@demo.example",
            day + datetime.timedelta(days=1),
            Digest.Status.BOUNCED,
            "Sign the staff acceptable use agreement.",
            "550 5.1.1 <j.patel.old@demo.example>: mailbox unavailable",
        ),
    ]
    made = 0
    for email, on, status, text, error in rows:
        digest, created = Digest.objects.get_or_create(
            recipient_email=email,
            on=on,
            defaults={
                "status": status,
                "subject": "Safeguarding portal: 1 thing due from you",
                "body": text,
                "attempts": 1,
                "last_error": error,
                "sent_at": timezone.now() if status == Digest.Status.SENT else None,
            },
        )
        if created:
            Reminder.objects.get_or_create(
                recipient_email=email,
                kind="demo.reminder",
                key=f"demo:{on}",
                on=on,
                defaults={"text": text, "school": school, "digest": digest},
            )
            made += 1
    return made


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    governor = demo.users["governor"]
    today = timezone.localdate()
    current = Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on").first()
    if current is None:
        return ["Governor reports: no term dates for the demo school, so no demo report."]
    _reminder_log(school=school, users=demo.users, term=current)
    report = GovernorReport.objects.filter(school=school, origin=GovernorReport.Origin.DEMO).first()
    if report is None:
        end = min(current.ends_on, today)
        report = GovernorReport.objects.create(
            school=school,
            starts_on=current.starts_on,
            ends_on=end,
            term=current if end == current.ends_on else None,
            title=f"Online safety report to governors: {current} (to {end:%-d %b %Y})",
            origin=GovernorReport.Origin.DEMO,
            requested_by=governor,
        )
        services.build(report_id=report.pk)
        report.refresh_from_db()
    return [f'Governor reports: "{report.title}" {report.get_state_display().lower()} for {governor.email}.']


# After every domain app's builder (order < 90): the report counts what they made.
plugins.register("demo", "reports", seed, order=90)
