"""To a school on another system: a one-time link emailed to the receiving DSL and the passphrase in a second
email; the stored bundle opens only with the passphrase; one download, recorded with when and from where; the
link expires after seven days; the receipt is confirmed on the link's page; an unconfirmed transfer is chased on
the five-school-day rule as any other."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents import bundles
from incidents.models import CPFileTransfer, TransferBundle
from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.reminders import services as reminder_services
from safeguarding_portal.reminders.models import Reminder

from .bundle_helpers import built, leaver_with_records
from .conftest import sign_in

pytestmark = pytest.mark.django_db


def _send(client, school, staff, dsl) -> tuple[CPFileTransfer, str, str]:
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    sign_in(client, dsl)
    client.post(reverse("incidents:cp_file_produce", args=[pupil.pk]))
    transfer = built(CPFileTransfer.objects.get(pupil=pupil))  # the background task's work
    response = client.post(
        reverse("incidents:bundle_send", args=[transfer.pk]),
        {
            "action": "link",
            "receiving_school": "Elm Secondary",
            "receiving_urn": "123456",
            "recipient_email": "dsl@elm.example",
        },
    )
    assert response.status_code == 302
    mails = list(EmailDelivery.objects.filter(to=["dsl@elm.example"]).order_by("pk"))
    assert len(mails) == 2  # the link and the passphrase, apart
    link = re.search(r"/incidents/transfers/link/[^/\s]+/", mails[0].body).group(0)
    passphrase = re.search(r"\n\n(\S+)\n\n", mails[1].body).group(1)
    assert passphrase not in mails[0].body and link not in mails[1].body
    client.logout()
    return transfer, link, passphrase


def test_download_once_with_the_passphrase_then_confirm(client, school, staff, dsl):
    transfer, link, passphrase = _send(client, school, staff, dsl)
    transfer.refresh_from_db()
    assert transfer.method == "secure_email" and transfer.confirm_by is not None
    bundle = TransferBundle.objects.get(transfer=transfer)
    # Stored only encrypted with the passphrase: the plain zip's bytes are nowhere in the link's file.
    with bundle.encrypted_file.open("rb") as handle:
        assert not handle.read().startswith(b"PK")

    assert client.get(link).status_code == 200
    wrong = client.post(link, {"passphrase": "not-the-right-one"})
    assert wrong.status_code == 200 and b"not right" in wrong.content
    got = client.post(link, {"passphrase": passphrase}, REMOTE_ADDR="203.0.113.9")
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert bundles.verify(got.content, expected_fingerprint=bundle.fingerprint).ok
    bundle.refresh_from_db()
    assert bundle.downloaded_at is not None and bundle.failed_attempts == 1
    again = client.post(link, {"passphrase": passphrase})
    assert again.status_code == 200 and again["Content-Type"].startswith("text/html")
    assert b"cannot be used again" in again.content

    confirm = client.post(link + "received/", {"confirmed_by_name": "E Elm, DSL"})
    assert b'data-testid="confirmed"' in confirm.content
    transfer.refresh_from_db()
    assert transfer.confirmed_at is not None and transfer.confirmed_by_name == "E Elm, DSL"


def test_the_link_expires_after_seven_days(client, school, staff, dsl):
    _, link, passphrase = _send(client, school, staff, dsl)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1), tick=False):
        response = client.post(link, {"passphrase": passphrase})
    assert b"expired" in response.content and response["Content-Type"].startswith("text/html")


def test_an_unconfirmed_link_transfer_escalates_after_five_school_days(client, school, staff, dsl):
    transfer, _, _ = _send(client, school, staff, dsl)
    transfer.refresh_from_db()
    with time_machine.travel(
        datetime.datetime.combine(
            transfer.confirm_by + datetime.timedelta(days=1), datetime.time(7), tzinfo=datetime.UTC
        ),
        tick=False,
    ):
        assert reminder_services.run_sweep("incidents.transfers_unconfirmed") >= 1
    assert Reminder.objects.filter(kind="incidents.transfers_unconfirmed", recipient_email=dsl.email).exists()


def test_a_leaver_with_a_destination_prompts_the_dsl_to_send_early_notice(client, school, staff, dsl):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    sign_in(client, dsl)
    client.post(
        reverse("incidents:pupil_leaving", args=[pupil.pk]),
        {
            "destination_school": "Elm Secondary",
            "destination_urn": "123456",
            "leaving_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        },
    )
    page = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    assert "Send the new school&#x27;s DSL the essential information now" in page
    assert reminder_services.run_sweep("incidents.leavers_early_notice") >= 1
    assert Reminder.objects.filter(kind="incidents.leavers_early_notice", recipient_email=dsl.email).exists()
    assert "Elm Secondary" in client.get(reverse("incidents:received_list")).content.decode()

    client.post(reverse("incidents:pupil_leaving", args=[pupil.pk]), {"action": "early_notice"})
    pupil.refresh_from_db()
    assert pupil.early_notice_at is not None
    assert reminder_services.run_sweep("incidents.leavers_early_notice") == 0
