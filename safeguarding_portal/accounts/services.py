"""Writes about accounts: roles, two-factor devices, emails. Each change is recorded in the audit log."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.outbox.services import enqueue

from .models import Membership, User

BACKUP_CODE_COUNT = 10


@transaction.atomic
def membership_grant(*, user: User, role: str, school=None, trust=None, by: User | None = None, request=None,
                     job_title: str = "", is_safeguarding_governor: bool = False, is_chair: bool = False) -> Membership:
    membership = Membership(
        user=user, role=role, school=school, trust=trust, job_title=job_title,
        is_safeguarding_governor=is_safeguarding_governor, is_chair=is_chair,
    )
    membership.full_clean()
    membership.save()
    audit_record(
        action=AuditAction.ROLE_GRANTED, request=request, actor=by, school=school, obj=membership,
        summary=f"{user.email} became {membership.get_role_display()} at {school or trust}",
        detail={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, by: User | None = None, request=None, on=None) -> Membership:
    membership.ended_on = on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["ended_on"])
    audit_record(
        action=AuditAction.ROLE_ENDED, request=request, actor=by, school=membership.school, obj=membership,
        summary=f"{membership.user.email} is no longer {membership.get_role_display()} at "
        f"{membership.school or membership.trust}",
        detail={"user": membership.user.email, "role": membership.role},
    )
    return membership


def _new_code() -> str:
    # Ten characters from an alphabet without look-alikes, shown as two groups of five.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def backup_codes_regenerate(*, user: User, request=None) -> list[str]:
    """Replace the user's backup codes; returns the new codes, which are shown once and never stored in clear."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(action=AuditAction.BACKUP_CODES_REGENERATED, request=request, actor=user, school=None,
                 summary=f"{BACKUP_CODE_COUNT} new backup codes")
    return codes


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; created on first call, reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, request=None) -> None:
    # One authenticator per person: enrolling a new phone replaces the old one.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AuditAction.TWO_FACTOR_ENROLLED, request=request, actor=user, school=None,
                 summary="Authenticator app set up")


@transaction.atomic
def two_factor_reset(*, user: User, by: User, reason: str, request=None) -> None:
    """For someone who lost their phone: remove every device; they enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(action=AuditAction.TWO_FACTOR_RESET, request=request, actor=by, school=None, obj=user,
                 summary=f"Two-factor authentication reset for {user.email}", detail={"reason": reason})


def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Queue an email. Callers keep sensitive content out: a reference, a category group and a link only."""
    enqueue("accounts.send_email", to=to, subject=subject, body=body)
