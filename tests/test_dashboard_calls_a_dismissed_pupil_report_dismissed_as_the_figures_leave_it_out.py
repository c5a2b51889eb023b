"""A pupil-raised report the DSL team dismissed is closed (the dashboard's kept counts count it with the closed
cases), but it is not a concern (every figure leaves it out). The dashboard says so in words: its row reads
"Dismissed", and the "By status" list says how many of the closed are dismissed pupil reports, so the dashboard
and the figures agree: the cases it lists, less the dismissed ones, are the concerns the home page counts."""

import datetime
import re

import pytest
from django.urls import reverse

from incidents import pupil_reports, services
from incidents.figures import concern_figures
from incidents.models import EntryKind, Incident, Status
from safeguarding_portal.schools.selectors import term_in_view

from . import clock
from .incident_helpers import make_case
from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
TODAY = datetime.date(2026, 11, 23)


def _tell(client, school, **payload) -> Incident:
    before = set(Incident.objects.values_list("pk", flat=True))
    client.post(tell_url(school), pupil_payload(still_happening="no", **payload))
    return Incident.objects.exclude(pk__in=before).get()


def test_the_dashboard_names_a_dismissed_report_dismissed_and_agrees_with_the_figures(
    client, signed_in, school, staff, dsl
):
    make_case(school=school, reporter=staff)
    resolved = make_case(school=school, reporter=staff)
    services.case_transition(incident=resolved, to=Status.ACKNOWLEDGED, by=dsl)
    services.case_record(incident=resolved, by=dsl, kind=EntryKind.NO_REFERRAL, text="Threshold not met.")
    for step in resolved.steps.filter(done_entry__isnull=True, mandatory=True):
        services.case_step_done(step=step, by=dsl, note="Done.")
    services.case_transition(incident=resolved, to=Status.CLOSED, by=dsl, outcome="Resolved in school.")
    spam = _tell(client, school, description="lol this is a joke form, nothing happened to anyone")
    pupil_reports.pupil_report_dismiss(incident=spam, by=dsl, reason_kind="spam", reason="A joke, no concern")

    signed_in(dsl)
    page = client.get(reverse("incidents:dashboard"), {"status": "closed"}).content.decode()

    row = re.search(rf"{spam.reference}</a>.*?</tr>", page, re.S).group(0)
    assert 'data-testid="status-dismissed"' in row and ">Dismissed<" in row
    other = re.search(rf"{resolved.reference}</a>.*?</tr>", page, re.S).group(0)
    assert ">Closed<" in other and "Dismissed" not in other
    closed = re.search(r'data-testid="closed-dismissed">([^<]*)<', page)
    assert closed and closed.group(1).strip() == "of which 1 dismissed pupil report (not a concern)"

    # The dashboard's cases (3), less the dismissed one, are the figures' concerns.
    everything = client.get(reverse("incidents:dashboard")).content.decode()
    listed = int(re.search(r'data-testid="list-count">(\d+) case', everything).group(1))
    start, end = term_in_view(school=school, today=TODAY).window()
    figures = concern_figures(school_ids=[school.pk], start=start, end=min(end, TODAY))[school.pk]
    assert (listed, figures.total) == (3, 2)
    home = client.get(reverse("home")).content.decode()
    term = re.search(r'data-testid="term-figures">[^<]*<strong>(\d+)</strong>', home)
    assert term and int(term.group(1)) == listed - 1
