"""The DSL team (DSL and deputies) read a pupil's vulnerability flags and add, re-date or remove them, each
change in the audit log with what it was before; the headteacher, who opens pupil records, sees neither the
flags nor the audit entries about them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.schools.models import PupilFlag, VulnerabilityFlag

from .factories import PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime.datetime(2026, 11, 10, 10), tick=False)]


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_forename="Zebedee", surname="Quillfeather")


def _flags_url(pupil) -> str:
    return reverse("schools:pupil_flags", kwargs={"pupil_id": pupil.pk})


@pytest.mark.parametrize("persona", ["dsl", "deputy"])
def test_the_dsl_team_adds_a_flag_and_the_audit_log_records_it(client, signed_in, request, pupil, persona):
    user = request.getfixturevalue(persona)
    signed_in(user)

    response = client.post(
        _flags_url(pupil), {"action": "add", "add-kind": "cp_plan", "add-starts_on": "2026-09-01", "add-ends_on": ""}
    )

    assert response.status_code == 302
    flag = PupilFlag.objects.get(pupil=pupil)
    assert (flag.kind, flag.starts_on, flag.ends_on, flag.source, flag.recorded_by) == (
        "cp_plan",
        datetime.date(2026, 9, 1),
        None,
        "dsl",
        user,
    )
    event = AuditEvent.objects.get(action=AuditAction.PUPIL_FLAG_CHANGED)
    assert (event.actor, event.object_type, event.object_id) == (user, "schools.pupilflag", str(flag.pk))
    assert event.detail["change"] == "added" and event.detail["after"]["starts_on"] == "2026-09-01"
    page = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk})).content.decode()
    assert "Child protection plan" in page


def test_ending_a_flag_records_its_dates_before_and_after(client, signed_in, dsl, pupil):
    flag = PupilFlag.objects.create(
        pupil=pupil,
        kind=VulnerabilityFlag.LOOKED_AFTER,
        starts_on=datetime.date(2025, 1, 6),
        source=PupilFlag.Source.MIS,
    )
    signed_in(dsl)

    response = client.post(
        _flags_url(pupil),
        {
            "action": "change",
            "flag": flag.pk,
            f"flag{flag.pk}-starts_on": "2025-01-06",
            f"flag{flag.pk}-ends_on": "2026-11-01",
        },
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.ends_on == datetime.date(2026, 11, 1)
    event = AuditEvent.objects.get(action=AuditAction.PUPIL_FLAG_CHANGED)
    assert event.detail["before"]["ends_on"] is None and event.detail["after"]["ends_on"] == "2026-11-01"
    assert not PupilFlag.objects.current(datetime.date(2026, 11, 10)).exists()


def test_removing_a_flag_recorded_in_error_keeps_what_it_said_in_the_audit_log(client, signed_in, dsl, pupil):
    flag = PupilFlag.objects.create(
        pupil=pupil,
        kind=VulnerabilityFlag.YOUNG_CARER,
        starts_on=datetime.date(2026, 9, 1),
        source=PupilFlag.Source.DSL,
    )
    signed_in(dsl)

    response = client.post(_flags_url(pupil), {"action": "remove", "flag": flag.pk})

    assert response.status_code == 302
    assert not PupilFlag.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.PUPIL_FLAG_CHANGED)
    assert event.detail["change"] == "removed" and event.detail["before"]["kind"] == "young_carer"


def test_an_overlapping_or_backwards_period_is_refused_and_changes_nothing(client, signed_in, dsl, pupil):
    PupilFlag.objects.create(
        pupil=pupil, kind=VulnerabilityFlag.CP_PLAN, starts_on=datetime.date(2026, 9, 1), source=PupilFlag.Source.MIS
    )
    signed_in(dsl)

    overlapping = client.post(
        _flags_url(pupil), {"action": "add", "add-kind": "cp_plan", "add-starts_on": "2026-10-01", "add-ends_on": ""}
    )
    backwards = client.post(
        _flags_url(pupil),
        {"action": "add", "add-kind": "eal", "add-starts_on": "2026-10-01", "add-ends_on": "2026-09-01"},
    )

    assert overlapping.status_code == 400 and "already has child protection plan" in overlapping.content.decode()
    assert backwards.status_code == 400 and "cannot end before it starts" in backwards.content.decode()
    assert PupilFlag.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.PUPIL_FLAG_CHANGED).exists()


def test_another_schools_pupil_or_flag_is_not_found(client, signed_in, dsl, pupil, other_school):
    elsewhere = PupilFactory(school=other_school)
    their_flag = PupilFlag.objects.create(
        pupil=elsewhere, kind=VulnerabilityFlag.EAL, starts_on=datetime.date(2026, 9, 1), source=PupilFlag.Source.MIS
    )
    signed_in(dsl)

    assert client.get(_flags_url(elsewhere)).status_code == 404
    response = client.post(_flags_url(pupil), {"action": "remove", "flag": their_flag.pk})
    assert response.status_code == 404
    assert PupilFlag.objects.filter(pk=their_flag.pk).exists()


def test_the_head_opens_the_pupil_record_without_its_flags_or_their_audit_entries(client, signed_in, dsl, head, pupil):
    signed_in(dsl)
    client.post(_flags_url(pupil), {"action": "add", "add-kind": "cp_plan", "add-starts_on": "2026-09-01"})
    assert "Flag added" in client.get(reverse("audit:log")).content.decode()  # the DSL reads it
    client.logout()
    signed_in(head)

    record = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk}))
    assert record.status_code == 200
    assert "Child protection plan" not in record.content.decode()
    assert 'data-testid="pupil-flags"' not in record.content.decode()
    assert client.get(_flags_url(pupil)).status_code == 403
    log = client.get(reverse("audit:log")).content.decode()
    assert "Flag added" not in log and "Child protection plan" not in log
