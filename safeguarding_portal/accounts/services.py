"""Writes about accounts: roles, two-factor devices, emails. Each change is recorded in the audit log."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.outbox.email import Kind, send_email

from .models import Membership, User
from .signals import membership_ended

BACKUP_CODE_COUNT = 10
# Set at password sign-in for someone who chose two-factor sign-in although their roles do not require it:
# the access middleware then asks them for a code like everyone whose role requires one.
TWO_FACTOR_CHOSEN_SESSION_KEY = "two_factor_chosen"


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    school=None,
    trust=None,
    by: User | None = None,
    origin: Origin | None = None,
    job_title: str = "",
    is_safeguarding_governor: bool = False,
    is_chair: bool = False,
) -> Membership:
    membership = Membership(
        user=user,
        role=role,
        school=school,
        trust=trust,
        job_title=job_title,
        is_safeguarding_governor=is_safeguarding_governor,
        is_chair=is_chair,
    )
    membership.full_clean()
    membership.save()
    audit_record(
        action=AuditAction.ROLE_GRANTED,
        origin=origin,
        actor=by,
        school=school,
        obj=membership,
        summary=f"{user.email} became {membership.get_role_display()} at {school or trust}",
        detail={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_recorded_from_admin(
    *, membership: Membership, created: bool, ended_now: bool, by: User, school=None, origin: Origin | None = None
) -> None:
    """Record a membership saved through the admin, in the same words as ``membership_grant``/``membership_end``.

    Filed under the membership's school, else ``school`` (where the admin was: a trust membership has none)."""
    place = membership.school or membership.trust
    role = membership.get_role_display()
    if ended_now:
        action = AuditAction.ROLE_ENDED
        summary = f"{membership.user.email} is no longer {role} at {place} (from {membership.ended_on})"
    elif created:
        action = AuditAction.ROLE_GRANTED
        summary = f"{membership.user.email} became {role} at {place}"
    else:
        # Dates and job titles only: the admin form does not let role or place change on a saved membership.
        action = AuditAction.ROLE_GRANTED
        summary = f"{membership.user.email}: {role} at {place} changed"
    audit_record(
        action=action,
        origin=origin,
        actor=by,
        school=membership.school or school,
        obj=membership,
        summary=summary,
        detail={
            "user": membership.user.email,
            "role": membership.role,
            "via": "admin",
            "ended_on": membership.ended_on.isoformat() if membership.ended_on else None,
        },
    )
    if ended_now:
        membership_ended.send(sender=Membership, membership=membership, by=by)


@transaction.atomic
def membership_end(
    *, membership: Membership, by: User | None = None, origin: Origin | None = None, on=None
) -> Membership:
    membership.ended_on = on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["ended_on"])
    audit_record(
        action=AuditAction.ROLE_ENDED,
        origin=origin,
        actor=by,
        school=membership.school,
        obj=membership,
        summary=f"{membership.user.email} is no longer {membership.get_role_display()} at "
        f"{membership.school or membership.trust}",
        detail={"user": membership.user.email, "role": membership.role},
    )
    membership_ended.send(sender=Membership, membership=membership, by=by)
    return membership


def _new_code() -> str:
    # Ten characters from an alphabet without look-alikes, shown as two groups of five.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def backup_codes_regenerate(*, user: User, school=None, origin: Origin | None = None) -> list[str]:
    """Replace the user's backup codes; returns the new codes, which are shown once and never stored in clear."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        action=AuditAction.BACKUP_CODES_REGENERATED,
        origin=origin,
        actor=user,
        school=school,
        summary=f"{BACKUP_CODE_COUNT} new backup codes",
    )
    return codes


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code typed at the two-factor check."""

    device: Device | None
    # When the code was not even looked at because of django-otp's throttling (too many wrong codes in a row):
    # how many seconds until the next try counts. 0 when the code was checked.
    wait_seconds: int = 0


_TOTP_SHAPE = re.compile(r"^[0-9]{6}$")


def seconds_until_allowed(device: Device) -> int:
    """0 when the device will check a code now; otherwise the seconds its throttling still has to run."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def two_factor_code_check(*, user: User, code: str) -> CodeCheck:
    """Check a code against the kind of device it can belong to.

    Six digits go to the authenticator app, anything else to the backup codes, so that a mistyped app code
    does not also slow down the backup codes (each device is throttled after a wrong code).
    """
    code = code.replace(" ", "").replace("-", "").strip().lower()
    model = TOTPDevice if _TOTP_SHAPE.match(code) else StaticDevice
    wait, checked = 0, False
    for device in model.objects.filter(user=user, confirmed=True):
        throttled_for = seconds_until_allowed(device)
        if throttled_for:
            wait = max(wait, throttled_for)
            continue
        checked = True
        if device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck(device=None, wait_seconds=0 if checked else wait)


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; created on first call, reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, school=None, origin: Origin | None = None) -> None:
    # One authenticator per person: enrolling a new phone replaces the old one.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        action=AuditAction.TWO_FACTOR_ENROLLED,
        origin=origin,
        actor=user,
        school=school,
        summary="Authenticator app set up",
    )


@transaction.atomic
def two_factor_reset(*, user: User, by: User | None, reason: str, school=None, origin: Origin | None = None) -> int:
    """For someone who lost their phone: remove every device; they enrol again at their next sign-in.

    Any session they had already verified stops counting as verified (its device is gone). Returns how many
    devices were removed. ``by`` is None only for a reset run from the command line without ``--by``.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for the reset: it is kept in the audit log.")
    removed = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()  # its backup codes go with it
    audit_record(
        action=AuditAction.TWO_FACTOR_RESET,
        origin=origin,
        actor=by,
        school=school,
        obj=user,
        summary=f"Two-factor authentication reset for {user.email} by {by.email if by else 'the command line'}",
        detail={"reason": reason[:500], "user": user.email, "reset_by": by.email if by else None},
    )
    return removed


def email_send(*, to: list[str], subject: str, body: str, school_id: int | None = None) -> None:
    """Queue an email (its delivery is recorded: outbox/email.py). Callers keep sensitive content out: a
    reference, a category group and a link only."""
    send_email(to=to, subject=subject, body=body, kind=Kind.ACCOUNT, school_id=school_id)
