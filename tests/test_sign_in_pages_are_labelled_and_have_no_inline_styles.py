"""Every sign-in page: each field has a label and the right autocomplete hint; no inline style (the CSP forbids it)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.resume import STASH_KEY
from safeguarding_portal.accounts.testing import password_sign_in, totp_code

from .conftest import sign_in
from .factories import PASSWORD

pytestmark = pytest.mark.django_db


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.label_for: set[str] = set()
        self.styled: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styled.append(tag)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag == "h1":
            self.h1 += 1
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.inputs.append(attrs)


def _check(response, expected_autocomplete: dict[str, str]) -> None:
    assert response.status_code in (200, 404, 429), response.status_code
    page = _Fields()
    page.feed(response.content.decode())
    assert page.styled == []
    assert page.h1 == 1
    for field in page.inputs:
        assert field.get("id") in page.label_for or field.get("aria-label"), field
    by_name = {f["name"]: f for f in page.inputs}
    for name, hint in expected_autocomplete.items():
        assert by_name[name].get("autocomplete") == hint, (name, by_name.get(name))


def test_templates_have_no_inline_style_attributes():
    for template in (Path(settings.BASE_DIR) / "templates" / "accounts").rglob("*.html"):
        assert "style=" not in template.read_text(), template


def test_sign_in_and_password_reset_pages(client, staff):
    _check(client.get(reverse("accounts:login")), {"username": "username", "password": "current-password"})
    _check(
        password_sign_in(client, "staff@oak.example", "wrong-password-123"),
        {"username": "username", "password": "current-password"},
    )
    _check(client.get(reverse("accounts:password_reset")), {"email": "email"})
    _check(client.get(reverse("accounts:password_reset_done")), {})
    _check(client.get(reverse("accounts:password_reset_complete")), {})
    _check(client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"])), {})


def test_locked_out_page(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = password_sign_in(client, "staff@oak.example", "wrong-password-123")

    _check(response, {})


def test_password_change_pages(client, staff):
    sign_in(client, staff)

    _check(
        client.get(reverse("accounts:password_change")),
        {"old_password": "current-password", "new_password1": "new-password", "new_password2": "new-password"},
    )
    _check(client.get(reverse("accounts:password_change_done")), {})


def test_two_factor_pages(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)
    _check(client.get(reverse("accounts:two_factor_setup")), {"code": "one-time-code"})
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)
    _check(client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)}), {})
    client.post(reverse("accounts:logout"))

    password_sign_in(client, dsl.email, PASSWORD)
    _check(client.get(reverse("accounts:two_factor_verify")), {"code": "one-time-code"})
    _check(client.post(reverse("accounts:two_factor_verify"), {"code": "000000"}), {"code": "one-time-code"})


def test_resume_pages(client, head, school):
    from .test_resume_keeps_a_form_sent_after_the_session_expired import _signed_out

    _signed_out(client, head)
    client.post(reverse("schools:settings"), {"name": school.name, "address": "Somewhere"})
    token = next(iter(client.session[STASH_KEY]))
    sign_in(client, head)

    _check(client.get(reverse("accounts:resume", args=[token])), {})
    _check(client.get(reverse("accounts:resume", args=["gone"])), {})
