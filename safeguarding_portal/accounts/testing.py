"""Helpers for tests of the sign-in flows: real codes from real devices, real password sign-ins."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show for ``device`` now (or ``steps_ahead`` periods later).

    A code is accepted once: a second sign-in in the same 30 seconds needs the next period's code, which the
    device accepts because of its one-step tolerance.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_totp_code(device: TOTPDevice) -> str:
    """A six-digit code that no step in the device's tolerance window accepts."""
    accepted = {totp_code(device, steps_ahead=n) for n in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 111_111)) if c not in accepted)


def password_sign_in(client: Client, email: str, password: str, *, next_url: str = "", **extra):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, **extra)
