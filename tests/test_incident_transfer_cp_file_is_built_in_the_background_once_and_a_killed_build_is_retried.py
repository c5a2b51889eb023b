"""The CP file's PDF (17 s for a large file) is built off the request: pressing "produce" writes the file's row
"being prepared" and its task through the outbox in the same transaction; the page polls until the task has stored
the file and shows it ready. A double click asks once; a worker killed mid-build leaves the build stale, and it is
built again, once, by the redelivered task or by whoever looks at the page; the audit says who asked and when it
was built."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import tasks, transfers
from incidents.models import CPFileTransfer
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.core import builds
from safeguarding_portal.outbox.models import OutboxMessage

from .bundle_helpers import leaver_with_records

pytestmark = pytest.mark.django_db
State = builds.BuildState


@pytest.fixture
def renders(monkeypatch):
    """Count the PDF layouts (the PDF itself is tested in test_incident_transfer_cp_file_is_produced_...)."""
    calls = []
    real = transfers.render_pdf

    def counting(**kwargs):
        calls.append(kwargs["template"])
        return real(**kwargs)

    monkeypatch.setattr(transfers, "render_pdf", counting)
    return calls


def _ask(client, pupil, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("incidents:cp_file_produce", args=[pupil.pk]))
    return response, queued


def test_asking_answers_at_once_being_prepared_then_the_task_makes_it_ready(
    client, signed_in, school, staff, dsl, renders, django_capture_on_commit_callbacks
):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    signed_in(dsl)
    response, queued = _ask(client, pupil, django_capture_on_commit_callbacks)

    transfer = CPFileTransfer.objects.get(pupil=pupil)
    assert response.status_code == 302 and response["Location"] == reverse("incidents:transfer", args=[transfer.pk])
    assert transfer.build_state == State.QUEUED and not transfer.pdf and renders == []
    assert (
        OutboxMessage.objects.filter(task_name="incidents.build_cp_file", kwargs={"transfer_id": transfer.pk}).count()
        == 1
    )
    page = client.get(reverse("incidents:transfer", args=[transfer.pk])).content.decode()
    assert "Being prepared" in page and reverse("incidents:transfer_status", args=[transfer.pk]) in page
    assert reverse("incidents:transfer_pdf", args=[transfer.pk]) not in page
    assert client.get(reverse("incidents:transfer_pdf", args=[transfer.pk])).status_code == 302  # not yet

    for callback in queued:  # the outbox sends the task after commit; embedded mode runs it here
        callback()

    transfer.refresh_from_db()
    assert transfer.build_state == State.READY and transfer.sha256 and renders == ["incidents/pdf/cp_file.html"]
    poll = client.get(reverse("incidents:transfer_status", args=[transfer.pk]), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true" and 'data-state="ready"' in poll.content.decode()
    download = client.get(reverse("incidents:transfer_pdf", args=[transfer.pk]))
    assert download.status_code == 200 and download.getvalue().startswith(b"%PDF")
    asked = AuditEvent.objects.get(summary__startswith="Child-protection file asked for")
    made = AuditEvent.objects.get(summary__startswith="Child-protection file produced")
    assert asked.actor == made.actor == dsl
    assert made.detail["requested_at"] and made.detail["built_at"] >= made.detail["requested_at"]


def test_a_double_click_asks_once(client, signed_in, school, staff, dsl, django_capture_on_commit_callbacks):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    signed_in(dsl)
    first, _ = _ask(client, pupil, django_capture_on_commit_callbacks)
    again, _ = _ask(client, pupil, django_capture_on_commit_callbacks)
    assert first["Location"] == again["Location"]
    assert CPFileTransfer.objects.count() == 1
    assert OutboxMessage.objects.filter(task_name="incidents.build_cp_file").count() == 1


def _killed_mid_build(transfer: CPFileTransfer, *, quiet_minutes: int) -> None:
    now = timezone.now()
    CPFileTransfer.objects.filter(pk=transfer.pk).update(
        build_state=State.BUILDING,
        builds=1,
        build_started_at=now - datetime.timedelta(minutes=quiet_minutes + 1),
        heartbeat_at=now - datetime.timedelta(minutes=quiet_minutes),
    )


def test_the_redelivered_task_builds_a_stale_file_once(school, staff, dsl, renders, django_capture_on_commit_callbacks):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    with django_capture_on_commit_callbacks(execute=False):  # the first worker, which dies
        transfer = transfers.cp_file_produce(school=school, pupil=pupil, by=dsl)
    _killed_mid_build(transfer, quiet_minutes=15)

    tasks.build_cp_file.apply(kwargs={"transfer_id": transfer.pk})
    tasks.build_cp_file.apply(kwargs={"transfer_id": transfer.pk})  # and a second copy of the message

    transfer.refresh_from_db()
    assert transfer.build_state == State.READY and transfer.builds == 2 and len(renders) == 1
    assert transfer.stalled_at is not None


def test_a_live_build_is_left_to_its_worker(school, staff, dsl, renders, django_capture_on_commit_callbacks):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    with django_capture_on_commit_callbacks(execute=False):
        transfer = transfers.cp_file_produce(school=school, pupil=pupil, by=dsl)
    _killed_mid_build(transfer, quiet_minutes=1)  # still beating a minute ago: alive
    tasks.build_cp_file.apply(kwargs={"transfer_id": transfer.pk})
    transfer.refresh_from_db()
    assert transfer.build_state == State.BUILDING and renders == []


def test_the_page_restarts_a_stale_build_once_and_says_so(
    client, signed_in, school, staff, dsl, renders, django_capture_on_commit_callbacks
):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    signed_in(dsl)
    _ask(client, pupil, django_capture_on_commit_callbacks)
    transfer = CPFileTransfer.objects.get(pupil=pupil)
    _killed_mid_build(transfer, quiet_minutes=15)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        status = client.get(reverse("incidents:transfer_status", args=[transfer.pk]), headers={"HX-Request": "true"})
        again = client.post(reverse("incidents:cp_file_produce", args=[pupil.pk]))  # and asking again
    assert "being retried" in status.content.decode() and again.status_code == 302
    assert OutboxMessage.objects.filter(task_name="incidents.build_cp_file").count() == 2  # the first, and one more

    for callback in queued:
        callback()
    transfer.refresh_from_db()
    assert transfer.build_state == State.READY and transfer.builds == 2 and len(renders) == 1
    assert CPFileTransfer.objects.count() == 1


def test_a_failed_build_says_so_and_asking_again_makes_a_new_one(
    client, signed_in, school, staff, dsl, monkeypatch, django_capture_on_commit_callbacks
):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    signed_in(dsl)
    _ask(client, pupil, django_capture_on_commit_callbacks)
    transfer = CPFileTransfer.objects.get(pupil=pupil)

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(transfers, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        transfers.cp_file_build(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.build_state == State.FAILED and transfer.build_error == "RuntimeError"
    page = client.get(reverse("incidents:transfer", args=[transfer.pk])).content.decode()
    assert "could not be built" in page and 'name="action" value="sent"' not in page
