"""Demo records for training, the curriculum and the policy register (called by ``manage.py seed_demo``).

Idempotent: each person's training is seeded only if they have none, lessons only if the school has none,
units, events and policies by title. Dates are relative to today where the state matters (a record "due
within 30 days" must still be due when a newcomer looks), so a second run on the same day prints the same.

The staff body is the demo's own personas (the foundations' demo has one account per role, and its test
pins the number of memberships), each with a deliberately different state so the matrix shows every one.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape

from safeguarding_portal.core import plugins
from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.schools.selectors import term_in_view

from . import selectors, services
from .constants import Strand
from .dates import add_months
from .models import (
    BriefingSession,
    CurriculumSettings,
    Event,
    Gap,
    Lesson,
    LessonStrand,
    Policy,
    TrainingRecord,
    TrainingRequirement,
    Unit,
)

S = Strand
DEMO_THRESHOLD = 4

# (title, programme, year groups, strands)
UNITS = (
    ("Smartie the Penguin: asking for help", "Childnet", ("R", "1"), (S.HEALTH, S.RELATIONSHIPS)),
    ("Online safety: people we know and don't know", "Kapow Computing", ("1", "2"), (S.RELATIONSHIPS, S.PRIVACY)),
    ("Digital footprints", "Project EVOLVE", ("3", "4"), (S.REPUTATION, S.SELF_IMAGE)),
    ("Kind words online", "Jigsaw PSHE", ("2", "3", "4"), (S.BULLYING, S.RELATIONSHIPS)),
    ("Strong passwords and personal information", "Kapow Computing", ("3", "4", "5"), (S.PRIVACY,)),
    ("Is it true? Spotting fake news", "Google Be Internet Legends", ("4", "5", "6"), (S.INFORMATION,)),
    ("Screen time and sleep", "Jigsaw PSHE", ("4", "5", "6"), (S.HEALTH,)),
    ("Who owns it? Images and copyright", "Project EVOLVE", ("5", "6"), (S.COPYRIGHT, S.REPUTATION)),
    ("Online bullying: bystanders and upstanders", "Kapow Computing", ("5", "6"), (S.BULLYING,)),
    ("Getting ready for secondary: group chats", "Childnet", ("6",), (S.RELATIONSHIPS, S.BULLYING, S.SELF_IMAGE)),
)

# Weeks into the term, year group, unit title. Year 5 is taught privacy, news and screen time, never online
# bullying: the run of cyberbullying in Year 5 (incidents/demo.py) leaves a gap nobody has taught yet.
LESSON_PLAN = (
    (1, "R", 0),
    (1, "1", 1),
    (1, "3", 2),
    (1, "6", 5),
    (2, "2", 1),
    (2, "4", 4),
    (2, "5", 4),
    (2, "6", 9),
    (3, "R", 0),
    (3, "3", 3),
    (3, "5", 5),
    (3, "6", 7),
    (4, "1", 1),
    (4, "4", 2),
    (4, "5", 6),
    (4, "6", 6),
    (6, "2", 3),
    (6, "3", 4),
    (6, "4", 5),
    (6, "6", 8),
    (7, "R", 0),
    (7, "5", 7),
    (8, "4", 6),
    (8, "2", 1),
    (9, "3", 2),
    (9, "6", 4),
    (10, "1", 1),
    (10, "4", 3),
    (11, "3", 4),
    (11, "6", 5),
)

POLICIES = (
    # From seed 000 (Haslingfield): approved by the FGB in November 2024, next review due by November 2027.
    {
        "title": "Online safety policy",
        "kind": Policy.Kind.ONLINE_SAFETY,
        "approved_by": "Full governing board (FGB)",
        "approved_on": datetime.date(2024, 11, 19),
        "review_by": datetime.date(2027, 11, 30),
        "responsible": "osl",
        "seed": "000_463ddb8e489edab5.txt",
    },
    # Seed 001 (Bratton): AUPs reviewed "at least annually", agreed by the SLT and governing body.
    {
        "title": "Acceptable use policies (staff, pupils, parents and visitors)",
        "kind": Policy.Kind.AUP,
        "approved_by": "Senior leadership team and governing body",
        "approved_on": datetime.date(2025, 9, 16),
        "review_months": 12,
        "responsible": "osl",
    },
    # Seed 003 (Roebuck): filtering changes logged, "web filtering management status".
    {
        "title": "Filtering and monitoring",
        "kind": Policy.Kind.FILTERING,
        "approved_by": "Headteacher and safeguarding governor",
        "approved_on": datetime.date(2025, 12, 9),
        "review_months": 12,
        "responsible": "head",
    },
    {
        "title": "Safeguarding and child protection policy",
        "kind": Policy.Kind.SAFEGUARDING,
        "approved_by": "Full governing board (FGB)",
        "approved_on": datetime.date(2026, 9, 22),
        "review_months": 12,
        "responsible": "dsl",
    },
    # Seed 003: digital images only with written consent; "reviewed every 24 months".
    {
        "title": "Digital images and photographs",
        "kind": Policy.Kind.IMAGES,
        "approved_by": "Headteacher",
        "approved_on": datetime.date(2025, 3, 4),
        "review_months": 24,
        "responsible": "head",
    },
    {
        "title": "Anti-bullying (including online bullying)",
        "kind": Policy.Kind.BEHAVIOUR,
        "approved_by": "Full governing board (FGB)",
        "approved_on": datetime.date(2025, 1, 21),
        "review_months": 24,
        "responsible": "dsl",
    },
)


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    today = timezone.localdate()
    services.requirements_ensure_defaults(school=school)
    _training(school, demo.users, today)
    hillside = demo.schools.get("hillside")
    if hillside is not None and "staff2" in demo.users:
        services.requirements_ensure_defaults(school=hillside)
        _record(hillside, demo.users["staff2"], "induction", datetime.date(2023, 9, 4), demo.users["staff2"])
        _record(hillside, demo.users["staff2"], "annual_update", add_months(today, -13), demo.users["staff2"])
    # Oakfield sets its threshold at four incidents a term (the default is three): at three, the demo's
    # random mix of cyberbullying reports also trips Years 3 and 4, and one clear Year 5 story reads better.

    CurriculumSettings.objects.get_or_create(school=school, defaults={"gap_threshold": DEMO_THRESHOLD})
    units = _units(school)
    _lessons(school, demo.users, units, today)
    _events(school, demo.users, today)
    _policies(school, demo.users)
    services.gaps_check(school=school, on=today)

    totals = selectors.matrix(school=school, today=today).totals()
    open_gaps = Gap.objects.filter(school=school, status=Gap.Status.OPEN).select_related("term")
    gap_text = "; ".join(
        f"{g.get_year_group_display()} {g.get_strand_display().lower()} "
        f"({g.incident_count} {g.get_category_display().lower()} incidents)"
        for g in open_gaps
    )
    return [
        f"Training at {school.name}: {totals['current']} current, {totals['due']} due within 30 days, "
        f"{totals['expired']} expired, {totals['missing']} missing (matrix: dsl@ or head@demo.example).",
        f"Curriculum: {Lesson.objects.filter(school=school).count()} lessons logged this term, "
        f"{Unit.objects.filter(school=school).count()} units; open gaps raised by incidents: {gap_text or 'none'}.",
        f"Policy register: {Policy.objects.filter(school=school).count()} policies from the seed policies.",
    ]


def _req(school, key: str) -> TrainingRequirement:
    return TrainingRequirement.objects.get(school=school, key=key)


def _record(
    school,
    user,
    key: str,
    on: datetime.date,
    by,
    *,
    course: str = "",
    provider: str = "",
    hours: str = "1.5",
    briefing=None,
) -> None:
    if on > timezone.localdate():
        return
    if TrainingRecord.objects.filter(school=school, user=user, requirement__key=key, completed_on=on).exists():
        return
    req = _req(school, key)
    TrainingRecord.objects.create(
        school=school,
        user=user,
        requirement=req,
        course=course or req.name,
        provider=provider or "Wiltshire Education Safeguarding Team",
        completed_on=on,
        hours=Decimal(hours),
        recorded_by=by,
        briefing=briefing,
    )


def _training(school, users, today: datetime.date) -> None:
    dsl = users["dsl"]
    people = [users[k] for k in ("staff", "dsl", "deputy", "head", "osl", "tech", "governor", "chair") if k in users]
    if TrainingRecord.objects.filter(school=school, user__in=people).exists():
        return
    # Everyone on the staff was inducted years ago.
    for key in ("staff", "dsl", "deputy", "head", "osl", "tech"):
        _record(school, users[key], "induction", datetime.date(2019, 9, 3), dsl, hours="3")
    # The September INSET briefing, recorded once with its attendance list; the technician missed it.
    term = term_in_view(school=school, today=today).term
    inset = term.starts_on if term else add_months(today, -2)
    session = BriefingSession.objects.create(
        school=school,
        requirement=_req(school, "annual_update"),
        title="INSET: KCSiE update and filtering roles",
        provider="Designated Safeguarding Lead, in school",
        delivered_on=inset,
        hours=Decimal("1.5"),
        notes="KCSiE changes, the 4 Cs, how to report on the portal, each person's filtering and monitoring role.",
        recorded_by=dsl,
    )
    for key in ("dsl", "deputy", "head", "osl"):
        _record(
            school,
            users[key],
            "annual_update",
            inset,
            dsl,
            course=session.title,
            provider=session.provider,
            briefing=session,
        )
    # The class teacher's update was at a course last year and falls due within the month.
    _record(
        school,
        users["staff"],
        "annual_update",
        add_months(today, -12) + datetime.timedelta(days=18),
        dsl,
        course="Online safety update for teachers",
        provider="NSPCC Learning",
    )
    # The technician's annual update lapsed last month; filtering training has never been recorded.
    _record(school, users["tech"], "annual_update", add_months(today, -13), dsl, provider="Oakford Technology")
    # DSL: formal training in date, the annual refresher due in three weeks, Prevent in date.
    _record(school, dsl, "dsl_training", add_months(today, -14), dsl, course="DSL two-day course", hours="12")
    _record(
        school,
        dsl,
        "dsl_refresher",
        add_months(today, -12) + datetime.timedelta(days=21),
        dsl,
        course="DSL refresher",
        hours="3",
    )
    _record(
        school,
        dsl,
        "prevent",
        add_months(today, -6),
        dsl,
        course="Prevent awareness (Home Office e-learning)",
        provider="Home Office",
    )
    # Deputy: formal DSL training in date, refresher in date, Prevent expired.
    _record(
        school, users["deputy"], "dsl_training", add_months(today, -8), dsl, course="DSL two-day course", hours="12"
    )
    _record(school, users["deputy"], "dsl_refresher", add_months(today, -5), dsl, course="DSL refresher", hours="3")
    _record(
        school,
        users["deputy"],
        "prevent",
        add_months(today, -27),
        dsl,
        course="Prevent awareness",
        provider="Home Office",
    )
    # Governors: the safeguarding governor is up to date; the chair's update has expired.
    _record(
        school,
        users["governor"],
        "governor_induction",
        datetime.date(2022, 10, 4),
        dsl,
        provider="Wiltshire Governor Services",
    )
    _record(
        school, users["governor"], "governor_update", add_months(today, -3), dsl, provider="Wiltshire Governor Services"
    )
    _record(
        school,
        users["chair"],
        "governor_induction",
        datetime.date(2021, 1, 12),
        dsl,
        provider="Wiltshire Governor Services",
    )
    _record(
        school, users["chair"], "governor_update", add_months(today, -15), dsl, provider="Wiltshire Governor Services"
    )


def _units(school) -> list[Unit]:
    units = []
    for title, programme, years, strands in UNITS:
        unit, _ = Unit.objects.get_or_create(
            school=school,
            title=title,
            defaults={"programme": programme, "year_groups": list(years), "strands": [str(s) for s in strands]},
        )
        units.append(unit)
    return units


def _lessons(school, users, units: list[Unit], today: datetime.date) -> None:
    if Lesson.objects.filter(school=school).exists():
        return
    term = term_in_view(school=school, today=today).term  # out of term, the term just ended
    if term is None:
        return
    teachers = [users[k] for k in ("staff", "osl", "deputy") if k in users]
    rng = random.Random(2026)
    links = []
    for week, year_group, unit_index in LESSON_PLAN:
        taught_on = term.starts_on + datetime.timedelta(weeks=week - 1, days=rng.randint(0, 4))
        if taught_on > min(today, term.ends_on):
            continue
        unit = units[unit_index]
        lesson = Lesson.objects.create(
            school=school,
            taught_by=rng.choice(teachers),
            taught_on=taught_on,
            year_group=year_group,
            class_name=f"{year_group} {rng.choice(['Ash', 'Beech'])}" if year_group != "R" else "Reception",
            unit=unit,
        )
        links += [
            LessonStrand(lesson=lesson, school=school, year_group=year_group, taught_on=taught_on, strand=s)
            for s in unit.strands
        ]
    LessonStrand.objects.bulk_create(links)


def _events(school, users, today: datetime.date) -> None:
    events = (
        (
            Event.Kind.PARENT_WORKSHOP,
            "Parent workshop: gaming, group chats and in-game spending",
            datetime.date(2026, 10, 8),
            Event.Audience.PARENTS,
            [],
            [S.HEALTH, S.RELATIONSHIPS],
            34,
        ),
        (
            Event.Kind.ASSEMBLY,
            "Anti-Bullying Week assembly: 'Choose respect' online and offline",
            datetime.date(2026, 11, 16),
            Event.Audience.PUPILS,
            ["1", "2", "3", "4", "5", "6"],
            [S.BULLYING],
            196,
        ),
        (
            Event.Kind.SAFER_INTERNET_DAY,
            "Safer Internet Day 2026: 'Smart tech, safe choices'",
            datetime.date(2026, 2, 10),
            Event.Audience.FAMILIES,
            ["R", "1", "2", "3", "4", "5", "6"],
            [S.INFORMATION, S.PRIVACY],
            188,
        ),
    )
    for kind, title, held_on, audience, years, strands, attendance in events:
        if held_on > today:
            continue
        Event.objects.get_or_create(
            school=school,
            title=title,
            defaults={
                "kind": kind,
                "held_on": held_on,
                "audience": audience,
                "year_groups": years,
                "strands": [str(s) for s in strands],
                "attendance": attendance,
                "recorded_by": users["osl"],
            },
        )


def _policies(school, users) -> None:
    for spec in POLICIES:
        if Policy.objects.filter(school=school, title=spec["title"]).exists():
            continue
        policy = Policy(
            school=school,
            title=spec["title"],
            kind=spec["kind"],
            approved_by=spec["approved_by"],
            approved_on=spec["approved_on"],
            review_months=spec.get("review_months"),
            review_by=spec.get("review_by"),
            responsible=users.get(spec["responsible"]),
        )
        if spec.get("seed"):
            pdf = _seed_pdf(spec["seed"], spec["title"])
            if pdf:
                policy.document_type, policy.document_name = "application/pdf", f"{spec['title']}.pdf"
                policy.document.save("x.pdf", ContentFile(pdf), save=False)
        policy.full_clean()
        policy.save()


def _seed_pdf(name: str, title: str) -> bytes | None:
    """The seed policy's text as a PDF, so the register has a real current document to download."""
    path = Path(__file__).parent / "seeds" / name
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    # A PDF/UA document names its language (WeasyPrint logs an error without it; screen readers need it).
    html = (
        f"<html lang='en-GB'><head><title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<pre style='white-space: pre-wrap; font-size: 9pt'>"
        f"{escape(text)}</pre></body></html>"
    )
    return render_pdf(html=html).content


plugins.register("demo", "curriculum", seed, order=50)
