"""Running seed_demo again changes nothing, and every sign-in it prints works through the real forms."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import DeviceSearch, DeviceSearchEntry
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian, SafeguardingContact, School, Term, Trust

pytestmark = pytest.mark.django_db

COUNTED = (
    Trust,
    School,
    Term,
    SafeguardingContact,
    Pupil,
    Guardian,
    PupilGuardian,
    User,
    Membership,
    AuditEvent,
    StaticDevice,
    StaticToken,
    TOTPDevice,
    DeviceSearch,
    DeviceSearchEntry,
)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def printed_password(output: str) -> str:
    return re.search(r"^Password for every account: (\S+)$", output, re.M).group(1)


def printed_emails(output: str) -> list[str]:
    return re.findall(r"^\S+\s+(\S+@demo\.example)\s", output, re.M)


def printed_backup_codes(output: str) -> dict[str, list[str]]:
    """Email -> codes, read from the blocks that start with 'email · role' and end at a blank line."""
    codes = {}
    for block in re.findall(r"^(\S+@demo\.example) · .*?\n(.*?)(?:\n\n|\Z)", output, re.M | re.S):
        email, body = block
        codes[email] = re.findall(r"\b[a-z0-9]{5}-[a-z0-9]{5}\b", body)
    return codes


def test_a_second_run_creates_nothing_and_prints_the_same_sign_ins():
    first = seed()
    after_first = counts()
    second = seed()

    assert counts() == after_first
    assert second == first
    assert after_first["Pupil"] > 250 and after_first["Membership"] == 12


def test_every_printed_sign_in_reaches_a_home_page_after_a_second_run():
    seed()
    output = seed()
    password = printed_password(output)
    emails = printed_emails(output)
    codes = printed_backup_codes(output)
    assert len(emails) == 13
    assert set(codes) == {
        "dsl@demo.example",
        "deputy@demo.example",
        "head@demo.example",
        "tech@demo.example",
        "office@demo.example",
        "trust@demo.example",
        "admin@demo.example",
    }

    for email in emails:
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": email, "password": password}, follow=True)
        assert response.status_code == 200, email
        if email in codes:
            assert response.request["PATH_INFO"] == reverse("accounts:two_factor_verify"), email
            assert len(codes[email]) == 10
            response = client.post(
                f"{reverse('accounts:two_factor_verify')}?next=/", {"code": codes[email][0], "next": "/"}, follow=True
            )
            assert response.status_code == 200, email
            assert response.wsgi_request.user.is_verified(), email
        assert response.wsgi_request.user.email == email
        if email == "trust@demo.example":
            assert response.request["PATH_INFO"] == reverse("schools:trust_overview")
            assert b"Riverside Learning Trust" in response.content
        else:
            assert response.request["PATH_INFO"] == reverse("home"), email
        if email not in {"trust@demo.example", "admin@demo.example", "staff2@demo.example"}:
            assert b"Oakfield Primary School" in response.content, email
        if email == "staff2@demo.example":
            assert b"Hillside Academy" in response.content


def test_used_backup_codes_stay_used_and_are_topped_up_below_three():
    codes = printed_backup_codes(seed())["dsl@demo.example"]
    device = StaticDevice.objects.get(user__email="dsl@demo.example", name="backup")
    device.token_set.filter(token=codes[0].replace("-", "")).delete()  # what verify_token does with a used code

    after_one_used = printed_backup_codes(seed())["dsl@demo.example"]
    assert after_one_used == codes[1:]

    device.token_set.exclude(token__in=[c.replace("-", "") for c in codes[-2:]]).delete()
    topped_up = printed_backup_codes(seed())["dsl@demo.example"]
    assert len(topped_up) == 10
    assert device.token_set.count() == 10
