"""Every queue's badge equals the number of cases the queue lists, on generated cases in every state: closed
cases never count in a "still open" queue (overdue actions, required steps, urgent, mine). (The one exception,
a closed case whose required step a correction reopened, is
test_incident_a_closed_case_whose_required_step_reopens_says_so_and_is_queued.py.)"""

import csv
import datetime
import io
import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.categories import Category
from incidents.models import CaseStep, CaseTask, Incident, Status
from incidents.selectors import QUEUES

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

CATEGORIES = [
    Category.CYBERBULLYING,
    Category.PHISHING_SCAMS,
    Category.SEXUAL_ABUSE_EXPLOITATION,
    Category.EXCESSIVE_USE,
    Category.ONLINE_HATE,
]


def _finish_steps(incident, dsl):
    for step in CaseStep.objects.filter(incident=incident, done_entry__isnull=True):
        services.case_step_done(step=step, by=dsl, note="Not needed here", not_needed=True)


@pytest.fixture
def many_cases(school, staff, dsl, deputy):
    rng = random.Random(13)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for i in range(36):
        incident = make_case(
            school=school, reporter=staff, category=CATEGORIES[i % len(CATEGORIES)], immediate_risk=i % 7 == 0
        )
        fate = rng.choice(["new", "ack", "mine", "agency", "task", "closed", "closed_task", "reopened"])
        if fate == "new":
            continue
        services.case_acknowledge(incident=incident, by=dsl)
        if fate in ("mine", "task", "closed_task"):
            services.case_assign(incident=incident, to=dsl if fate != "task" else deputy, by=dsl)
        if fate in ("task", "closed_task"):
            services.case_task_add(incident=incident, by=dsl, title="Call home", owner=dsl, due_on=yesterday)
        if fate == "agency":
            services.case_record(
                incident=incident,
                by=dsl,
                kind="referral",
                text="MASH",
                data={"agency": "social_care", "when": "2026-11-20T10:00"},
            )
        if fate in ("closed", "closed_task", "reopened"):
            _finish_steps(incident, dsl)
            services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved")
        if fate == "reopened":
            services.case_transition(incident=incident, to=Status.REOPENED, by=dsl, note="More messages")
    # A case closed before steps were enforced, its steps still open: it must not count as "steps open".
    legacy = make_case(school=school, reporter=staff, category=Category.PHISHING_SCAMS)
    Incident.objects.filter(pk=legacy.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), acknowledged_at=timezone.now()
    )
    return Incident.objects.filter(school=school)


def _badge(html: str, queue: str) -> int:
    return int(re.search(rf'data-count="{queue}">(\d+)<', html).group(1))


def _listed(client, queue: str) -> int:
    html = client.get(reverse("incidents:dashboard"), {"queue": queue}).content.decode()
    return int(re.search(r'data-testid="list-count">(\d+) case', html).group(1)), html.count('data-label="Case"')


def test_each_queue_badge_counts_exactly_the_cases_it_lists(client, signed_in, many_cases, dsl):
    signed_in(dsl)
    home = client.get(reverse("incidents:dashboard")).content.decode()
    for queue, _label in QUEUES:
        badge = _badge(home, queue)
        count, rows_on_first_page = _listed(client, queue)
        assert badge == count, f"{queue}: badge {badge}, list {count}"
        assert rows_on_first_page == min(count, 25), queue
    closed = many_cases.filter(status=Status.CLOSED)
    assert closed.filter(open_mandatory_steps__gt=0).exists()  # the legacy case is in the data...
    for queue in ("steps_open", "overdue", "urgent", "mine", "awaiting_agency", "unacknowledged"):
        html = client.get(reverse("incidents:dashboard"), {"queue": queue}).content.decode()
        for reference in closed.values_list("reference", flat=True):  # ...and no closed case is listed
            assert f">{reference}<" not in html, (queue, reference)
    assert _badge(home, "open") + _badge(home, "closed") == many_cases.count()


def test_the_home_page_shows_the_same_queue_figures_as_the_dashboard(client, signed_in, many_cases, dsl):
    signed_in(dsl)
    dashboard = client.get(reverse("incidents:dashboard")).content.decode()
    home = client.get(reverse("home")).content.decode()
    for queue in ("urgent", "unacknowledged", "mine", "overdue", "awaiting_agency"):
        shown = re.search(rf'queue={queue}">[^<]+</a>: <strong[^>]*>(\d+)</strong>', home).group(1)
        assert int(shown) == _badge(dashboard, queue), queue


def _expected(cases, dsl) -> dict[str, set[str]]:
    """Each queue's cases worked out from the records themselves (the steps and tasks, not the case's counters),
    as the DSL would read the queue's name."""
    today = timezone.localdate()
    open_steps = set(
        CaseStep.objects.filter(mandatory=True, done_entry__isnull=True).values_list("incident_id", flat=True)
    )
    overdue = set(
        CaseTask.objects.filter(done_entry__isnull=True, due_on__lt=today).values_list("incident_id", flat=True)
    )
    queues: dict[str, set[str]] = {name: set() for name, _ in QUEUES}
    for case in cases:
        closed = case.status == Status.CLOSED
        wanted = {
            "unacknowledged": case.acknowledged_at is None,
            "urgent": case.immediate_risk and not closed,
            "mine": case.assigned_to_id == dsl.pk and not closed,
            "overdue": case.pk in overdue and not closed,
            "awaiting_agency": case.status == Status.AWAITING_AGENCY,
            "steps_open": case.pk in open_steps and case.status not in (Status.REPORTED, Status.CLOSED),
            "open": not closed,
            "closed": closed,
        }
        for name, listed in wanted.items():
            if listed:
                queues[name].add(case.reference)
    return queues


def _every_row(client, queue: str) -> list[str]:
    """The references the queue lists, page by page, as the DSL pages through it."""
    references, page = [], 1
    while True:
        html = client.get(reverse("incidents:dashboard"), {"queue": queue, "page": page}).content.decode()
        references += re.findall(r'data-label="Case"><a href="[^"]+">([A-Z]+-\d{4}-\d{4})</a>', html)
        if f"page={page + 1}" not in html:
            return references
        page += 1


def test_each_badge_equals_the_cases_the_records_put_in_that_queue_on_every_page_and_in_the_csv(
    client, signed_in, many_cases, dsl
):
    expected = _expected(list(many_cases), dsl)
    assert all(expected[name] for name in ("open", "closed", "steps_open", "mine", "overdue")), expected
    assert len(expected["open"]) > 25  # the list runs onto a second page
    signed_in(dsl)
    home = client.get(reverse("incidents:dashboard")).content.decode()
    for queue, _label in QUEUES:
        assert _badge(home, queue) == len(expected[queue]), queue
        rows = _every_row(client, queue)
        assert len(rows) == len(set(rows)) and set(rows) == expected[queue], queue
        exported = client.get(reverse("incidents:dashboard_csv"), {"queue": queue}).content.decode("utf-8-sig")
        assert {row[0] for row in list(csv.reader(io.StringIO(exported)))[1:]} == expected[queue], queue
