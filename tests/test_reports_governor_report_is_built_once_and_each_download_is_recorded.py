"""A governor asks for a term's report, watches its progress and downloads it: the build runs once (a double
click, a retry or a second worker change nothing), the stored file matches its SHA-256, and each download
is recorded and shown."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from safeguarding_portal.reports import services
from safeguarding_portal.reports.models import GovernorReport, ReportDownload
from safeguarding_portal.schools.models import Term

from . import clock


@pytest.mark.django_db(transaction=True)
@clock.frozen("2026-11-23")
def test_asking_twice_builds_one_report_that_downloads_and_is_recorded(school, governor, signed_in):
    client = signed_in(governor)
    term = school.terms.get(academic_year=2026, name=Term.Name.AUTUMN)

    first = client.post(reverse("reports:request"), {"term": term.pk})
    again = client.post(reverse("reports:request"), {"term": term.pk})

    assert first.status_code == 302 and again.status_code == 302
    report = GovernorReport.objects.get()
    assert first["Location"] == reverse("reports:detail", args=[report.pk])
    # The task ran (eagerly here, a worker in production) once the request's transaction committed.
    assert report.state == GovernorReport.State.READY and report.progress == 100
    assert (report.starts_on, report.ends_on, report.term_id) == (term.starts_on, term.ends_on, term.pk)
    assert report.requested_by == governor
    stored = report.pdf.read()
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == report.sha256
    assert report.pages >= 8

    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert report.sha256 in page.content.decode() and b"Nobody yet" in page.content

    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == stored
    row = ReportDownload.objects.get()
    assert row.report == report and row.user == governor

    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.content.decode().count('data-testid="download-row"') == 1


@pytest.mark.django_db
def test_a_second_build_of_a_ready_report_changes_nothing(school, dsl):
    report = services.report_request(
        school=school, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 10, 2), by=dsl
    )
    built = services.build(report_id=report.pk)
    name, digest = built.pdf.name, built.sha256

    rebuilt = services.build(report_id=report.pk)  # a retry, or a second worker given the same message

    assert (rebuilt.pdf.name, rebuilt.sha256, rebuilt.state) == (name, digest, GovernorReport.State.READY)
    assert GovernorReport.objects.count() == 1


@pytest.mark.django_db
def test_the_same_period_while_queued_or_just_asked_is_one_report_but_a_later_request_builds_again(school, dsl):
    start, end = datetime.date(2026, 9, 2), datetime.date(2026, 10, 2)
    a = services.report_request(school=school, start=start, end=end, by=dsl)
    b = services.report_request(school=school, start=start, end=end, by=dsl)
    assert a.pk == b.pk
    services.build(report_id=a.pk)
    assert services.report_request(school=school, start=start, end=end, by=dsl).pk == a.pk  # a double click
    GovernorReport.objects.filter(pk=a.pk).update(requested_at=a.requested_at - datetime.timedelta(minutes=5))
    c = services.report_request(school=school, start=start, end=end, by=dsl)
    assert c.pk != a.pk and GovernorReport.objects.count() == 2


@pytest.mark.django_db
def test_the_progress_panel_polls_until_ready_then_reloads_the_page(school, dsl, signed_in):
    client = signed_in(dsl)
    report = GovernorReport.objects.create(
        school=school,
        starts_on=datetime.date(2026, 9, 2),
        ends_on=datetime.date(2026, 10, 2),
        title="Test",
        progress=40,
        stage="Counting",
        state=GovernorReport.State.BUILDING,
    )
    url = reverse("reports:status", args=[report.pk])

    building = client.get(url, HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in building.content and b"Counting" in building.content
    assert "HX-Refresh" not in building

    services.GovernorReport.objects.filter(pk=report.pk).update(state=GovernorReport.State.QUEUED)
    services.build(report_id=report.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert b"every 2s" not in done.content and b"Download the PDF" in done.content
    assert done["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_bad_dates_say_what_is_wrong_and_keep_what_was_typed(school, dsl, signed_in):
    client = signed_in(dsl)
    response = client.post(reverse("reports:request"), {"starts_on": "2026-10-10", "ends_on": "2026-09-01"})
    assert response.status_code == 200
    assert b"The end date is before the start date." in response.content
    assert b'value="2026-10-10"' in response.content
    nothing = client.post(reverse("reports:request"), {})
    assert b"Choose a term, or enter both a start and an end date." in nothing.content
    assert not GovernorReport.objects.exists()


@pytest.mark.django_db
def test_downloading_a_report_that_is_not_ready_goes_back_to_its_progress(school, governor, signed_in):
    client = signed_in(governor)
    report = GovernorReport.objects.create(
        school=school, starts_on=datetime.date(2026, 9, 2), ends_on=datetime.date(2026, 10, 2), title="Test"
    )
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    assert not ReportDownload.objects.exists()
