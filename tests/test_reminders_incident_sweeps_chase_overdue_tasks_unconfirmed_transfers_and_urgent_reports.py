"""The incident sweeps of the reminder engine: overdue case tasks to their owners, unconfirmed CP file
transfers to the DSL team, urgent reports re-alerted at once; never naming a child, never twice."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from incidents import services as incident_services
from incidents.models import Alert, CPFileTransfer
from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Digest, Reminder
from safeguarding_portal.reminders.registry import SWEEPS
from safeguarding_portal.reminders.schedule import sync_schedule

from .factories import PupilFactory
from .incident_helpers import make_case


@pytest.mark.django_db
def test_an_overdue_case_task_reaches_its_owner_once_in_one_digest(
    school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school, legal_forename="Peregrine", surname="Fotheringay")
    case = make_case(school=school, reporter=staff, pupils=[pupil])
    today = timezone.localdate()
    incident_services.case_task_add(
        incident=case, by=dsl, title="Call Peregrine's mum", owner=deputy, due_on=today - datetime.timedelta(days=2)
    )
    incident_services.case_task_add(
        incident=case, by=dsl, title="Not due yet", owner=deputy, due_on=today + datetime.timedelta(days=2)
    )

    assert services.run_sweep("incidents.tasks_overdue", on=today) == 1
    assert services.run_sweep("incidents.tasks_overdue", on=today) == 0  # a re-run or a second beat
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(on=today) == 1

    [email] = mail.outbox
    assert email.to == [deputy.email]
    assert case.reference in email.body and f"/incidents/case/{case.reference}/" in email.body
    assert "Peregrine" not in email.body and "Fotheringay" not in email.body and "mum" not in email.body
    assert Reminder.objects.get().school == school


@pytest.mark.django_db
def test_an_unconfirmed_transfer_past_its_deadline_reminds_the_dsl_team(school, staff, dsl, deputy, head):
    pupil = PupilFactory(school=school, legal_forename="Araminta", surname="Wolstenholme")
    now = timezone.now()
    transfer = CPFileTransfer(
        school=school,
        pupil=pupil,
        produced_at=now - datetime.timedelta(days=12),
        produced_by=dsl,
        sha256=hashlib.sha256(b"x").hexdigest(),
        build_state="ready",  # a file is sent once built
        sent_at=now - datetime.timedelta(days=11),
        sent_by=dsl,
        method="secure_email",
        receiving_school="Elm Academy",
        confirm_by=timezone.localdate() - datetime.timedelta(days=3),
    )
    transfer.pdf.save("f.pdf", ContentFile(b"%PDF"), save=False)
    transfer.save()

    assert services.run_sweep("incidents.transfers_unconfirmed") == 2
    rows = Reminder.objects.filter(kind="incidents.transfers_unconfirmed")
    assert sorted(rows.values_list("recipient_email", flat=True)) == sorted([dsl.email, deputy.email])
    assert all("Araminta" not in r.text and "Elm Academy" not in r.text for r in rows)

    CPFileTransfer.objects.filter(pk=transfer.pk).update(confirmed_at=now, confirmed_by_name="Ms Elm")
    Reminder.objects.all().delete()
    assert services.run_sweep("incidents.transfers_unconfirmed") == 0


@pytest.mark.django_db
def test_the_engine_owns_the_urgent_sweep_and_an_urgent_report_is_realerted_once(
    school, staff, dsl, head, django_capture_on_commit_callbacks
):
    legacy = PeriodicTask.objects.get(task="incidents.urgent_resend_sweep")
    sync_schedule()
    legacy.refresh_from_db()
    mine = PeriodicTask.objects.get(name="Reminder sweep: incidents.urgent_unacknowledged")
    assert legacy.enabled is False and "Replaced" in legacy.description
    assert mine.enabled and mine.interval.every == SWEEPS["incidents.urgent_unacknowledged"].every_minutes

    reported = timezone.now() - datetime.timedelta(minutes=30)
    incident = incident_services.incident_report(
        school=school,
        reporter=staff,
        occurred_at=reported,
        reported_at=reported,
        location="on_site",
        category="unwanted_contact",
        description="A stranger asked for photos.",
        device="personal",
        immediate_risk=True,
        notify=False,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_sweep("incidents.urgent_unacknowledged") == 1
        # Two beat processes, or the old entry switched back on by an administrator: nothing more is sent.
        assert services.run_sweep("incidents.urgent_unacknowledged") == 0
        assert incident_services.urgent_resend_sweep() == 0

    assert incident.alerts.filter(kind=Alert.Kind.URGENT_RESEND).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("URGENT")
    assert not Digest.objects.exists()  # urgent alerts go at once, never in a digest
    # Re-syncing (every migrate) leaves an administrator's choice alone.
    PeriodicTask.objects.filter(pk=legacy.pk).update(enabled=True)
    sync_schedule()
    assert PeriodicTask.objects.get(pk=legacy.pk).enabled is True
