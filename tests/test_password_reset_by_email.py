"""Password reset by email: one link that works once, the same answer for any address, and a record of both."""

import re

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.urls import reverse

from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def _no_lockouts():
    axes_reset()
    yield
    axes_reset()


def _request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def _link(message) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_reset_email_is_sent_through_the_outbox_with_a_link_to_the_configured_site(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    response = _request_reset(client, "Staff@oak.example", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["staff@oak.example"]
    assert message.subject == "Reset your Safeguarding Portal password"
    assert _link(message).startswith(settings.SITE_URL + "/accounts/password/reset/")
    assert OutboxMessage.objects.get(task_name="outbox.deliver_email").dispatched_at is not None
    delivery = EmailDelivery.objects.get()
    assert (delivery.state, delivery.kind, delivery.to) == ("sent", "account", ["staff@oak.example"])
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET_REQUESTED)
    assert event.actor_email == "staff@oak.example"
    assert event.ip == "127.0.0.1"


def test_link_sets_a_new_password_once(client, staff, mailoutbox, django_capture_on_commit_callbacks):
    _request_reset(client, "staff@oak.example", django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0]).removeprefix(settings.SITE_URL)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert b"Set a new password" in form_page.content
    assert b'name="new_password1"' in form_page.content
    assert b'autocomplete="new-password"' in form_page.content
    set_password_url = form_page.redirect_chain[-1][0]
    saved = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert saved.status_code == 302
    assert saved["Location"] == reverse("accounts:password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    changed = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert changed.actor == staff
    assert changed.summary == "Password set from an emailed reset link"

    again = client.get(link, follow=True)
    assert b"This link no longer works" in again.content
    assert b'name="new_password1"' not in again.content
    assert password_sign_in(client, "staff@oak.example", NEW_PASSWORD).status_code == 302


def test_a_weak_new_password_is_refused_and_the_old_one_kept(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    _request_reset(client, "staff@oak.example", django_capture_on_commit_callbacks)
    form_page = client.get(_link(mailoutbox[0]).removeprefix(settings.SITE_URL), follow=True)

    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})

    assert response.status_code == 200
    assert b"too common" in response.content or b"too short" in response.content
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_unknown_address_gets_the_same_page_and_no_email(client, staff, mailoutbox, django_capture_on_commit_callbacks):
    known = _request_reset(client, "staff@oak.example", django_capture_on_commit_callbacks)
    unknown = _request_reset(client, "nobody@oak.example", django_capture_on_commit_callbacks)

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    done = client.get(unknown["Location"])
    assert b"If that address has an account" in done.content
    assert [m.to for m in mailoutbox] == [["staff@oak.example"]]
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).count() == 2
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET_REQUESTED, actor_email="nobody@oak.example"
    ).exists()


def test_a_new_password_lifts_a_lockout_as_the_locked_out_page_promises(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = password_sign_in(client, "staff@oak.example", "wrong-password-123")
    assert locked.status_code in (403, 429)

    _request_reset(client, "staff@oak.example", django_capture_on_commit_callbacks)
    form_page = client.get(_link(mailoutbox[0]).removeprefix(settings.SITE_URL), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert password_sign_in(client, "staff@oak.example", NEW_PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED).detail == {"lockout_cleared": True}


def test_reset_form_is_labelled_for_autofill(client):
    content = client.get(reverse("accounts:password_reset")).content.decode()

    assert re.search(r'<label[^>]+for="id_email"', content)
    assert 'autocomplete="email"' in content
    assert "style=" not in content
