import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from safeguarding_portal.outbox.models import OutboxMessage
from tests.factories import UserFactory

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/[^\s/]+/[^\s/]+/")


def test_password_reset_email_travels_outbox_redis_worker_smtp_and_its_link_works(client, celery_worker, inbox):
    user = UserFactory(email="reset.me@oak.example")

    response = client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    message = OutboxMessage.objects.get(task_name="outbox.deliver_email")
    assert message.dispatched_at is not None, message.last_error
    assert message.attempts == 1

    [email] = wait_until(
        lambda: inbox.to(user.email), timeout=60, what=f"an email to {user.email}", diagnostics=celery_worker.log_tail
    )
    assert email["To"] == user.email
    body = email.get_content()
    link = RESET_LINK.search(body)
    assert link, body
    # The emailed link is the real thing: it opens the form for a new password.
    opened = client.get(urlparse(link.group(0)).path)
    assert opened.status_code == 302
    form = client.get(opened.url)
    assert form.status_code == 200
    assert b'name="new_password1"' in form.content
