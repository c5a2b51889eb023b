"""Demo governor reports: three earlier terms of concerns at Oakfield, so the report shows trends, and one
report of this term so far, ready to download as governor@demo.example.

``seed_demo`` calls apps in INSTALLED_APPS order, and this app comes before the domain apps; so the domain
apps' own demo seeds (each idempotent by contract) are run first here, and the report then includes every
section that exists. Idempotent: history concerns have fixed submission tokens, and the demo report is
built once.
"""

from __future__ import annotations

import datetime
import importlib
import random
import uuid
from zoneinfo import ZoneInfo

from django.utils import timezone

from incidents import services as incident_services
from incidents.categories import Category
from incidents.models import EntryKind, Incident, Status
from safeguarding_portal.schools.models import Pupil, Term

from . import services
from .models import GovernorReport
from .sections import SLOTS

NAMESPACE = uuid.UUID("3b0f6c1e-8f0e-4a8f-b0f5-7a3c1d2e9b10")
LONDON = ZoneInfo("Europe/London")

# Per earlier term (oldest first): how many concerns of each category. Cyberbullying and unwanted contact
# rise term on term, the pattern the board should ask about; accidental content falls as filtering improves.
HISTORY: tuple[dict[str, int], ...] = (
    {Category.CYBERBULLYING: 3, Category.HARMFUL_CONTENT_ACCIDENTAL: 5, Category.UNWANTED_CONTACT: 1,
     Category.PHISHING_SCAMS: 2, Category.EXCESSIVE_USE: 3, Category.MISINFORMATION: 1},
    {Category.CYBERBULLYING: 4, Category.HARMFUL_CONTENT_ACCIDENTAL: 4, Category.UNWANTED_CONTACT: 2,
     Category.PERSONAL_DEVICE_MISUSE: 3, Category.GAMBLING_SPENDING: 2, Category.ONLINE_HATE: 1},
    {Category.CYBERBULLYING: 6, Category.HARMFUL_CONTENT_ACCIDENTAL: 3, Category.UNWANTED_CONTACT: 3,
     Category.YOUTH_PRODUCED_IMAGERY: 2, Category.PHISHING_SCAMS: 1, Category.FILTERING_BREACH: 2,
     Category.MISINFORMATION: 2},
)
REFER = {
    Category.UNWANTED_CONTACT: "ceop",
    Category.YOUTH_PRODUCED_IMAGERY: "social_care",
    Category.ONLINE_HATE: "police",
    Category.PHISHING_SCAMS: "action_fraud",
}


def _history(*, school, users, terms: list[Term]) -> int:
    rng = random.Random(7)
    pupils = list(Pupil.objects.filter(school=school, year_group__in=["3", "4", "5", "6"]).order_by("upn"))
    reporters = [users["staff"], users["osl"], users["tech"], users["deputy"]]
    dsl, deputy = users["dsl"], users["deputy"]
    created = 0
    for term, plan in zip(terms, HISTORY, strict=True):
        school_days = (term.ends_on - term.starts_on).days - 10
        n = 0
        for category, count in plan.items():
            for _ in range(count):
                n += 1
                token = uuid.uuid5(NAMESPACE, f"oakfield-{term.academic_year}-{term.name}-{n}")
                if Incident.objects.filter(submission_token=token).exists():
                    continue
                day = term.starts_on + datetime.timedelta(days=5 + (n * 37) % max(school_days, 1))
                while day.weekday() >= 5:
                    day += datetime.timedelta(days=1)
                reported = datetime.datetime.combine(day, datetime.time(9 + n % 6, 5 * (n % 11)), LONDON)
                incident = incident_services.incident_report(
                    school=school, reporter=reporters[n % len(reporters)], submission_token=token, notify=False,
                    occurred_at=reported - datetime.timedelta(hours=2), reported_at=reported, location="on_site",
                    category=category, description="Demo history concern (earlier term).", device="school",
                    immediate_risk=False,
                    pupils=[incident_services.PupilInvolvement(rng.choice(pupils).pk, "harmed")] if pupils else [],
                )
                clock = reported + datetime.timedelta(minutes=rng.choice([12, 25, 40, 75, 180, 600, 1500]))
                with incident_services.backdated(clock):
                    incident_services.case_acknowledge(incident=incident, by=rng.choice([dsl, deputy]))
                clock += datetime.timedelta(days=1)
                agency = REFER.get(category)
                with incident_services.backdated(clock):
                    if agency:
                        incident_services.case_record(
                            incident=incident, by=dsl, kind=EntryKind.REFERRAL, text="Referred.",
                            data={"agency": agency, "when": clock.isoformat()},
                        )
                    elif n % 9:  # one in nine closed without the decision written down: a gap to ask about
                        incident_services.case_record(
                            incident=incident, by=dsl, kind=EntryKind.NO_REFERRAL,
                            text="Threshold for referral not met; managed in school.",
                        )
                clock += datetime.timedelta(days=rng.choice([2, 4, 7, 12]))
                with incident_services.backdated(min(clock, timezone.now())):
                    # A case closes only when every required step is done or recorded as not needed.
                    for step in incident.steps.filter(done_entry__isnull=True, mandatory=True):
                        incident_services.case_step_done(step=step, by=dsl, note="Done; see the notes.")
                    incident_services.case_transition(incident=incident, to=Status.CLOSED, by=dsl,
                                                      outcome="Resolved; pupil supported in school.")
                created += 1
    return created


def _domain_seeds(demo) -> None:
    for slot in SLOTS:
        try:
            module = importlib.import_module(f"{slot.app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name in (slot.app, f"{slot.app}.demo"):
                continue
            raise
        seed = getattr(module, "seed", None)
        if callable(seed):
            seed(demo=demo)


def _reminder_log(*, school, users, term: Term) -> int:
    """A few days of reminder emails for the office's log, one of them bounced. Dated from the term's start,
    so a second run (on any day) finds them and changes nothing."""
    from safeguarding_portal.reminders.models import Digest, Reminder

    day = term.starts_on + datetime.timedelta(days=21)
    rows = [
        (users["deputy"].email, day, Digest.Status.SENT, "A task on a case was due yesterday.", ""),
        (users["dsl"].email, day, Digest.Status.SENT,
         "A child-protection file sent to a new school is not yet confirmed as received.", ""),
        ("j.patel.old@demo.example", day + datetime.timedelta(days=1), Digest.Status.BOUNCED,
         "Sign the staff acceptable use agreement.", "550 5.1.1 <j.patel.old@demo.example>: mailbox unavailable"),
    ]
    made = 0
    for email, on, status, text, error in rows:
        digest, created = Digest.objects.get_or_create(
            recipient_email=email, on=on,
            defaults={"status": status, "subject": "Safeguarding portal: 1 thing due from you", "body": text,
                      "attempts": 1, "last_error": error,
                      "sent_at": timezone.now() if status == Digest.Status.SENT else None},
        )
        if created:
            Reminder.objects.get_or_create(recipient_email=email, kind="demo.reminder", key=f"demo:{on}", on=on,
                                           defaults={"text": text, "school": school, "digest": digest})
            made += 1
    return made


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    governor = demo.users["governor"]
    today = timezone.localdate()
    current = Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on").first()
    if current is None:
        return ["Governor reports: no term dates for the demo school, so no demo report."]
    earlier = list(Term.objects.filter(school=school, ends_on__lt=current.starts_on).order_by("-starts_on")[:3])
    earlier.reverse()
    if len(earlier) == len(HISTORY):
        _history(school=school, users=demo.users, terms=earlier)
    _reminder_log(school=school, users=demo.users, term=current)
    report = GovernorReport.objects.filter(school=school, origin=GovernorReport.Origin.DEMO).first()
    if report is None:
        _domain_seeds(demo)
        end = min(current.ends_on, today)
        report = GovernorReport.objects.create(
            school=school, starts_on=current.starts_on, ends_on=end, term=current if end == current.ends_on else None,
            title=f"Online safety report to governors: {current} (to {end:%-d %b %Y})",
            origin=GovernorReport.Origin.DEMO, requested_by=governor,
        )
        services.build(report_id=report.pk)
        report.refresh_from_db()
    history = Incident.objects.filter(school=school, submission_token__in=[
        uuid.uuid5(NAMESPACE, f"oakfield-{t.academic_year}-{t.name}-{n}")
        for t in earlier for n in range(1, 40)
    ]).count()
    return [
        f"Governor reports: {history} concerns over the three earlier terms at {school.name} for trends; "
        f"\"{report.title}\" {report.get_state_display().lower()} for {governor.email}."
    ]
