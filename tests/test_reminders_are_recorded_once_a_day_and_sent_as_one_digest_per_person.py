import datetime

import pytest
from django.core import mail

from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Digest, Reminder
from safeguarding_portal.reminders.registry import SWEEPS, sweep

DAY = datetime.date(2026, 11, 23)


@pytest.mark.django_db(transaction=False)
def test_the_same_reminder_twice_in_a_day_is_recorded_once(school):
    first = services.remind(recipient_email="Ann@oak.example", kind="test.kind", key="thing:1", text="Sign", on=DAY)
    again = services.remind(recipient_email="ann@oak.example", kind="test.kind", key="thing:1", text="Sign", on=DAY)
    next_day = services.remind(
        recipient_email="ann@oak.example",
        kind="test.kind",
        key="thing:1",
        text="Sign",
        on=DAY + datetime.timedelta(days=1),
    )
    assert (first, again, next_day) == (True, False, True)
    assert Reminder.objects.filter(kind="test.kind").count() == 2


@pytest.mark.django_db
def test_each_person_gets_one_email_listing_everything_due_and_a_rerun_sends_nothing(
    school, django_capture_on_commit_callbacks
):
    for n in range(3):
        services.remind(
            recipient_email="ann@oak.example",
            kind="test.kind",
            key=f"thing:{n}",
            text=f"Item {n} is due",
            url=f"/things/{n}/",
            on=DAY,
        )
    services.remind(recipient_email="bob@oak.example", kind="test.kind", key="thing:9", text="Item 9", on=DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(on=DAY) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(on=DAY) == 0

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@oak.example", "bob@oak.example"]
    ann = next(m for m in mail.outbox if m.to == ["ann@oak.example"])
    assert "3 things due" in ann.subject
    assert "Item 0 is due" in ann.body and "Item 2 is due" in ann.body
    assert "http://" in ann.body and "/things/1/" in ann.body
    assert set(Digest.objects.values_list("status", flat=True)) == {Digest.Status.SENT}
    assert not Reminder.objects.filter(digest__isnull=True).exists()


@pytest.mark.django_db
def test_a_registered_sweep_gets_a_beat_entry_that_is_never_overwritten(school):
    from django_celery_beat.models import PeriodicTask

    from safeguarding_portal.reminders.schedule import sync_schedule

    @sweep("test.sweep", hour=5, minute=30)
    def _test_sweep(*, today):
        """A test sweep."""
        return 0

    try:
        sync_schedule()
        task = PeriodicTask.objects.get(name="Reminder sweep: test.sweep")
        assert (task.crontab.hour, task.crontab.minute) == ("5", "30")
        task.enabled = False
        task.save()
        sync_schedule()
        assert PeriodicTask.objects.get(name="Reminder sweep: test.sweep").enabled is False
        assert PeriodicTask.objects.filter(name="Reminder digests").exists()
    finally:
        SWEEPS.pop("test.sweep")
