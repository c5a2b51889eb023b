"""Device search records are append-only and hash-chained like the case timeline, and the governor report
counts them (fewer than 3 for one or two) without naming a pupil, a device or what was found."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from incidents import report, searches
from incidents.models import DeviceSearch
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import AppendOnlyError

from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def _search(school, head, staff, deputy, *, at=None, **overrides):
    values = dict(
        school=school,
        by=head,
        pupil=PupilFactory(school=school, legal_forename="Zebedee"),
        searched_at=at or timezone.now(),
        device="Phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=staff,
        witness=deputy,
        no_witness_reason="",
        grounds="school_rules",
        reason="Filming",
        looked_at="Camera roll",
        found="Secretfinding video",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="held",
    )
    values.update(overrides)
    return searches.search_record(**values)


def test_a_search_is_never_changed_or_removed_and_tampering_breaks_the_chain(school, head, staff, deputy):
    search = _search(school, head, staff, deputy)
    search.found = "Nothing"
    with pytest.raises(AppendOnlyError):
        search.save()
    with pytest.raises(AppendOnlyError):
        search.delete()
    with pytest.raises(AppendOnlyError):
        DeviceSearch.objects.filter(pk=search.pk).update(found="Nothing")
    with pytest.raises(DatabaseError), transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("UPDATE incidents_devicesearch SET found = 'Nothing' WHERE id = %s", [search.pk])
    assert chain.verify(DeviceSearch) == []


def test_the_governor_report_counts_searches_in_the_period_only(school, head, staff, deputy, dsl):
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=30), today
    for _ in range(3):
        _search(school, head, staff, deputy, parents_informed=False)
    _search(
        school,
        head,
        staff,
        deputy,
        deleted=True,
        deleted_what="A video",
        deletion_reason="School rules",
        outcome="police",
    )
    _search(school, head, staff, deputy, at=timezone.now() - datetime.timedelta(days=90))

    section = report.governor_section(school=school, start=start, end=end)

    figures = section["device_searches"]
    assert figures["total"] == 4
    assert figures["deleted"] == "fewer than 3" and figures["police"] == "fewer than 3"
    assert figures["parents"] == "fewer than 3" and figures["linked"] == 0


def test_the_governor_section_names_no_pupil_device_or_finding(school, head, staff, deputy):
    from django.template.loader import render_to_string

    for _ in range(3):
        _search(school, head, staff, deputy)
    today = timezone.localdate()
    section = report.governor_section(school=school, start=today - datetime.timedelta(days=30), end=today)
    html = render_to_string(section["template"], {"section": section})
    assert "Devices searched" in html
    assert "Zebedee" not in html and "Secretfinding" not in html
