"""A form kept after the session expired (accounts/resume.py) holds what someone typed about a child. It belongs to
the one person whose session it was, whoever signs in next on that browser; it is encrypted wherever it is stored;
it is gone within hours; and expired sessions and kept forms are purged on a schedule."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from safeguarding_portal.accounts import resume
from safeguarding_portal.accounts.models import KeptForm
from safeguarding_portal.accounts.tasks import purge_expired

from .conftest import sign_in
from .incident_helpers import report_payload
from .test_session_expires_after_inactivity import forget_cached_session

pytestmark = pytest.mark.django_db

REPORT = reverse("incidents:report")
DISCLOSURE = "Jo Bloggs (Year 5) told me her uncle sends her messages at night"


def _session_expires(client, *, purged: bool = False) -> None:
    """The session times out; with ``purged``, the nightly clean-up has already deleted its row too."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    rows = Session.objects.filter(session_key=key)
    if purged:
        rows.delete()
    else:
        rows.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    forget_cached_session(key)


def _typed_after_expiry(client, user, *, purged: bool = False) -> str:
    sign_in(client, user)
    assert client.get(reverse("incidents:report")).status_code == 200
    _session_expires(client, purged=purged)
    response = client.post(REPORT, report_payload(description=DISCLOSURE))
    assert response.status_code == 302
    next_url = response["Location"].split("next=")[1]
    assert next_url.startswith("%2Faccounts%2Fresume%2F") or next_url.startswith("/accounts/resume/")
    return reverse("accounts:resume", args=[resume.tokens(client.session)[-1]])


@pytest.mark.parametrize("purged", [False, True], ids=["expired session", "expired session already purged"])
def test_someone_else_signing_in_on_the_browser_never_sees_it(client, staff, dsl, purged):
    resume_url = _typed_after_expiry(client, staff, purged=purged)

    sign_in(client, dsl)
    response = client.get(resume_url)

    assert response.status_code == 404
    assert DISCLOSURE.encode() not in response.content
    assert not KeptForm.objects.exists()


@pytest.mark.parametrize("purged", [False, True], ids=["expired session", "expired session already purged"])
def test_its_owner_gets_it_back(client, staff, purged):
    resume_url = _typed_after_expiry(client, staff, purged=purged)

    sign_in(client, staff)
    response = client.get(resume_url)

    assert response.status_code == 200
    assert DISCLOSURE.encode() in response.content


def test_a_second_form_from_the_same_signed_out_tab_still_belongs_to_its_owner(client, staff, dsl):
    _typed_after_expiry(client, staff)
    client.post(REPORT, report_payload(description="A second disclosure, typed in another tab"))
    second = reverse("accounts:resume", args=[resume.tokens(client.session)[-1]])

    sign_in(client, dsl)

    assert client.get(second).status_code == 404


def test_a_post_from_a_browser_nobody_signed_in_on_is_not_kept(client, school):
    response = client.post(REPORT, report_payload(description=DISCLOSURE))

    assert response.status_code == 302
    assert "/accounts/resume/" not in response["Location"]
    assert not KeptForm.objects.exists()


def test_what_was_typed_is_encrypted_in_the_database_and_absent_from_the_session(client, staff):
    _typed_after_expiry(client, staff)

    kept = KeptForm.objects.get()
    assert DISCLOSURE.encode() not in bytes(kept.payload)
    assert b"Jo Bloggs" not in bytes(kept.payload)
    for row in Session.objects.all():
        assert "Jo Bloggs" not in str(row.get_decoded())
    assert kept.user == staff


def test_the_key_is_derived_from_the_secret_key(client, staff, settings):
    resume_url = _typed_after_expiry(client, staff)
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789-abcdefghijklmnop"

    sign_in(client, staff)

    assert client.get(resume_url).status_code == 404


def test_it_expires_within_hours(client, staff):
    resume_url = _typed_after_expiry(client, staff)
    kept = KeptForm.objects.get()
    assert kept.expires_at - kept.created_at <= datetime.timedelta(hours=8)

    with time_machine.travel(kept.expires_at + datetime.timedelta(minutes=1)):
        sign_in(client, staff)
        response = client.get(resume_url)

    assert response.status_code == 404
    assert DISCLOSURE.encode() not in response.content


def test_the_purge_removes_expired_kept_forms_and_sessions_only(client, staff, dsl):
    _typed_after_expiry(client, staff)
    kept = KeptForm.objects.get()
    live = sign_in(client.__class__(), dsl)
    live_key = live.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=live_key).update(expire_date=kept.expires_at + datetime.timedelta(days=1))

    with time_machine.travel(kept.expires_at + datetime.timedelta(minutes=1)):
        purged = purge_expired()

    assert purged["kept_forms"] == 1 and purged["sessions"] >= 1
    assert not KeptForm.objects.exists()
    assert not Session.objects.filter(expire_date__lt=kept.expires_at).exists()
    assert Session.objects.filter(session_key=live_key).exists()


def test_the_purge_runs_on_beats_schedule(db):
    task = PeriodicTask.objects.get(task="accounts.purge_expired")
    assert task.enabled and task.interval is not None
