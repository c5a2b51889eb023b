"""A task enqueued in a transaction goes only once that transaction commits, and a failure keeps it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services
from safeguarding_portal.outbox.models import OutboxMessage
from safeguarding_portal.schools.models import School

pytestmark = pytest.mark.django_db

RAN: list[str] = []


@app.task(name="tests.outbox_commit.remember")
def remember(*, note: str, fail: str = "") -> None:
    if fail == "error":
        raise RuntimeError(f"could not handle {note}")
    if fail == "database":
        School.objects.create(name="Duplicate", urn="000001", local_authority="X", reference_prefix="DUP")
        School.objects.create(name="Duplicate", urn="000001", local_authority="X", reference_prefix="DUQ")
    RAN.append(note)


@pytest.fixture(autouse=True)
def _forget():
    RAN.clear()
    assert app.conf.task_always_eager, "these tests expect the embedded default: tasks run in-process"
    yield
    RAN.clear()


def test_the_task_runs_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = services.enqueue("tests.outbox_commit.remember", note="hello")
        assert RAN == []  # not before the commit

    assert len(callbacks) == 1
    assert RAN == ["hello"]
    message.refresh_from_db()
    assert message.dispatched_at is not None
    assert message.attempts == 1
    assert message.last_error == ""


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        services.enqueue("tests.outbox_commit.remember", note="never")
        1 / 0  # noqa: B018

    assert callbacks == []
    assert RAN == []
    assert not OutboxMessage.objects.exists()  # the message rolled back with the change that asked for it


def test_a_task_that_fails_stays_pending_with_its_error(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("tests.outbox_commit.remember", note="boom", fail="error")

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert message.last_error == "RuntimeError: could not handle boom"


def test_a_task_that_fails_on_a_database_error_is_recorded_too(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("tests.outbox_commit.remember", note="dup", fail="database")

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert message.last_error.startswith(IntegrityError.__name__)
    assert not School.objects.filter(name="Duplicate").exists()  # the task's half-done work rolled back


def test_an_unknown_task_stays_pending(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("tests.outbox_commit.no_such_task")

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert "no_such_task" in message.last_error


def test_a_message_is_sent_once_even_if_dispatched_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("tests.outbox_commit.remember", note="once")

    assert services.dispatch(message.pk) is False
    assert RAN == ["once"]
