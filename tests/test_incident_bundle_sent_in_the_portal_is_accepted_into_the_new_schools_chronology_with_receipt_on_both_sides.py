"""Between two schools on one portal: the sending DSL sends the signed bundle, the receiving DSL sees it
incoming, accepts it under the pupil, the records appear in the new school's chronology marked as received (from
which school, who sent, when, verified), and the receipt is recorded on both sides with no one typing it."""

import pytest
from django.urls import reverse

from incidents.models import CPFileTransfer, ReceivedBundle
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.outbox.models import EmailDelivery

from .bundle_helpers import built, leaver_with_records
from .conftest import sign_in
from .factories import MembershipFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sent_accepted_filed_and_confirmed_on_both_sides(client, school, other_school, staff, dsl):
    pupil = leaver_with_records(school=school, reporter=staff, cases=2)
    new_dsl = UserFactory(email="dsl@hillside.example", full_name="Hana Hill")
    MembershipFactory(user=new_dsl, school=other_school, role=Role.DSL)
    arrived = PupilFactory(school=other_school, upn=pupil.upn, legal_forename="Sam", surname="Mover")

    sign_in(client, dsl)
    client.post(reverse("incidents:cp_file_produce", args=[pupil.pk]))
    transfer = built(CPFileTransfer.objects.get(pupil=pupil))  # the background task's work
    response = client.post(
        reverse("incidents:bundle_send", args=[transfer.pk]), {"action": "portal", "to_school": other_school.pk}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.sent_at is not None and transfer.receiving_school == other_school.name
    assert transfer.confirm_by is not None and transfer.confirmed_at is None
    incoming = ReceivedBundle.objects.get(school=other_school)
    assert incoming.state == "incoming" and incoming.pupil_upn == pupil.upn
    assert EmailDelivery.objects.filter(to=[new_dsl.email]).exists()
    assert client.get(reverse("incidents:bundle_download", args=[transfer.pk]))["Content-Type"] == "application/zip"

    client.logout()
    sign_in(client, new_dsl)
    listing = client.get(reverse("incidents:received_list"))
    assert listing.status_code == 200 and b"Sam Mover" in listing.content
    page = client.get(reverse("incidents:received", args=[incoming.pk]))
    assert page.status_code == 200 and b'data-testid="verified"' in page.content
    assert b"The same as this portal" in page.content  # the key matches the one this portal holds for the school
    assert AuditEvent.objects.filter(object_type="incidents.receivedbundle", object_id=str(incoming.pk)).exists()

    accepted = client.post(reverse("incidents:received", args=[incoming.pk]), {"pupil": arrived.pk})
    assert accepted.status_code == 302
    incoming.refresh_from_db()
    assert incoming.state == "accepted" and incoming.pupil == arrived and incoming.accepted_by == new_dsl

    chronology = client.get(reverse("incidents:chronology", args=[arrived.pk])).content.decode()
    assert "Records received from earlier schools" in chronology
    assert f"Received from {school.name}" in chronology and dsl.full_name in chronology
    assert "Verified" in chronology and "Concern number 2 about Sam." in chronology

    transfer.refresh_from_db()
    assert transfer.confirmed_at is not None and "Hana Hill" in transfer.confirmed_by_name
    assert AuditEvent.objects.filter(
        school=school,
        object_type="incidents.cpfiletransfer",
        summary__startswith="Receipt of child-protection file confirmed",
    ).exists()
    assert AuditEvent.objects.filter(school=other_school, summary__contains="accepted and filed").exists()
    # Accepting twice is refused; nothing changes.
    again = client.post(reverse("incidents:received", args=[incoming.pk]), {"pupil": arrived.pk})
    assert again.status_code == 200 and ReceivedBundle.objects.filter(school=other_school).count() == 1
