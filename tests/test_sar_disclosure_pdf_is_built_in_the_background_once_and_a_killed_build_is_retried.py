"""The disclosure PDF (~14 s on a large pack) is built off the request: "Build" writes the disclosure "being
prepared" and its task through the outbox in one transaction; the request's page polls until the task has stored it
and shows it ready to download. A double click asks once; a worker killed mid-build is built again, once; only a
ready disclosure is recorded as sent; the audit says who asked and when it was built."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.core import builds
from safeguarding_portal.outbox.models import OutboxMessage
from sar import services, tasks
from sar.models import Disclosure

from .sar_helpers import log_request, pupil_with_records

pytestmark = pytest.mark.django_db
State = builds.BuildState


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = services.render_pdf

    def counting(**kwargs):
        calls.append(kwargs["template"])
        return real(**kwargs)

    monkeypatch.setattr(services, "render_pdf", counting)
    return calls


@pytest.fixture
def sar(client, signed_in, school, staff, dsl):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    return log_request(client, pupil=pupil)


def test_build_answers_at_once_being_prepared_then_the_task_makes_it_ready(
    client, dsl, sar, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("sar:build", args=[sar.pk]))
        again = client.post(reverse("sar:build", args=[sar.pk]))  # a double click
    assert response.status_code == again.status_code == 302
    disclosure = Disclosure.objects.get(request=sar)
    assert disclosure.build_state == State.QUEUED and renders == []
    assert OutboxMessage.objects.filter(task_name="sar.build_disclosure").count() == 1
    page = client.get(reverse("sar:detail", args=[sar.pk])).content.decode()
    assert "Being prepared" in page and reverse("sar:disclosure_status", args=[sar.pk, disclosure.pk]) in page
    assert 'name="sent_how"' not in page  # only a ready disclosure is recorded as sent
    with pytest.raises(ValidationError):
        services.disclosure_sent(disclosure=disclosure, by=dsl, sent_on=timezone.localdate(), sent_how="Email")

    for callback in queued:
        callback()

    disclosure.refresh_from_db()
    assert disclosure.build_state == State.READY and disclosure.pages >= 1 and renders == ["sar/pdf/disclosure.html"]
    poll = client.get(reverse("sar:disclosure_status", args=[sar.pk, disclosure.pk]), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    download = client.get(reverse("sar:disclosure_pdf", args=[sar.pk, disclosure.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    asked = AuditEvent.objects.get(action="sar.disclosure_requested")
    built = AuditEvent.objects.get(action="sar.disclosure_built")
    assert asked.actor == built.actor == dsl and built.detail["built_at"] >= built.detail["requested_at"]


def _killed_mid_build(disclosure, *, quiet_minutes: int) -> None:
    now = timezone.now()
    Disclosure.objects.filter(pk=disclosure.pk).update(
        build_state=State.BUILDING,
        builds=1,
        build_started_at=now - datetime.timedelta(minutes=quiet_minutes + 1),
        heartbeat_at=now - datetime.timedelta(minutes=quiet_minutes),
    )


def test_a_build_cut_off_by_a_killed_worker_is_built_again_once(
    client, sar, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("sar:build", args=[sar.pk]))
    disclosure = Disclosure.objects.get(request=sar)
    _killed_mid_build(disclosure, quiet_minutes=15)

    tasks.build_disclosure.apply(kwargs={"disclosure_id": disclosure.pk})
    tasks.build_disclosure.apply(kwargs={"disclosure_id": disclosure.pk})  # a second copy of the message

    disclosure.refresh_from_db()
    assert disclosure.build_state == State.READY and disclosure.builds == 2 and len(renders) == 1


def test_the_poll_restarts_a_stale_build_once(client, sar, renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("sar:build", args=[sar.pk]))
    disclosure = Disclosure.objects.get(request=sar)
    _killed_mid_build(disclosure, quiet_minutes=15)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        poll = client.get(reverse("sar:disclosure_status", args=[sar.pk, disclosure.pk]))
        client.get(reverse("sar:disclosure_status", args=[sar.pk, disclosure.pk]))  # the next poll: no more
    assert "being retried" in poll.content.decode()
    assert OutboxMessage.objects.filter(task_name="sar.build_disclosure").count() == 2
    for callback in queued:
        callback()
    disclosure.refresh_from_db()
    assert disclosure.build_state == State.READY and len(renders) == 1 and Disclosure.objects.count() == 1
