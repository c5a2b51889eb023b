"""After sign-in, a member of staff without a current signature meets their agreement before anything else."""

import pytest
from django.urls import reverse

from aup.models import Audience, Signature

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_staff_are_sent_to_sign_then_back_to_where_they_were_going(client, signed_in, school, staff):
    f.published(school, Audience.STAFF)
    signed_in(staff)
    response = client.get(reverse("incidents:report"))
    assert response.status_code == 302 and response["Location"] == reverse("aup:sign_own", args=["staff"])
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Before you use the portal" in page.content
    # Their agreement pages and signing out stay open.
    assert client.get(reverse("aup:index")).status_code == 200

    signed = client.post(response["Location"], {"full_name": "Staff Member", "agree": "on"})
    assert signed.status_code == 302 and signed["Location"] == reverse("incidents:report")
    signature = Signature.objects.get(user=staff)
    assert signature.audience == Audience.STAFF and signature.signer_name == "Staff Member"
    assert client.get(reverse("incidents:report")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_a_version_that_requires_resigning_gates_again_at_the_next_sign_in(client, signed_in, school, staff):
    f.published(school, Audience.STAFF)
    signed_in(staff)
    client.post(reverse("aup:sign_own", args=["staff"]), {"full_name": "Staff Member", "agree": "on"})
    f.published(school, Audience.STAFF, text="New rules on AI tools.", requires_resign=True)
    client.logout()
    signed_in(staff)
    assert client.get(reverse("home"))["Location"] == reverse("aup:sign_own", args=["staff"])


def test_governors_are_gated_by_theirs_and_parents_and_unpublished_schools_never(
    client, signed_in, school, governor, parent, dsl
):
    f.published(school, Audience.GOVERNOR)
    signed_in(governor)
    assert client.get(reverse("home"))["Location"] == reverse("aup:sign_own", args=["governor"])
    signed_in(parent)
    assert client.get(reverse("home")).status_code == 200
    signed_in(dsl)  # no staff agreement published yet at this school
    assert client.get(reverse("home")).status_code == 200


def test_signing_needs_the_confirmation_and_a_full_name(client, signed_in, school, staff):
    f.published(school, Audience.STAFF)
    signed_in(staff)
    response = client.post(reverse("aup:sign_own", args=["staff"]), {"full_name": "Staff"})
    assert response.status_code == 200
    assert b"Tick the box" in response.content and b"first name and surname" in response.content
    assert not Signature.objects.exists()


def test_a_version_that_requires_resigning_gates_at_once_without_signing_out(
    client, signed_in, school, staff, django_capture_on_commit_callbacks
):
    f.published(school, Audience.STAFF)
    signed_in(staff)
    client.post(reverse("aup:sign_own", args=["staff"]), {"full_name": "Staff Member", "agree": "on"})
    assert client.get(reverse("home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the gate is told once publishing commits
        f.published(school, Audience.STAFF, text="New rules on AI tools.", requires_resign=True)
    assert client.get(reverse("home"))["Location"] == reverse("aup:sign_own", args=["staff"])
    client.post(reverse("aup:sign_own", args=["staff"]), {"full_name": "Staff Member", "agree": "on"})
    assert client.get(reverse("home")).status_code == 200
    # A new version that does not require re-signing leaves the current signature standing.
    with django_capture_on_commit_callbacks(execute=True):
        f.published(school, Audience.STAFF, text="Typo fixed.", requires_resign=False)
    assert client.get(reverse("home")).status_code == 200


def test_a_version_published_by_another_process_gates_within_a_minute(
    client, signed_in, school, staff, monkeypatch, settings
):
    """A management command publishing on the embedded default clears only its own per-process cache; the
    web process's stamp runs out after a minute and the gate catches up."""
    import time

    from aup.selectors import GATE_STAMP_SECONDS

    # The embedded default's cache, also when the suite runs against Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    f.published(school, Audience.STAFF)
    signed_in(staff)
    client.post(reverse("aup:sign_own", args=["staff"]), {"full_name": "Staff Member", "agree": "on"})
    assert client.get(reverse("home")).status_code == 200
    f.published(school, Audience.STAFF, text="New rules on AI tools.", requires_resign=True)  # no on-commit here
    assert client.get(reverse("home")).status_code == 200
    later = time.time() + GATE_STAMP_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert client.get(reverse("home"))["Location"] == reverse("aup:sign_own", args=["staff"])
