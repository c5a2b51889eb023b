"""A change that committed stays committed, and its request answers, even if sending the task blows up."""

from __future__ import annotations

import pytest
from django.db import transaction

from safeguarding_portal.outbox import services
from safeguarding_portal.outbox.models import OutboxMessage


@pytest.mark.django_db(transaction=True)  # a real commit: only then do on_commit callbacks run as in production
def test_an_error_while_dispatching_after_commit_does_not_reach_the_caller(monkeypatch):
    def broken_dispatch(message_ids, *, from_request=False):
        raise ConnectionError("broker exploded")

    # A transaction's messages are sent together after its commit (services.dispatch_many).
    monkeypatch.setattr(services, "dispatch_many", broken_dispatch)

    with transaction.atomic():
        message = services.enqueue("accounts.send_email", to=["a@b.example"], subject="s", body="b")

    kept = OutboxMessage.objects.get(pk=message.pk)
    assert kept.dispatched_at is None  # still there for the drain
