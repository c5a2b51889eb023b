"""Reports of a school are for its governors, DSL team, online safety lead and head: another school's
governors get 404, parents, staff and technicians never get in, and the trust lead sees figures only."""

import datetime

import pytest
from django.urls import reverse

from safeguarding_portal.reports.models import GovernorReport, ReportDownload

from .conftest import _member


@pytest.fixture
def report(school):
    return GovernorReport.objects.create(
        school=school, starts_on=datetime.date(2026, 9, 2), ends_on=datetime.date(2026, 10, 2), title="Autumn report"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["governor", "chair", "dsl", "deputy", "head", "osl"])
def test_the_schools_readers_open_the_report(persona, report, signed_in, request):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:index")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff", "technician", "parent"])
def test_staff_technicians_and_parents_never_get_in(persona, report, signed_in, request):
    client = signed_in(request.getfixturevalue(persona))
    for url in (
        reverse("reports:index"),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:download", args=[report.pk]),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_governor_of_another_school_gets_404_and_nothing_is_recorded(report, other_school, signed_in):
    from safeguarding_portal.accounts.policy import Role

    elsewhere = _member(other_school, Role.GOVERNOR, "gov.hillside@hill.example")
    client = signed_in(elsewhere)
    GovernorReport.objects.filter(pk=report.pk).update(
        state=GovernorReport.State.READY, sha256="x" * 64, pdf="governor-reports/x.pdf"
    )
    for name in ("reports:detail", "reports:status", "reports:download"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert not ReportDownload.objects.exists()
    # Their own list does not show it either.
    assert b"Autumn report" not in client.get(reverse("reports:index")).content
