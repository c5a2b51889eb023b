"""Demo web filtering records at Oakfield: a year of changes in every state (one overdue temporary allow), the
filter vendor's log with one change nobody approved, this term's checks with one untested combination, the four
responsibilities, last year's annual review and an out-of-cycle review.

Idempotent: the whole set is built once, inside one transaction; a second run finds the school's log and only
reports what is there.
"""

from __future__ import annotations

import datetime
import heapq
import uuid
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.core import plugins

from . import selectors, services, vendor
from .models import (
    ChangeRequest,
    CheckLocation,
    DeviceType,
    FilterEvent,
    RiskView,
    State,
    UserGroup,
    VendorImport,
)

LONDON = ZoneInfo("Europe/London")
NAMESPACE = uuid.UUID("0b8f3d1e-7a55-4a1c-8e0c-5d2f6a9b1c33")
VENDOR_FILE = "demo/filtering/lightspeed-audit-log.csv"

# (days ago requested, action, kind, target, scope, reason, final state, days the allow lasts or None)
PLAN = (
    (350, "allow", "domain", "www.britishmuseum.org", "year_group", "Ancient Egypt topic, Year 3", State.REVERTED, 30),
    (330, "block", "app", "Roblox", "all_pupils", "Pupils chatting with strangers at lunch", State.APPLIED, None),
    (
        300,
        "allow",
        "url",
        "https://www.youtube.com/watch?v=science-demo",
        "staff",
        "Science demo video",
        State.REVERTED,
        7,
    ),
    (280, "allow", "category", "Social networking", "all_pupils", "Pupils want Instagram", State.REJECTED, None),
    (260, "allow", "category", "IWF list", "staff", "Check why a page is blocked", State.REFUSED, None),
    (
        240,
        "allow",
        "domain",
        "scratch.mit.edu",
        "all_pupils",
        "Computing curriculum: Scratch projects",
        State.APPLIED,
        None,
    ),
    (220, "block", "keyword", "vape shop", "all_pupils", "Year 6 searching for vape shops", State.APPLIED, None),
    (200, "allow", "url", "https://www.bbc.co.uk/newsround", "all_pupils", "Daily news session", State.REVERTED, 60),
    (180, "allow", "domain", "padlet.com", "staff", "Staff CPD board", State.REJECTED, None),
    (
        150,
        "allow",
        "url",
        "https://www.nasa.gov/learning-resources",
        "year_group",
        "Year 5 space unit",
        State.REVERTED,
        21,
    ),
    (
        120,
        "block",
        "domain",
        "chat.unknown-ai.example",
        "all_pupils",
        "Unmoderated AI chatbot seen in Year 6",
        State.APPLIED,
        None,
    ),
    (90, "allow", "domain", "www.canva.com", "year_group", "Year 6 leavers' book design", State.REVERTED, 30),
    # The overdue one: a three-week allow that nobody reverted.
    (
        45,
        "allow",
        "domain",
        "www.twitch.tv",
        "device_group",
        "Esports club trial on the club laptops",
        State.APPLIED,
        21,
    ),
    (
        30,
        "allow",
        "url",
        "https://www.geograph.org.uk",
        "year_group",
        "Year 4 local area fieldwork",
        State.REVERTED,
        14,
    ),
    (
        20,
        "block",
        "url",
        "https://unblocked-games.example",
        "all_pupils",
        "Proxy games site found",
        State.APPLIED,
        None,
    ),
    (12, "allow", "domain", "www.tinkercad.com", "year_group", "Year 6 3D design unit", State.APPLIED, 40),
    (6, "allow", "domain", "www.duolingo.com", "year_group", "Year 5 French homework club", State.APPROVED, 60),
    (3, "allow", "url", "https://www.khanacademy.org/computing", "staff", "Staff coding CPD", State.REQUESTED, 30),
    (
        1,
        "block",
        "domain",
        "fortnite-tracker.example",
        "all_pupils",
        "Distracting during lessons",
        State.REQUESTED,
        None,
    ),
)
SCOPE_DETAIL = {"year_group": "Year 6", "device_group": "Club laptops"}


def _at(days_ago: float, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=int(days_ago))
    return datetime.datetime.combine(day, datetime.time(hour, 10), tzinfo=LONDON)


def _run_in_time_order(stories: list) -> None:
    """Run each story's steps in the order they happened, so the log's sequence follows the calendar.

    A story is a generator that yields the time of its next step; the step (the code up to the next yield)
    runs recorded at that time.
    """
    heap = []
    for n, story in enumerate(stories):
        at = next(story, None)
        if at is not None:
            heapq.heappush(heap, (at, n, story))
    while heap:
        at, n, story = heapq.heappop(heap)
        with services.backdated(at):
            upcoming = next(story, None)
        if upcoming is not None:
            heapq.heappush(heap, (upcoming, n, story))


def _change_story(i: int, school, users):
    days, action, kind, target, scope, reason, final, lasts = PLAN[i]
    requesters = [users["staff"], users["osl"], users["deputy"], users["head"], users["staff"]]
    tech = users["tech"]
    requester = requesters[i % len(requesters)]
    approver = users["dsl"] if requester == users["head"] or i % 2 else users["head"]
    yield _at(days)
    change = services.change_request(
        school=school,
        requester=requester,
        action=action,
        target_kind=kind,
        target=target,
        scope=scope,
        scope_detail=SCOPE_DETAIL.get(scope, ""),
        reason=reason,
        needed_until=(_at(days).date() + datetime.timedelta(days=lasts or 30)) if action == "allow" else None,
        submission_token=uuid.uuid5(NAMESPACE, f"change-{i}"),
    )
    if final == State.REFUSED or (final == State.REQUESTED and i != len(PLAN) - 2):
        return
    yield _at(days, 11)
    services.assess(
        change=change,
        by=tech,
        view=RiskView.TECHNICAL,
        rating="low" if action == "block" else "medium",
        assessment="Checked the site's content and what else it would open up.",
        mitigations="Scope limited as requested." if scope != "all_pupils" else "",
    )
    if final == State.REQUESTED:
        return
    yield _at(days, 13)
    services.assess(
        change=change,
        by=approver,
        view=RiskView.EDUCATIONAL,
        rating="low",
        assessment="Clear educational need; supervised use."
        if final != State.REJECTED
        else "The need can be met without this.",
    )
    yield _at(days - 1, 10)
    if final == State.REJECTED:
        services.reject(change=change, by=approver, reason="An approved alternative already exists.")
        return
    expires = _at(days).date() + datetime.timedelta(days=lasts) if (action == "allow" and lasts) else None
    services.approve(
        change=change,
        by=approver,
        reason="Educational need outweighs the assessed risk.",
        expires_on=expires,
        permanent_reason=""
        if expires or action == "block"
        else "A core curriculum resource used every week; reviewed at the annual review.",
    )
    if final == State.APPROVED:
        return
    yield _at(days - 1, 15)
    services.apply(change=change, by=tech, vendor_reference=f"LS-{2400 + i}")
    if final == State.REVERTED:
        yield _at(days - lasts, 16)  # on its expiry day, as it should be
        services.revert(change=change, by=tech, vendor_reference=f"LS-{2500 + i}")


def vendor_csv(school) -> bytes:
    """The vendor's export for the last five weeks: every applied change, a sign-in, and one change nobody
    approved (a supply teacher's account unblocking TikTok)."""
    since = timezone.now() - datetime.timedelta(days=35)
    lines = ["Date/Time,Administrator,Event,Object,Change Ref"]
    rows = []
    for c in ChangeRequest.objects.filter(school=school, applied_at__gte=since).order_by("applied_at"):
        verb = "Allow" if c.action == "allow" else "Block"
        rows.append(
            (
                c.applied_at + datetime.timedelta(minutes=2),
                "t.hughes",
                f"{verb} {c.target_kind}",
                c.target,
                c.vendor_reference,
            )
        )
        if c.reverted_at:
            rows.append(
                (
                    c.reverted_at + datetime.timedelta(minutes=1),
                    "t.hughes",
                    f"Remove {verb.lower()} rule",
                    c.target,
                    c.revert_reference,
                )
            )
    rows.append((_at(9, 10), "t.hughes", "Sign in", "Admin console", ""))
    rows.append((_at(8, 14), "cover.teacher", "Unblock domain", "www.tiktok.com", "LS-2611"))
    for at, who, event, target, ref in sorted(rows):
        lines.append(f"{timezone.localtime(at):%d/%m/%Y %H:%M},{who},{event},{target},{ref}")
    return ("\n".join(lines) + "\n").encode()


def _check_stories(school, users) -> list:
    today = timezone.localdate()
    start, end, _term = selectors.term_window(school=school, today=today)
    span = max((end - start).days, 1)
    cells = [(d, loc, g) for d in DeviceType.values for loc in CheckLocation.values for g in UserGroup.values]
    # Personal devices on guest wifi used by visitors: the one combination nobody tested this term.
    skipped = (DeviceType.PERSONAL, CheckLocation.GUEST_WIFI, UserGroup.VISITORS)

    def story(n: int, d: str, loc: str, g: str):
        on = start + datetime.timedelta(days=(n * span) // len(cells))
        failed = n == 7
        yield _at((today - on).days, 8)
        services.record_check(
            school=school,
            by=users["tech"],
            checked_on=on,
            method="swgfl" if n % 3 else "manual",
            device_type=d,
            location=loc,
            user_group=g,
            passed=not failed,
            what_was_tested="SWGfL Test Filtering: child sexual abuse, terrorism, adult content and offensive language"
            if n % 3
            else "Known proxy and gaming sites",
            failures="A proxy site loaded on the guest profile" if failed else "",
            actions="Vendor blocked the proxy category on the guest profile; re-tested next day" if failed else "",
            certificate=ContentFile(
                b"%PDF-1.4\n% SWGfL Test Filtering result (demo)\n", name="swgfl-test-filtering.pdf"
            )
            if n % 3
            else None,
        )

    return [story(n, d, loc, g) for n, (d, loc, g) in enumerate(c for c in cells if c != skipped)]


def _review_story(school, users):
    today = timezone.localdate()
    names = {
        "senior_leader": users["head"].full_name,
        "dsl": users["dsl"].full_name,
        "it_provider": "Sam Patel (Schools IT Ltd)",
        "governor": users["governor"].full_name,
    }
    yield _at(340, 16)
    review = services.record_review(
        school=school,
        by=users["head"],
        kind="annual",
        held_on=today - datetime.timedelta(days=340),
        findings="Filtering meets the DfE standards on school devices. Guest wifi relies on the router's own "
        "filter and has not been tested; temporary allows were not always reverted on time.",
        actions=[
            {
                "text": "Put guest wifi behind the school filter",
                "owner": users["tech"],
                "due_on": today - datetime.timedelta(days=280),
            },
            {
                "text": "Review every permanent allow each term",
                "owner": users["dsl"],
                "due_on": today - datetime.timedelta(days=20),
            },
        ],
        **names,
    )
    yield _at(285, 15)
    services.complete_action(
        action=review.actions.order_by("due_on").first(), by=users["tech"], done_on=today - datetime.timedelta(days=285)
    )
    yield _at(118, 16)
    services.record_review(
        school=school,
        by=users["dsl"],
        kind="out_of_cycle",
        held_on=today - datetime.timedelta(days=118),
        trigger="new_technology",
        trigger_detail="Pupils found an unmoderated AI chatbot",
        findings="The chatbot was not in any blocked category. Blocked by domain; monitoring alerts added.",
        actions=[
            {
                "text": "Brief staff on AI tools in the next INSET",
                "owner": users["osl"],
                "due_on": today + datetime.timedelta(days=20),
            }
        ],
        **names,
    )


def _responsibilities(school, users) -> None:
    start = timezone.localdate() - datetime.timedelta(days=400)
    for role, user, name, org in (
        ("senior_leader", users["head"], "", ""),
        ("dsl", users["dsl"], "", ""),
        ("governor", users["governor"], "", ""),
        ("it_provider", None, "Sam Patel", "Schools IT Ltd"),
    ):
        with services.backdated(_at(400, 8)):
            services.record_responsibility(
                school=school,
                by=users["head"],
                role=role,
                user=user,
                name=name or user.full_name,
                organisation=org,
                email="" if user is None else user.email,
                starts_on=start,
            )


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    users = demo.users
    if not FilterEvent.objects.filter(chain=f"school:{school.pk}").exists():
        with transaction.atomic():
            _responsibilities(school, users)
            _run_in_time_order(
                [_change_story(i, school, users) for i in range(len(PLAN))]
                + _check_stories(school, users)
                + [_review_story(school, users)]
            )
            data = vendor_csv(school)
            if not default_storage.exists(VENDOR_FILE):
                default_storage.save(VENDOR_FILE, ContentFile(data))
            vendor.import_vendor_log(
                school=school,
                by=users["tech"],
                data=data,
                filename="lightspeed-audit-log.csv",
                mapping=vendor.Mapping(
                    timestamp="Date/Time", user="Administrator", action="Event", target="Object", reference="Change Ref"
                ),
            )
    today = timezone.localdate()
    states = {s: ChangeRequest.objects.filter(school=school, state=s).count() for s in State.values}
    rec = vendor.reconciliation(school=school)
    grid_start, grid_end, _ = selectors.term_window(school=school, today=today)
    grid = selectors.coverage(school=school, start=grid_start, end=grid_end)
    return [
        "Web filtering at Oakfield: " + ", ".join(f"{n} {State(s).label.lower()}" for s, n in states.items()) + ";",
        f"  {selectors.overdue(school=school, today=today).count()} temporary allow past its expiry; vendor log "
        f"({VendorImport.objects.filter(school=school).count()} import) with {rec.unexplained_count} change nobody "
        f"approved (the CSV is in storage at {VENDOR_FILE});",
        f"  {grid['untested']} of {grid['cells']} check combinations untested this term; last annual review "
        f"{selectors.last_annual_review(school=school).held_on:%d %b %Y}.",
    ]


plugins.register("demo", "filtering", seed, order=40)
