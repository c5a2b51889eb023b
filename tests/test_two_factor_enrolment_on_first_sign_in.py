"""Roles that see safeguarding records enrol an authenticator app at first sign-in, then use it every time."""

import base64
import io
import re
import urllib.parse

import pytest
import qrcode
import qrcode.image.svg
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.testing import password_sign_in, totp_code, wrong_totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


@pytest.mark.parametrize("persona", ["dsl", "deputy", "head", "technician", "trust_lead"])
def test_roles_that_need_two_factor_are_sent_to_setup_from_any_page(client, persona, request):
    user = request.getfixturevalue(persona)

    signed_in = password_sign_in(client, user.email, PASSWORD)
    assert signed_in.status_code == 302

    for page in [
        reverse("home"),
        reverse("accounts:security"),
        reverse("schools:settings"),
        reverse("schools:trust_overview"),
    ]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{SETUP}?{urllib.parse.urlencode({'next': page})}"
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.parametrize("persona", ["staff", "osl", "governor", "parent"])
def test_roles_without_access_to_case_records_are_not_asked_for_a_code(client, persona, request):
    user = request.getfixturevalue(persona)
    password_sign_in(client, user.email, PASSWORD)

    response = client.get(reverse("accounts:security"))

    assert response.status_code == 200
    assert b"Off." in response.content


def test_setup_page_shows_a_qr_code_and_a_key_to_type_by_hand(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)

    page = client.get(SETUP)

    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)
    key = page.context["manual_key"]
    assert base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8)) == device.bin_key
    assert key.encode() in page.content
    assert f'src="{reverse("accounts:two_factor_qr")}"'.encode() in page.content
    assert b'alt="QR code to scan with your authenticator app"' in page.content
    assert b'autocomplete="one-time-code"' in page.content

    qr = client.get(reverse("accounts:two_factor_qr"))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Cache-Control"].startswith("max-age=0") or "no-store" in qr["Cache-Control"]
    assert qr.content.lstrip().startswith(b"<?xml") or b"<svg" in qr.content[:200]
    assert b"<path" in qr.content
    # The same pending device serves the page and the picture, and a reload does not make another.
    assert TOTPDevice.objects.filter(user=dsl).count() == 1


def test_qr_code_encodes_the_otpauth_address_of_the_pending_device(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)

    response = client.get(reverse("accounts:two_factor_qr"))

    url = urllib.parse.urlparse(device.config_url)
    params = urllib.parse.parse_qs(url.query)
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    assert urllib.parse.unquote(url.path) == "/Safeguarding Portal:dsl@oak.example"
    assert params["issuer"] == ["Safeguarding Portal"]
    secret = params["secret"][0]
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # QR encoding is deterministic: the picture served is exactly the one that encodes this address.
    expected = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2).save(expected)
    assert response.content == expected.getvalue()
    other = io.BytesIO()
    qrcode.make("otpauth://totp/someone-else", image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2).save(
        other
    )
    assert response.content != other.getvalue()


def test_wrong_code_keeps_them_on_the_setup_page_with_a_clear_error(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)

    response = client.post(SETUP, {"code": wrong_totp_code(device), "next": "/"})

    assert response.status_code == 200
    assert b"That code did not match" in response.content
    assert b'aria-invalid="true"' in response.content or b"is-invalid" in response.content
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=dsl).exists()
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_code_that_is_not_six_digits_is_explained(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)

    response = client.post(SETUP, {"code": "12ab"})

    assert response.status_code == 200
    assert b"The code is 6 digits" in response.content
    assert b'value="12ab"' in response.content


def test_right_code_turns_two_factor_on_shows_ten_backup_codes_once_and_lets_them_in(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD, next_url=reverse("schools:settings"))
    client.get(f"{SETUP}?next={reverse('schools:settings')}")
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)

    response = client.post(SETUP, {"code": totp_code(device), "next": reverse("schools:settings")})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert f"{code[:5]}-{code[5:]}".encode() in response.content
    assert b"They will not be shown again" in response.content
    assert f'href="{reverse("schools:settings")}"'.encode() in response.content
    device.refresh_from_db()
    assert device.confirmed is True
    # Stored for checking, never shown again: the security page only counts them.
    assert set(StaticToken.objects.filter(device__user=dsl).values_list("token", flat=True)) == set(codes)
    security = client.get(reverse("accounts:security"))
    assert security.status_code == 200
    assert b"10 backup codes left" in security.content
    assert codes[0].encode() not in security.content
    assert client.get(reverse("schools:settings")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED, actor=dsl).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP_CODES_REGENERATED, actor=dsl).count() == 1


def test_next_sign_in_asks_for_a_code_instead_of_setup(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)
    client.post(SETUP, {"code": totp_code(device)})
    client.post(reverse("accounts:logout"))

    password_sign_in(client, dsl.email, PASSWORD)
    home = client.get(reverse("home"))
    assert home["Location"] == f"{VERIFY}?next=%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.get(reverse("accounts:two_factor_qr")).status_code == 403
    page = client.get(home["Location"])
    assert page.status_code == 200
    assert b"Confirm it is you" in page.content
    assert b"Lost your phone?" in page.content

    # The code used at enrolment was spent; the app's next one is accepted.
    accepted = client.post(VERIFY, {"code": totp_code(device, steps_ahead=1), "next": "/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED, actor=dsl).count() == 1
    assert TOTPDevice.objects.filter(user=dsl).count() == 1


def test_moving_to_a_new_phone_replaces_the_old_one(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)
    client.get(SETUP)
    old = TOTPDevice.objects.get(user=dsl, confirmed=False)
    first = client.post(SETUP, {"code": totp_code(old)})
    old_codes = first.context["codes"]

    client.get(SETUP)  # from "Move to a new phone" on the security page, while verified
    new = TOTPDevice.objects.get(user=dsl, confirmed=False)
    assert new.pk != old.pk
    second = client.post(SETUP, {"code": totp_code(new)})

    assert second.status_code == 200
    assert list(TOTPDevice.objects.filter(user=dsl).values_list("pk", flat=True)) == [new.pk]
    tokens = set(StaticToken.objects.filter(device__user=dsl).values_list("token", flat=True))
    assert tokens == set(second.context["codes"])
    assert not tokens & set(old_codes)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED, actor=dsl).count() == 2


def test_staff_member_who_chooses_two_factor_is_asked_for_it_at_every_sign_in(client, staff):
    password_sign_in(client, staff.email, PASSWORD)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(SETUP, {"code": totp_code(device)})
    client.post(reverse("accounts:logout"))

    password_sign_in(client, staff.email, PASSWORD)

    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": totp_code(device, steps_ahead=1)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_setup_form_markup_is_labelled(client, dsl):
    password_sign_in(client, dsl.email, PASSWORD)

    content = client.get(SETUP).content.decode()

    assert re.search(r'<label[^>]+for="id_code"', content)
    assert 'inputmode="numeric"' in content
    assert "style=" not in content
