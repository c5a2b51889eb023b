"""The dashboard's counts kept per school and state (incidents.counts) equal a count of the cases themselves
after a mix of everything that moves a case: reports (pupils' concerns, allegations about staff and about the
head), acknowledging, assigning, referrals, tasks (overdue ones too), steps, closing, reopening, category
corrections, an allegation shared with the DSL team and a raw UPDATE. The dashboard's badges read from the kept
counts equal those counted live for every role that sees cases, and `manage.py recount_cases` finds and mends
drift."""

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from incidents import counts, selectors, services
from incidents.categories import Category
from incidents.models import CaseCount, CaseStep, EntryKind, Incident, Route, Status, TimelineEntry
from safeguarding_portal.accounts.context import PortalContext
from safeguarding_portal.outbox.models import OutboxMessage
from safeguarding_portal.schools.models import Pupil

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

CATEGORIES = [
    Category.CYBERBULLYING,
    Category.PHISHING_SCAMS,
    Category.SEXUAL_ABUSE_EXPLOITATION,
    Category.EXCESSIVE_USE,
    Category.ONLINE_HATE,
]


def _portal(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return PortalContext(request)


def _finish_steps(incident, dsl):
    for step in CaseStep.objects.filter(incident=incident, done_entry__isnull=True):
        services.case_step_done(step=step, by=dsl, note="Not needed here", not_needed=True)


@pytest.fixture
def mixed_cases(school, staff, dsl, deputy, head, chair):
    rng = random.Random(20)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for i in range(30):
        incident = make_case(
            school=school, reporter=staff, category=CATEGORIES[i % len(CATEGORIES)], immediate_risk=i % 6 == 0
        )
        fate = rng.choice(["new", "ack", "mine", "agency", "task", "closed", "reopened", "recategorised", "steps"])
        if fate == "new":
            continue
        services.case_acknowledge(incident=incident, by=dsl)
        if fate in ("mine", "task"):
            services.case_assign(incident=incident, to=dsl if fate == "mine" else deputy, by=dsl)
        if fate == "task":
            services.case_task_add(incident=incident, by=dsl, title="Call home", owner=dsl, due_on=yesterday)
        if fate == "agency":
            services.case_record(
                incident=incident,
                by=dsl,
                kind="referral",
                text="MASH",
                data={"agency": "social_care", "when": "2026-11-20T10:00"},
            )
        if fate == "steps":
            _finish_steps(incident, dsl)
        if fate == "recategorised":
            reported = TimelineEntry.objects.get(incident=incident, kind=EntryKind.REPORTED)
            services.case_correct(
                incident=incident,
                by=dsl,
                entry=reported,
                field="category",
                value=Category.ONLINE_HATE if incident.category != Category.ONLINE_HATE else Category.PHISHING_SCAMS,
                reason="It was about his religion",
            )
        if fate in ("closed", "reopened"):
            _finish_steps(incident, dsl)
            services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved")
        if fate == "reopened":
            services.case_transition(incident=incident, to=Status.REOPENED, by=dsl, note="More messages")
    # Allegations: about a member of staff (the head's), one of them shared with the DSL team, and one about
    # the head (the chair's).
    for i in range(3):
        allegation = make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=deputy)
        assert allegation.route == Route.HEADTEACHER
        if i == 0:
            services.case_share_with_dsl_team(incident=allegation, by=head, reason="The DSL team must know")
        if i == 1:
            services.case_acknowledge(incident=allegation, by=head)
    about_head = make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=head)
    assert about_head.route == Route.CHAIR
    # Cases of a pupil who has since left the school (an MIS import sets left_on): out of the everyday queues.
    leaver = PupilFactory(school=school)
    gone = make_case(school=school, reporter=staff, pupils=[leaver])
    services.case_acknowledge(incident=gone, by=dsl)
    services.case_task_add(incident=gone, by=dsl, title="Pass the file on", owner=dsl, due_on=yesterday)
    make_case(school=school, reporter=staff, pupils=[leaver])
    Pupil.objects.filter(pk=leaver.pk).update(left_on=timezone.localdate() - datetime.timedelta(days=1))
    # A case closed before steps were enforced, written past the services as a data migration would.
    legacy = make_case(school=school, reporter=staff, category=Category.PHISHING_SCAMS)
    Incident.objects.filter(pk=legacy.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), acknowledged_at=timezone.now()
    )
    return Incident.objects.filter(school=school)


def test_kept_counts_equal_a_recount_of_the_cases(mixed_cases):
    assert set(mixed_cases.values_list("status", flat=True)) >= {Status.REPORTED, Status.CLOSED, Status.REOPENED}
    assert counts.drift() == {}
    states = CaseCount.objects.filter(week=counts.NO_WEEK)
    assert sum(states.values_list("n", flat=True)) == mixed_cases.count()
    assert sum(CaseCount.objects.exclude(week=counts.NO_WEEK).values_list("n", flat=True)) == mixed_cases.count()


@pytest.mark.parametrize("role", ["dsl", "deputy", "head", "chair"])
def test_the_dashboards_counts_from_the_kept_rows_equal_those_counted_from_the_cases(request, mixed_cases, role):
    portal = _portal(request.getfixturevalue(role))
    kept, live = selectors._summary_counts(portal=portal), selectors._summary_counts_live(portal=portal)
    assert kept == live
    # The 12-week trend from the weeks' kept rows equals one counted from the cases.
    trend = selectors._weekly_trend(portal=portal, weeks=12)
    visible = selectors.visible_cases(portal=portal)
    for monday, n in trend:
        start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
        assert n == visible.filter(reported_at__gte=start, reported_at__lt=start + datetime.timedelta(weeks=1)).count()
    assert sum(n for _, n in trend) == visible.count()  # every case made this week
    if role in ("dsl", "deputy"):
        assert kept["overdue"] and kept["mine"] + kept["steps_open"] and kept["closed"] and kept["leavers"] == 2


def test_recount_cases_finds_drift_and_mends_it(mixed_cases, capsys):
    call_command("recount_cases", "--check")
    row = CaseCount.objects.filter(n__gt=0).first()
    CaseCount.objects.filter(pk=row.pk).update(n=row.n + 5)  # as a restore of an old backup of this table might
    with pytest.raises(CommandError, match="1 kept counts differ"):
        call_command("recount_cases", "--check")
    call_command("recount_cases")
    assert counts.drift() == {}
    call_command("recount_cases", "--check")


def test_a_report_and_its_count_are_one_transaction(school, staff, monkeypatch):
    # A report that fails after its case is written leaves neither the case nor its count behind.
    before = counts.stored_keys()
    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", _fail, raising=False)
    monkeypatch.setattr(services.chain, "append_many", _fail)
    with pytest.raises(RuntimeError):
        make_case(school=school, reporter=staff)
    assert counts.stored_keys() == before
    assert not Incident.objects.filter(school=school).exists()


def _fail(*args, **kwargs):
    raise RuntimeError("the process died here")
