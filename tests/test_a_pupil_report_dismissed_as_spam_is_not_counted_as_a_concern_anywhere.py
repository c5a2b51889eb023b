"""A pupil-raised report the DSL team dismisses as spam or abuse stays a case record, but it is not a concern:
the home page, the governor report, the 4 Cs and the trust report count only the concerns (incidents.figures.
concerns), and an accepted pupil report counts like any other."""

import datetime
import re

import pytest
from django.urls import reverse

from incidents import pupil_reports
from incidents.figures import concern_figures, four_c_counts
from incidents.models import Incident, Moderation, Status
from incidents.report import governor_section
from safeguarding_portal.schools.selectors import term_in_view

from . import clock
from .incident_helpers import make_case
from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
TODAY = datetime.date(2026, 11, 23)


def _tell(client, school, **payload) -> Incident:
    before = set(Incident.objects.values_list("pk", flat=True))
    client.post(tell_url(school), pupil_payload(**payload))
    return Incident.objects.exclude(pk__in=before).get()


def test_a_dismissed_pupil_report_is_left_out_of_every_concern_figure(client, signed_in, school, staff, dsl):
    for _ in range(3):
        make_case(school=school, reporter=staff)
    accepted = _tell(client, school)
    pupil_reports.pupil_report_accept(incident=accepted, by=dsl, category="cyberbullying")
    spam = _tell(client, school, description="lol this is a joke form, nothing happened to anyone")
    pupil_reports.pupil_report_dismiss(incident=spam, by=dsl, reason_kind="spam", reason="A joke, no concern")
    spam.refresh_from_db()
    assert (spam.moderation, spam.status) == (Moderation.DISMISSED, Status.CLOSED)

    start, end = term_in_view(school=school, today=TODAY).window()
    end = min(end, TODAY)
    figures = concern_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
    assert (figures.total, figures.open_at_end, figures.allegations) == (4, 4, 0)
    assert sum(four_c_counts(school_ids=[school.pk], start=start, end=end)[school.pk].values()) == 4
    assert governor_section(school=school, start=start, end=end)["total"] == 4

    signed_in(dsl)
    home = client.get(reverse("home")).content.decode()
    term = re.search(r'data-testid="term-figures">[^<]*<strong>(\d+)</strong>[^,]*, (\d+) open now', home)
    assert term and tuple(int(g) for g in term.groups()) == (4, 4)
    # The dismissed report is still a record the DSL team can open.
    assert client.get(reverse("incidents:case", args=[spam.reference])).status_code == 200
