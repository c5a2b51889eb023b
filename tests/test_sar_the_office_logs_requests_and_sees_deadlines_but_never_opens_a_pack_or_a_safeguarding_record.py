"""The school office (data protection) logs a subject access request (who asked, for whom, when, how identity was
verified), sees the list and the deadlines and is reminded of them; it never reads the review pack, a disclosure or
any safeguarding record: the DSL team reviews a pupil's pack, the head a member of staff's. The office role comes
in with the staff import and is offered wherever roles are given."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from safeguarding_portal.accounts.admin import MembershipAdminForm
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reminders import services as reminders
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.schools.importer.staff import parse_roles
from sar import services as sar_services
from sar.models import SubjectAccessRequest

from . import clock
from .factories import PupilFactory
from .sar_helpers import log_request, pupil_with_records

pytestmark = pytest.mark.django_db


def test_the_office_logs_a_request_and_sees_it_with_its_deadline(client, signed_in, school, office, staff, dsl):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(office)

    sar = log_request(client, pupil=pupil, requester="Jamie Hartwell")

    assert (sar.logged_by, sar.requester_name, sar.subject_pupil) == (office, "Jamie Hartwell", pupil)
    assert sar.identity_check.startswith("Passport") and sar.due_on > sar.received_on
    listing = client.get(reverse("sar:index")).content.decode()
    assert 'data-testid="sar-row"' in listing and "Jamie Hartwell" in listing
    assert f"{sar.deadline:%-d %b %Y}" in listing
    page = client.get(reverse("sar:detail", args=[sar.pk])).content.decode()
    assert f"{sar.due_on:%-d %b %Y}" in page
    # Nothing of the pack from the request's page: no link to it, no build button, no record's words.
    assert reverse("sar:pack", args=[sar.pk]) not in page and reverse("sar:build", args=[sar.pk]) not in page
    assert case.reference not in page and "The DSL team reviews a pupil's records." in page


def test_the_office_never_opens_the_pack_a_disclosure_or_a_safeguarding_record(
    client, signed_in, school, office, staff, dsl
):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    signed_in(office)

    for name in ("sar:pack", "sar:build", "sar:mark", "sar:withdraw", "sar:sent"):
        assert client.get(reverse(name, args=[sar.pk])).status_code == 403, name
    assert client.post(reverse("sar:build", args=[sar.pk])).status_code == 403
    assert not sar.disclosures.exists()
    for url in (
        reverse("incidents:dashboard"),
        reverse("incidents:case", args=[case.reference]),
        reverse("schools:pupil_list"),
        reverse("schools:pupil_detail", args=[pupil.pk]),
        reverse("incidents:chronology", args=[pupil.pk]),
        reverse("monitoring:queue"),
        reverse("audit:log"),
    ):
        assert client.get(url).status_code == 403, url


@clock.frozen("2027-01-20 09:00")
def test_the_office_is_reminded_of_deadlines_with_those_who_review(school, office, dsl, head):
    pupil = PupilFactory(school=school, legal_forename="Octavia", surname="Pemberton")
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        sar_services.request_log(
            school=school,
            by=office,
            requester_name="Jamie Pemberton",
            relationship="parent",
            received_on=datetime.date(2027, 1, 31),
            identity_check="Passport",
            subject_pupil=pupil,
        )
    assert reminders.run_sweep("sar.deadlines", on=datetime.date(2027, 2, 22)) == 3
    assert set(Reminder.objects.values_list("recipient_email", flat=True)) == {office.email, dsl.email, head.email}


def test_the_staff_import_and_the_role_picker_know_the_office():
    assert parse_roles("Office") == [Role.OFFICE]
    assert parse_roles("Data protection officer") == [Role.OFFICE]
    assert parse_roles("School office / data protection") == [Role.OFFICE]
    assert parse_roles("Staff; DPO") == [Role.STAFF, Role.OFFICE]
    choices = dict(MembershipAdminForm().fields["role"].choices)
    assert choices[Role.OFFICE] == "School office / data protection"


def test_a_request_about_the_office_person_is_hidden_from_them(client, signed_in, school, office, dsl, head):
    signed_in(head)
    sar = log_request(client, staff=office, requester=office.full_name, relationship="staff")
    signed_in(office)
    assert client.get(reverse("sar:detail", args=[sar.pk])).status_code == 404
    assert 'data-testid="sar-row"' not in client.get(reverse("sar:index")).content.decode()
    assert SubjectAccessRequest.objects.filter(subject_staff=office).count() == 1
