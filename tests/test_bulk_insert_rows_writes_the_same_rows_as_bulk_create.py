"""``core.bulk.insert_rows`` (psycopg2's execute_values on PostgreSQL, bulk_create elsewhere) stores each value
exactly as Django would, and skips conflicting rows when asked."""

import datetime

import pytest
from django.utils import timezone

from safeguarding_portal.core.bulk import insert_rows
from safeguarding_portal.reminders.models import Reminder

pytestmark = pytest.mark.django_db


def _reminder(school, n: int, at: datetime.datetime) -> Reminder:
    return Reminder(
        recipient_email=f"parent{n}@example.org",
        recipient_user=None,
        kind="test.bulk",
        key=f"invitation:{n}",
        text=f"Please sign ({n})",
        url=f"/agreements/sign/{n}/",
        school=school,
        on=datetime.date(2026, 11, 23),
        created_at=at,
        digest=None,
    )


def test_rows_read_back_with_every_value_as_set(school):
    before = timezone.now()
    stale = before - datetime.timedelta(days=3)
    insert_rows(Reminder, [_reminder(school, n, stale) for n in range(3)])

    rows = list(Reminder.objects.filter(kind="test.bulk").order_by("key"))
    assert [r.key for r in rows] == ["invitation:0", "invitation:1", "invitation:2"]
    first = rows[0]
    assert (first.recipient_email, first.text, first.url, first.school_id, first.on) == (
        "parent0@example.org",
        "Please sign (0)",
        "/agreements/sign/0/",
        school.pk,
        datetime.date(2026, 11, 23),
    )
    # auto_now_add is the time of writing, as bulk_create makes it, not what the instance held.
    assert first.created_at >= before
    assert first.digest_id is None and first.recipient_user_id is None


def test_conflicting_rows_are_skipped_when_asked(school):
    at = timezone.now()
    insert_rows(Reminder, [_reminder(school, 1, at)])

    insert_rows(Reminder, [_reminder(school, 1, at), _reminder(school, 2, at)], ignore_conflicts=True)

    assert sorted(Reminder.objects.filter(kind="test.bulk").values_list("key", flat=True)) == [
        "invitation:1",
        "invitation:2",
    ]


def test_text_with_tabs_newlines_and_backslashes_and_json_survive_the_copy(school):
    from aup.models import EventKind, SignatureEvent
    from safeguarding_portal.audit.chain import append_many, verify

    awkward = "O'Brien\tand\\or\nSmith\r — ünïcode"
    insert_rows(
        Reminder,
        [
            Reminder(
                recipient_email="a@example.org",
                kind="test.bulk",
                key="k",
                text=awkward,
                url="",
                school=school,
                on=datetime.date(2026, 11, 23),
                created_at=None,
            )
        ],
    )
    assert Reminder.objects.get(kind="test.bulk").text == awkward
    at = timezone.now()
    events = [
        SignatureEvent(
            school=school,
            kind=EventKind.REMINDED,
            at=at,
            actor=awkward,
            data={"invitations": [1, 2], "note": awkward, "none": None},
        )
        for _ in range(2)
    ]
    append_many(events)
    stored = SignatureEvent.objects.order_by("seq").last()
    assert stored.actor == awkward and stored.data == {"invitations": [1, 2], "note": awkward, "none": None}
    assert stored.at == at
    assert not verify(SignatureEvent)
