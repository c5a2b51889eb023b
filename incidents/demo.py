"""Demo incidents: a realistic autumn term at Oakfield, so dsl@demo.example sees a living dashboard.

Idempotent: each demo report has a fixed submission token, and one that exists already is left alone.
"""

from __future__ import annotations

import datetime
import random
import uuid
from zoneinfo import ZoneInfo

from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.schools.models import Pupil, Term
from safeguarding_portal.schools.selectors import term_in_view

from . import pupil_reports, searches, services
from .categories import Category
from .models import DeviceOutcome, DeviceSearch, EntryKind, Incident, SearchAuthority, SearchGrounds, Status

NAMESPACE = uuid.UUID("6f1c4a52-5d2e-4a57-9a3c-1b2f8e7d9c01")
LONDON = ZoneInfo("Europe/London")

# (category, what the reporter wrote, what they did, where, device, pupil roles)
STORIES = [
    (
        Category.CYBERBULLYING,
        "Three girls in the class say a group chat has been sharing edited photos of "
        "another pupil with unkind captions. She was upset at break and showed me messages on her phone.",
        "Reassured her, did not take screenshots, told her I would pass it to the DSL.",
        "off_site",
        "personal",
        ["harmed", "harming", "harming"],
    ),
    (
        Category.HARMFUL_CONTENT_ACCIDENTAL,
        "While researching volcanoes a pupil clicked an image result that "
        "showed a violent video thumbnail. He closed the tab and told me straight away.",
        "Praised him for telling me, noted the search terms, told the technician.",
        "on_site",
        "school",
        ["harmed"],
    ),
    (
        Category.UNWANTED_CONTACT,
        "Pupil said someone she does not know in real life has been messaging her in a "
        "game, asking which school she goes to and for photos.",
        "Told her not to reply; she has blocked them.",
        "off_site",
        "personal",
        ["harmed"],
    ),
    (
        Category.MISINFORMATION,
        "Several pupils repeating a video claim that the school is going to be closed "
        "because of a 'poison' in the water, some are frightened.",
        "Reassured the class; spoke to the year lead.",
        "on_site",
        "none",
        ["involved", "involved"],
    ),
    (
        Category.PERSONAL_DEVICE_MISUSE,
        "Pupil was filming other children in the toilets on a smartwatch.",
        "Took the watch to the office, switched off, in an envelope.",
        "on_site",
        "personal",
        ["harming", "harmed"],
    ),
    (
        Category.PHISHING_SCAMS,
        "Pupil's gaming account was taken over after she typed her password into a "
        "'free skins' site. She is worried about her mum's card.",
        "Advised her to tell her parent tonight.",
        "off_site",
        "personal",
        ["harmed"],
    ),
    (
        Category.EXCESSIVE_USE,
        "Pupil falling asleep in lessons; says he plays online until 2am most nights.",
        "Spoke with him about sleep; told class teacher.",
        "off_site",
        "personal",
        ["harmed"],
    ),
    (
        Category.YOUTH_PRODUCED_IMAGERY,
        "A pupil told me an older pupil asked her to send a photo without her top "
        "on and she did. She thinks it has been shared.",
        "Did not look at any image. Phone secured in the DSL's office, switched off.",
        "off_site",
        "personal",
        ["harmed", "harming"],
    ),
    (
        Category.ONLINE_HATE,
        "Racist comments posted under a pupil's video by another pupil from the class.",
        "Told both they must not discuss it further; passed on.",
        "off_site",
        "personal",
        ["harmed", "harming"],
    ),
    (
        Category.FILTERING_BREACH,
        "A gambling site loaded on the class laptops during a maths game search.",
        "Closed the browser and told the technician; noted the address.",
        "on_site",
        "school",
        ["witness"],
    ),
    (
        Category.RADICALISATION,
        "Pupil has been sharing videos from an extremist influencer with friends and "
        "repeating phrases about 'taking back control' from a specific group.",
        "Listened, did not challenge aggressively, wrote down his words.",
        "on_site",
        "personal",
        ["involved"],
    ),
    (
        Category.GAMBLING_SPENDING,
        "Pupil spent over £200 of a parent's money on loot boxes and is scared to tell them.",
        "Reassured him and said the school would help him talk to his parents.",
        "off_site",
        "personal",
        ["harmed"],
    ),
]

# The demo case whose story is the smartwatch filming (STORIES[4]; cases 4, 9 and 13 are cyberbullying).
_WATCH_CASE = 16

# How far each demo case got: (days ago, status, immediate risk)
PLAN = [
    (80, Status.CLOSED, False),
    (74, Status.CLOSED, False),
    (69, Status.CLOSED, False),
    (63, Status.CLOSED, False),
    (58, Status.CLOSED, False),
    (52, Status.AWAITING_AGENCY, False),
    (47, Status.CLOSED, False),
    (41, Status.IN_PROGRESS, False),
    (37, Status.CLOSED, False),
    (33, Status.AWAITING_AGENCY, False),
    (29, Status.IN_PROGRESS, False),
    (26, Status.CLOSED, False),
    (22, Status.IN_PROGRESS, False),
    (19, Status.ACKNOWLEDGED, False),
    (16, Status.CLOSED, False),
    (13, Status.IN_PROGRESS, False),
    (10, Status.ACKNOWLEDGED, False),
    (8, Status.AWAITING_AGENCY, False),
    (6, Status.IN_PROGRESS, False),
    (4, Status.ACKNOWLEDGED, False),
    (3, Status.REPORTED, False),
    (1, Status.REPORTED, False),
    (0, Status.REPORTED, True),
]


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    users = demo.users
    reporters = [users["staff"], users["osl"], users["tech"], users["deputy"], users["staff"]]
    rng = random.Random(2026)
    pupils = list(Pupil.objects.filter(school=school, year_group__in=["3", "4", "5", "6"]).order_by("upn"))
    # One Year 5 pupil turns up again and again: the pattern the DSL should notice.
    recurring = next((p for p in pupils if p.year_group == "5"), pupils[0])
    now = timezone.now()
    created = 0
    for i, (days_ago, status, urgent) in enumerate(PLAN):
        token = uuid.uuid5(NAMESPACE, f"oakfield-{i}")
        if Incident.objects.filter(submission_token=token).exists():
            continue
        category, text, action, location, device, roles = STORIES[i % len(STORIES)]
        if i in (4, 9, 13):  # a run of cyberbullying in Year 5 this term
            category, text, action, location, device, roles = STORIES[0]
        reported_at = (
            (now - datetime.timedelta(days=days_ago))
            .astimezone(LONDON)
            .replace(hour=9 + rng.randint(0, 6), minute=rng.choice([5, 12, 20, 35, 41, 50]), second=0, microsecond=0)
        )
        if reported_at > now:
            reported_at = now - datetime.timedelta(minutes=25)
        involved = [recurring] if i in (4, 9, 13) else []
        involved += [p for p in rng.sample(pupils, k=len(roles)) if p not in involved][: len(roles) - len(involved)]
        incident = services.incident_report(
            school=school,
            reporter=reporters[i % len(reporters)],
            submission_token=token,
            notify=False,
            occurred_at=reported_at - datetime.timedelta(hours=rng.randint(1, 20)),
            reported_at=reported_at,
            location=location,
            category=category,
            description=text,
            action_taken=action,
            device=device,
            immediate_risk=urgent,
            pupils=[services.PupilInvolvement(p.pk, r) for p, r in zip(involved, roles, strict=False)],
        )
        _progress(incident, status=status, users=users, at=reported_at, rng=rng)
        created += 1
    allegation_token = uuid.uuid5(NAMESPACE, "oakfield-allegation")
    if not Incident.objects.filter(submission_token=allegation_token).exists():
        services.incident_report(
            school=school,
            reporter=users["deputy"],
            submission_token=allegation_token,
            notify=False,
            occurred_at=now - datetime.timedelta(days=5, hours=3),
            reported_at=now - datetime.timedelta(days=5),
            location="off_site",
            category=Category.STAFF_CONDUCT,
            device="personal",
            immediate_risk=False,
            subject_staff=users["tech"],
            description="A parent says a member of staff followed their child's private Instagram account "
            "and sent a message about a photo.",
            action_taken="Told the parent I would pass this straight to the headteacher.",
        )
        created += 1
    _device_searches(school=school, users=users)
    _pupil_raised(school=school, now=now)
    return []


def summary(*, demo) -> list[str]:
    """What the demo holds this term, counted after every app's builder (monitoring's escalates an alert to a
    case): the same lines on every run."""
    school = demo.schools["oakfield"]
    since, until = day_bounds(*term_in_view(school=school).window())
    total = Incident.objects.filter(school=school, reported_at__gte=since, reported_at__lt=until).count()
    search_count = DeviceSearch.objects.filter(school=school).count()
    # The same lines on every run: seed_demo's output is part of its idempotency contract.
    return [
        f"Incidents: {total} at {school.name} this term, including one allegation about staff for the head.",
        f"Device searches: {search_count} at {school.name}, one of them on a case.",
    ]


def _pupil_raised(*, school, now: datetime.datetime) -> None:
    """One report a pupil sent from the school's tell-someone link, waiting for the DSL team's check."""
    pupil_reports.pupil_link_for(school=school)
    token = uuid.uuid5(NAMESPACE, "oakfield-pupil-raised")
    if Incident.objects.filter(submission_token=token).exists():
        return
    pupil_reports.pupil_report(
        school=school,
        about="unkind",
        when="week",
        still_happening=True,
        name="",
        description="People in my year made a group chat about me and keep posting pictures of me with horrible "
        "comments. They added people from other classes. I don't want to come in tomorrow.",
        submission_token=token,
        reported_at=now - datetime.timedelta(hours=2),
        notify=False,
    )


# The demo's searches are told apart by their device, which no real search record shares with them.
WATCH_SEARCH = "Pupil's own smartwatch (black strap), demo"
PHONE_SEARCH = "Pupil's own mobile phone (blue case), demo"


def _device_searches(*, school, users) -> None:
    """Two device searches through the service: one on the smartwatch case, which found a risk to a child (so
    nothing deleted, the watch kept), and one under the school rules, deleted with the reason, the parents told
    afterwards and the phone handed back. Each is made once; recorded now, about searches some days ago."""
    head, deputy, dsl, staff, osl = users["head"], users["deputy"], users["dsl"], users["staff"], users["osl"]
    now = timezone.now()
    watch_case = Incident.objects.filter(
        submission_token=uuid.uuid5(NAMESPACE, f"oakfield-{_WATCH_CASE}"), school=school
    ).first()
    if watch_case is not None and not DeviceSearch.objects.filter(school=school, device=WATCH_SEARCH).exists():
        link = watch_case.pupil_links.filter(role="harming").first() or watch_case.pupil_links.order_by("pk").first()
        searches.search_record(
            school=school,
            by=deputy,
            pupil=link.pupil,
            incident=watch_case,
            searched_at=min(watch_case.reported_at + datetime.timedelta(minutes=40), now),
            device=WATCH_SEARCH,
            authorised_by=head,
            authority=SearchAuthority.HEADTEACHER,
            searched_by=deputy,
            witness=staff,
            no_witness_reason="",
            grounds=SearchGrounds.HARM,
            reason="Seen filming other children in the toilets on the watch.",
            looked_at="The watch's gallery, with the pupil present: only today's recordings.",
            found="Two short videos recorded in the toilets this morning. Not watched further, copied or shared.",
            child_at_risk=True,
            deleted=False,
            parents_informed=True,
            parents_note="Mother told by phone the same afternoon.",
            outcome=DeviceOutcome.HELD,
        )
    if not DeviceSearch.objects.filter(school=school, device=PHONE_SEARCH).exists():
        pupil = Pupil.objects.filter(school=school, year_group="6").order_by("upn")[3]
        searched_at = (
            (now - datetime.timedelta(days=15)).astimezone(LONDON).replace(hour=13, minute=40, second=0, microsecond=0)
        )
        search = searches.search_record(
            school=school,
            by=dsl,
            pupil=pupil,
            searched_at=min(searched_at, now - datetime.timedelta(hours=1)),
            device=PHONE_SEARCH,
            authorised_by=deputy,
            authority=SearchAuthority.AUTHORISED_STAFF,
            searched_by=deputy,
            witness=osl,
            no_witness_reason="",
            grounds=SearchGrounds.SCHOOL_RULES,
            reason="Said by classmates to have photographed the answers to Friday's spelling test on the "
            "teacher's desk.",
            looked_at="The camera roll, today's photos only, with the pupil present.",
            found="One photo of the spelling test answer sheet.",
            child_at_risk=False,
            deleted=True,
            deleted_what="The one photo of the answer sheet.",
            deletion_reason="A photo of school papers taken against the school rules; not needed as evidence.",
            parents_informed=False,
            outcome=DeviceOutcome.HELD,
        )
        searches.search_parents_informed(
            search=search, by=dsl, text="Father told at collection the same day, in person."
        )
        searches.search_outcome(
            search=search,
            by=dsl,
            outcome=DeviceOutcome.RETURNED_TO_PARENT,
            text="Handed to the father at the end of the day.",
        )


def _progress(incident: Incident, *, status: str, users, at: datetime.datetime, rng: random.Random) -> None:
    """Walk a demo case through the DSL's usual steps, each a little later than the one before."""
    dsl, deputy = users["dsl"], users["deputy"]
    now = timezone.now()
    clock = at

    def later(minutes: int):
        nonlocal clock
        clock = min(clock + datetime.timedelta(minutes=minutes), now)
        return services.backdated(clock)

    if status == Status.REPORTED:
        return
    with later(rng.randint(8, 90)):
        services.case_acknowledge(incident=incident, by=dsl)
    with later(5):
        services.case_assign(incident=incident, to=rng.choice([dsl, deputy]), by=dsl)
    with later(5):
        services.case_classify(
            incident=incident,
            by=dsl,
            severity=rng.choice(["low", "medium", "medium", "high"]),
            concern_type=rng.choice(["online_safety", "online_safety", "child_protection"]),
            reason="Assessed after speaking to the pupils and the reporter.",
        )
    steps = list(incident.steps.filter(done_entry__isnull=True).order_by("order"))
    for step in steps[: max(1, len(steps) // 2)]:
        with later(30):
            services.case_step_done(step=step, by=dsl, note="Done; details in the notes above.")
    if status == Status.ACKNOWLEDGED:
        return
    with later(60):
        services.case_transition(incident=incident, to=Status.IN_PROGRESS, by=dsl)
    with later(120):
        services.case_record(
            incident=incident,
            by=dsl,
            kind=EntryKind.PARENT_CONTACT,
            text="Explained what was reported and what school will do.",
            data={"who": "Parent", "how": "phone", "when": clock.isoformat()},
        )
    due = timezone.localdate() + datetime.timedelta(days=rng.choice([-3, 2, 5]))
    with later(10):
        services.case_task_add(
            incident=incident, by=dsl, title="Check in with the pupil and record how they are", owner=deputy, due_on=due
        )
    if status == Status.IN_PROGRESS:
        return
    if status == Status.AWAITING_AGENCY:
        with later(60 * 24):
            services.case_record(
                incident=incident,
                by=dsl,
                kind=EntryKind.REFERRAL,
                text="Referred with the consent of the parent.",
                data={
                    "agency": "social_care",
                    "when": clock.isoformat(),
                    "reference": f"MASH-{rng.randint(10000, 99999)}",
                },
            )
        return
    with later(60 * 24):
        services.case_record(
            incident=incident,
            by=dsl,
            kind=EntryKind.NO_REFERRAL,
            text="Threshold for referral not met; managed in school with pastoral support.",
        )
    for i, step in enumerate(incident.steps.filter(done_entry__isnull=True)):
        with later(60 * 6):
            if i % 3 == 2:
                services.case_step_done(
                    step=step, by=dsl, not_needed=True, note="Not needed: the police and social care were not involved."
                )
            else:
                services.case_step_done(step=step, by=dsl, note="Done with the class teacher.")
    for task in incident.tasks.filter(done_entry__isnull=True):
        with later(60 * 24):
            services.case_task_done(task=task, by=deputy)
    with later(60 * 24 * 2):
        services.case_transition(
            incident=incident,
            to=Status.CLOSED,
            by=dsl,
            outcome="Resolved in school; parents informed; pupil supported by the class teacher.",
            lessons="Revisit this topic in PSHE with the year group.",
        )


# --- Concern history: three earlier terms at Oakfield, so the governor report and trends show a trend -------

# The tokens of the history's concerns (kept from when reports/demo.py made them, so a demo seeded before finds
# them and makes none again).
HISTORY_NAMESPACE = uuid.UUID("3b0f6c1e-8f0e-4a8f-b0f5-7a3c1d2e9b10")

# Per earlier term (oldest first): how many concerns of each category. Cyberbullying and unwanted contact
# rise term on term, the pattern the board should ask about; accidental content falls as filtering improves.
HISTORY: tuple[dict[str, int], ...] = (
    {
        Category.CYBERBULLYING: 3,
        Category.HARMFUL_CONTENT_ACCIDENTAL: 5,
        Category.UNWANTED_CONTACT: 1,
        Category.PHISHING_SCAMS: 2,
        Category.EXCESSIVE_USE: 3,
        Category.MISINFORMATION: 1,
    },
    {
        Category.CYBERBULLYING: 4,
        Category.HARMFUL_CONTENT_ACCIDENTAL: 4,
        Category.UNWANTED_CONTACT: 2,
        Category.PERSONAL_DEVICE_MISUSE: 3,
        Category.GAMBLING_SPENDING: 2,
        Category.ONLINE_HATE: 1,
    },
    {
        Category.CYBERBULLYING: 6,
        Category.HARMFUL_CONTENT_ACCIDENTAL: 3,
        Category.UNWANTED_CONTACT: 3,
        Category.YOUTH_PRODUCED_IMAGERY: 2,
        Category.PHISHING_SCAMS: 1,
        Category.FILTERING_BREACH: 2,
        Category.MISINFORMATION: 2,
    },
)
HISTORY_REFER = {
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
                token = uuid.uuid5(HISTORY_NAMESPACE, f"oakfield-{term.academic_year}-{term.name}-{n}")
                if Incident.objects.filter(submission_token=token).exists():
                    continue
                day = term.starts_on + datetime.timedelta(days=5 + (n * 37) % max(school_days, 1))
                while day.weekday() >= 5:
                    day += datetime.timedelta(days=1)
                reported = datetime.datetime.combine(day, datetime.time(9 + n % 6, 5 * (n % 11)), LONDON)
                incident = services.incident_report(
                    school=school,
                    reporter=reporters[n % len(reporters)],
                    submission_token=token,
                    notify=False,
                    occurred_at=reported - datetime.timedelta(hours=2),
                    reported_at=reported,
                    location="on_site",
                    category=category,
                    description="Demo history concern (earlier term).",
                    device="school",
                    immediate_risk=False,
                    pupils=[services.PupilInvolvement(rng.choice(pupils).pk, "harmed")] if pupils else [],
                )
                clock = reported + datetime.timedelta(minutes=rng.choice([12, 25, 40, 75, 180, 600, 1500]))
                with services.backdated(clock):
                    services.case_acknowledge(incident=incident, by=rng.choice([dsl, deputy]))
                clock += datetime.timedelta(days=1)
                agency = HISTORY_REFER.get(category)
                with services.backdated(clock):
                    if agency:
                        services.case_record(
                            incident=incident,
                            by=dsl,
                            kind=EntryKind.REFERRAL,
                            text="Referred.",
                            data={"agency": agency, "when": clock.isoformat()},
                        )
                    elif n % 9:  # one in nine closed without the decision written down: a gap to ask about
                        services.case_record(
                            incident=incident,
                            by=dsl,
                            kind=EntryKind.NO_REFERRAL,
                            text="Threshold for referral not met; managed in school.",
                        )
                clock += datetime.timedelta(days=rng.choice([2, 4, 7, 12]))
                with services.backdated(min(clock, timezone.now())):
                    # A case closes only when every required step is done or recorded as not needed.
                    for step in incident.steps.filter(done_entry__isnull=True, mandatory=True):
                        services.case_step_done(step=step, by=dsl, note="Done; see the notes.")
                    services.case_transition(
                        incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved; pupil supported in school."
                    )
                created += 1
    return created


def seed_history(*, demo) -> list[str]:
    """Before the term's own demo concerns (and before the governor report is built, in reports/demo.py)."""
    school = demo.schools["oakfield"]
    today = timezone.localdate()
    current = Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on").first()
    if current is None:
        return []
    earlier = list(Term.objects.filter(school=school, ends_on__lt=current.starts_on).order_by("-starts_on")[:3])
    earlier.reverse()
    if len(earlier) == len(HISTORY):
        _history(school=school, users=demo.users, terms=earlier)
    history = Incident.objects.filter(
        school=school,
        submission_token__in=[
            uuid.uuid5(HISTORY_NAMESPACE, f"oakfield-{t.academic_year}-{t.name}-{n}")
            for t in earlier
            for n in range(1, 40)
        ],
    ).count()
    return [
        f"Concern history: {history} concerns over the three earlier terms at {school.name}, for the governor "
        "report's trends."
    ]


# The history first: it was made first when reports/demo.py made it, so the case references stay as they were.
plugins.register("demo", "incidents.history", seed_history, order=10)
plugins.register("demo", "incidents", seed, order=20)
plugins.register("demo", "incidents.summary", summary, order=85)
