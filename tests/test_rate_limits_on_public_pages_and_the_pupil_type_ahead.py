"""Pages anyone can reach, and the pupil type-ahead, are rate limited by user and by the one client IP: fifteen
reset emails to one address in three seconds, or a script walking the verify or signing pages, are refused; a
forged X-Forwarded-For buys nothing."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from aup import services as aup_services
from aup.models import Audience, Signature
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.core import ratelimits
from safeguarding_portal.outbox.models import EmailDelivery

from . import clock
from . import factories_aup as fa
from .factories import MembershipFactory, PupilFactory, UserFactory

# The limits count per clock window (a minute, ten minutes): a test that ran across a window's end would see its
# count start again. The clock stands still, a few seconds into a window.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00:05")]

PROXY = "127.0.0.1"


def _from(address: str, forged: str | None = None) -> dict:
    """A request through the proxy (PROXY_COUNT=1) from ``address``, with a forged leftmost entry if given."""
    chain = f"{forged}, {address}" if forged else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def _limit(name: str) -> int:
    return int(ratelimits.rate_for(name).split("/")[0])


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    settings.PROXY_COUNT = 1


def test_reset_emails_to_one_address_are_limited_whoever_asks(client, staff, django_capture_on_commit_callbacks):
    url = reverse("accounts:password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(url, {"email": "staff@oak.example"}, **_from(f"81.2.69.{n}")).status_code for n in range(15)
        ]

    # The page answers the same every time (it never says whether an address has an account)...
    assert answers == [302] * 15
    # ...but only the first few send an email.
    sent = EmailDelivery.objects.filter(kind=EmailDelivery.Kind.ACCOUNT, to=["staff@oak.example"]).count()
    assert sent == _limit("password_reset.email")


def test_reset_requests_from_one_address_are_limited_even_with_forged_headers(client, staff):
    url = reverse("accounts:password_reset")
    limit = _limit("password_reset.ip")
    for n in range(limit):
        response = client.post(url, {"email": f"nobody{n}@oak.example"}, **_from("81.2.69.1", f"6.6.6.{n}"))
        assert response.status_code == 302

    refused = client.post(url, {"email": "another@oak.example"}, **_from("81.2.69.1", "6.6.6.200"))
    elsewhere = client.post(url, {"email": "another@oak.example"}, **_from("81.2.69.2"))

    assert refused.status_code == 429
    assert b"Please wait a moment" in refused.content
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 302


def test_the_public_verify_page_is_limited_per_address(client, school):
    url = reverse("aup:verify")
    limit = _limit("aup.verify.ip")
    statuses = [client.get(url, {"code": "AAAA-BBBB"}, **_from("81.2.69.7")).status_code for _ in range(limit + 1)]

    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    assert client.get(url, {"code": "AAAA-BBBB"}, **_from("81.2.69.8")).status_code == 200


def test_the_visitors_page_is_limited_per_address(client, school, settings):
    settings.RATE_LIMITS = {"aup.visitor.ip": "3/10m"}
    version = fa.published(school, Audience.VISITOR)
    url = reverse("aup:visitor", args=[version.agreement.public_key])

    def sign(n):
        data = {
            "full_name": f"Visitor {n}",
            "organisation": "Library",
            "agree": "on",
            "submission_token": str(uuid.uuid4()),
        }
        return client.post(url, data, **_from("81.2.69.9")).status_code

    statuses = [sign(n) for n in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert Signature.objects.filter(audience=Audience.VISITOR).count() == 3
    assert client.get(url, **_from("81.2.69.9")).status_code == 200  # reading the page is not a signature


def test_the_parents_signing_pages_are_limited_per_address(client, school, settings):
    settings.RATE_LIMITS = {"aup.signing.ip": "5/m"}
    fam = fa.family(school)
    invitation = fa.invitation_of(fa.campaign(school, notify=False), fam.guardian)
    guessed = [reverse("aup:sign", args=[f"guess-{n}"]) for n in range(5)]

    statuses = [client.get(url, **_from("81.2.69.10")).status_code for url in guessed]
    real = client.get(reverse("aup:sign", args=[aup_services.signing_token(invitation)]), **_from("81.2.69.10"))

    assert statuses == [404] * 5
    assert real.status_code == 429
    assert b"Oliver" not in real.content


def test_the_pupil_type_ahead_is_limited_per_user(client, signed_in, school, staff, settings):
    settings.RATE_LIMITS = {"incidents.pupil_options.user": "4/m"}
    PupilFactory(school=school, legal_forename="Ava", surname="Lloyd")
    url = reverse("incidents:pupil_options")
    signed_in(staff)

    statuses = [client.get(url, {"pupil_q": "Av"}, **_from("81.2.69.11")).status_code for _ in range(5)]
    colleague = UserFactory(email="colleague2@oak.example")
    MembershipFactory(user=colleague, school=school, role=Role.STAFF)
    signed_in(colleague)
    colleague_status = client.get(url, {"pupil_q": "Av"}, **_from("81.2.69.11")).status_code

    assert statuses == [200] * 4 + [429]
    assert colleague_status == 200  # the same staffroom IP, another person


def test_the_pupil_type_ahead_is_limited_per_address_too(client, signed_in, school, settings):
    settings.RATE_LIMITS = {"incidents.pupil_options.ip": "3/m"}
    url = reverse("incidents:pupil_options")
    statuses = []
    for n in range(4):
        user = UserFactory(email=f"teacher{n}@oak.example")
        MembershipFactory(user=user, school=school, role=Role.STAFF)
        signed_in(user)
        statuses.append(client.get(url, {"pupil_q": "Av"}, **_from("81.2.69.12")).status_code)

    assert statuses == [200, 200, 200, 429]


def test_a_cache_that_does_not_answer_lets_people_through(client, school, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(ratelimits, "get_usage", broken)

    assert client.get(reverse("aup:verify"), {"code": "AAAA"}, **_from("81.2.69.13")).status_code == 200
