"""One number, everywhere: each figure a DSL, a governor and the trust lead read (concerns this term and open
now, referrals, parents' agreements over children on roll, training in date, open curriculum gaps, filtering
allows past expiry) comes from one selector, and the home page, the governor report, the trust report and the
trust dashboard (its pre-computed figures, and the school's drill-down) show the same value for the same period.
"Fewer than 3" hides counts of children, never counts of adults."""

import datetime
import re

import pytest
from django.urls import reverse

from aup import services as aup_services
from aup.figures import agreement_coverage
from aup.models import Audience
from aup.report import governor_section as aup_section
from curriculum.figures import open_gaps, training_compliance
from curriculum.report import governor_section as curriculum_section
from curriculum.selectors import matrix
from filtering.figures import request_figures
from filtering.report import governor_section as filtering_section
from incidents import services as incident_services
from incidents.figures import concern_figures
from incidents.report import governor_section as incidents_section
from safeguarding_portal.reports import school_figures
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.reports.trust import trust_table
from safeguarding_portal.schools.models import Pupil
from safeguarding_portal.schools.selectors import term_in_view

from . import clock
from . import factories_aup as fa
from . import factories_curriculum as fc
from . import factories_filtering as ff
from .factories import PupilFactory
from .filtering_helpers import overdue_allow
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def school_with_records(school, staff, dsl, head, deputy, osl, technician, governor, other_school):
    # Concerns this term: some closed, one urgent, a referral, an allegation about staff.
    pupils = PupilFactory.create_batch(6, school=school)
    cases = [make_case(school=school, reporter=staff, pupils=[p], immediate_risk=i == 0) for i, p in enumerate(pupils)]
    for case in cases[:2]:
        incident_services.case_acknowledge(incident=case, by=dsl)
        for step in case.steps.filter(done_entry__isnull=True, mandatory=True):
            incident_services.case_step_done(step=step, by=dsl, note="Done")
        incident_services.case_transition(incident=case, to="closed", by=dsl, outcome="Resolved")
    incident_services.case_record(
        incident=cases[3],
        by=dsl,
        kind="referral",
        text="MASH",
        data={"agency": "social_care", "when": "2026-11-20T10:00"},
    )
    # Actions past their date on three open cases and on a closed one (which no "overdue" figure counts).
    for case in cases[1:5]:
        incident_services.case_task_add(
            incident=case, by=dsl, title="Call home", owner=dsl, due_on=TODAY - datetime.timedelta(days=2)
        )
    make_case(school=school, reporter=staff, category="staff_conduct", subject_staff=technician)
    # Parents' agreements: a campaign for one family; a child who has left keeps a signature that no longer counts.
    family = fa.family(school, children=2)
    signed = fa.invitation_of(fa.campaign(school, notify=False), family.guardian)
    fa.sign_invitation(signed)
    Pupil.objects.filter(pk=family.children[1].pk).update(left_on=TODAY - datetime.timedelta(days=3))
    # Staff agreement signed by two of the staff.
    version = fa.published(school, Audience.STAFF)
    for person in (staff, dsl):
        aup_services.sign_own(
            school=school, user=person, version=version, evidence=fa.EVIDENCE, issue_certificate=False
        )
    # Training: some done, some not; an open curriculum gap.
    fc.record(school, staff, "induction", completed_on=TODAY - datetime.timedelta(days=40))
    fc.record(school, staff, "annual_update", completed_on=TODAY - datetime.timedelta(days=400))
    fc.gap(school)
    # Filtering: one request awaiting a decision, one allow past its expiry.
    team = ff.team(school)
    ff.make_change(school=school, requester=staff)
    overdue_allow(school=school, requester=staff, approver=team["head"], technician=team["technician"])
    return school


def _home(client, signed_in, user) -> str:
    signed_in(user)
    return client.get(reverse("home")).content.decode()


def test_each_figure_is_the_same_on_the_home_page_the_governor_report_and_the_trust_report(
    client, signed_in, school_with_records, dsl, trust_lead
):
    school = school_with_records
    start, end = term_in_view(school=school, today=TODAY).window()
    end = min(end, TODAY)
    concerns = concern_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
    parents = agreement_coverage(school_ids=[school.pk])[school.pk][Audience.PARENT]
    staff_cover = agreement_coverage(school_ids=[school.pk])[school.pk][Audience.STAFF]
    compliance = training_compliance(school_ids=[school.pk], on=TODAY)[school.pk]
    gaps = open_gaps(school_ids=[school.pk])[school.pk]
    filtering = request_figures(school_ids=[school.pk], start=start, end=end, today=TODAY)[school.pk]
    # The data is what it should be, so the comparisons below compare something.
    assert (concerns.total, concerns.open_at_end, concerns.referrals, concerns.allegations) == (6, 4, 1, 1)
    assert (parents.signed, parents.total) == (1, school.pupils.on_roll().count())  # the leaver does not count
    assert (staff_cover.signed, staff_cover.percent) == (2, round(200 / staff_cover.total))
    assert compliance.required > compliance.valid > 0 and gaps == 1
    assert (filtering.awaiting, filtering.past_expiry) == (1, 1)
    # The training matrix the DSL opens agrees with the figure too.
    assert matrix(school=school, today=TODAY).compliance_percent() == compliance.percent

    home = _home(client, signed_in, dsl)
    term = re.search(
        r'data-testid="term-figures">[^<]*<strong>(\d+)</strong>[^,]*, (\d+) open now, (\d+) referral', home
    )
    assert tuple(int(g) for g in term.groups()) == (concerns.total, concerns.open_at_end, concerns.referrals)
    coverage = re.search(r'data-testid="panel-coverage">All children on roll: <strong>(\d+)</strong> of (\d+)', home)
    assert tuple(int(g) for g in coverage.groups()) == (parents.signed, parents.total)
    assert f'data-testid="home-training-percent">{compliance.percent}%' in home
    assert f'data-testid="home-gap-count">{gaps}<' in home
    assert re.search(rf'data-testid="filtering-past-expiry"><strong>{filtering.past_expiry}</strong>', home)

    governors = {
        "incidents": incidents_section(school=school, start=start, end=end),
        "aup": aup_section(school=school, start=start, end=end),
        "curriculum": curriculum_section(school=school, start=start, end=end),
        "filtering": filtering_section(school=school, start=start, end=end),
    }
    assert governors["incidents"]["total"] == concerns.total and governors["incidents"]["open_at_end"] == 4
    assert governors["incidents"]["allegations"] == "fewer than 3"  # children, or the subject, could be known
    aup_rows = {r["audience"]: r for r in governors["aup"]["coverage"]}
    assert aup_rows["Parents and carers"]["total"] == parents.total
    assert aup_rows["Parents and carers"]["signed"] == "fewer than 3"  # a count of children
    assert aup_rows["Staff"]["signed"] == staff_cover.signed  # a count of adults is shown as it is
    summary = {s["label"]: s["value"] for s in governors["curriculum"]["summary"]}
    assert summary["All required training in date"].startswith(f"{compliance.percent}%")
    assert summary["Open curriculum gaps raised by incidents"] == gaps
    filtering_summary = {s["label"]: s["value"] for s in governors["filtering"]["summary"]}
    assert filtering_summary["Temporary allows past expiry"] == filtering.past_expiry
    assert governors["filtering"]["figures"]["awaiting"] == filtering.awaiting

    table = trust_table(trust=school.trust, start=start, end=end)
    row = next(r for r in table["rows"] if r["school"] == school)
    assert (row["total"], row["open_at_end"]) == (concerns.total, concerns.open_at_end)
    assert row["referrals"] == "fewer than 3" and row["allegations"] == "fewer than 3"
    areas = {label: value for label, value, _ in row["areas"]}
    assert areas["Parents' agreements (children on roll)"] == f"{parents.percent}%"
    assert areas["Staff agreements"] == f"{staff_cover.percent}%"
    assert areas["Training in date"] == f"{compliance.percent}%"
    assert areas["Open curriculum gaps"] == str(gaps)
    assert areas["Filtering changes awaiting approval"] == str(filtering.awaiting)
    assert areas["Allows past expiry"] == str(filtering.past_expiry)
    signed_in(trust_lead)
    page = client.get(reverse("reports:trust"), {"starts_on": start.isoformat(), "ends_on": end.isoformat()})
    assert page.status_code == 200 and 'data-testid="trust-areas"' in page.content.decode()

    # The trust dashboard: its stored figures, refreshed as the sweep does, show the same numbers.
    school_figures.refresh(school_ids=[school.pk], today=TODAY)
    dashboard = client.get(reverse("schools:trust_overview")).content.decode()
    row = dashboard.split(f'data-school="{school.pk}"')[1].split("</tr>")[0]
    drill = client.get(reverse("reports:trust_school", kwargs={"school_id": school.pk})).content.decode()

    def cell(key: str) -> str:
        return re.search(rf'data-key="{key}">.*?class="dash-v[^"]*">([^<]*)<', row).group(1)

    assert cell("concerns") == str(concerns.total)
    assert cell("referrals") == "fewer than 3"  # a count of children's cases, as the trust report shows it
    assert cell("parents_agreements") == f"{parents.percent}%"
    assert cell("staff_agreements") == f"{staff_cover.percent}%"
    assert cell("training") == f"{compliance.percent}%"
    assert cell("open_gaps") == str(gaps)
    assert cell("filtering_awaiting") == str(filtering.awaiting)
    assert cell("allows_past_expiry") == str(filtering.past_expiry)
    staff_training = {s["label"]: s["value"] for s in governors["curriculum"]["summary"]}["Staff training in date"]
    assert cell("training_staff") == staff_training
    # The monitoring app's own figures (none in this term here), as its governor section counts them.
    from monitoring.figures import alert_figures

    alerts = alert_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
    assert cell("monitoring_alerts") == str(alerts.received) == "0"
    assert f'<th scope="row">Training in date</th><td class="num" data-label="Value">{compliance.percent}%<' in drill

    # The DSL's dashboard counts its queues by the same rules as the trust's figures (pupils' concerns: the
    # allegation about staff is the head's, not on the DSL's dashboard).
    signed_in(dsl)
    queues = client.get(reverse("incidents:dashboard")).content.decode()

    def badge(queue: str) -> int:
        return int(re.search(rf'data-count="{queue}">(\d+)<', queues).group(1))

    assert (badge("unacknowledged"), badge("overdue")) == (4, 3)
    assert cell("unacknowledged") == str(small_count(badge("unacknowledged")))
    assert cell("overdue_actions") == str(small_count(badge("overdue")))
