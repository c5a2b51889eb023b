"""Building filtering records for tests, through the services so every step is in the log."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from filtering import services
from filtering.models import Action, ChangeRequest, RiskView, Scope, State, TargetKind
from safeguarding_portal.accounts.policy import Role

from .factories import MembershipFactory, UserFactory


def member(school, role: str, email: str):
    user = UserFactory(email=email, full_name=email.split("@")[0].replace(".", " ").title())
    MembershipFactory(user=user, school=school, role=role)
    return user


def team(school, tag: str = "f") -> dict:
    """A requester, a technician and two senior approvers at ``school`` (distinct from the conftest personas)."""
    return {
        "requester": member(school, Role.STAFF, f"{tag}.teacher@oak.example"),
        "technician": member(school, Role.TECHNICIAN, f"{tag}.tech@oak.example"),
        "head": member(school, Role.HEADTEACHER, f"{tag}.head@oak.example"),
        "dsl": member(school, Role.DSL, f"{tag}.dsl@oak.example"),
    }


def make_change(
    *,
    school,
    requester,
    state: str = State.REQUESTED,
    approver=None,
    technician=None,
    action: str = Action.ALLOW,
    target: str = "https://www.example.org/lesson",
    expires_in_days: int | None = 14,
    reason: str = "Year 6 history project",
) -> ChangeRequest:
    today = timezone.localdate(services._now())  # the backdated day when called inside services.backdated()
    change = services.change_request(
        school=school,
        requester=requester,
        action=action,
        target_kind=TargetKind.URL,
        target=target,
        scope=Scope.ALL_PUPILS,
        reason=reason,
        needed_until=today + datetime.timedelta(days=expires_in_days or 30),
    )
    if state == State.REQUESTED:
        return change
    services.assess(
        change=change,
        by=technician or approver,
        view=RiskView.TECHNICAL,
        rating="low",
        assessment="Site is a museum's education pages; no user content.",
    )
    services.assess(
        change=change, by=approver, view=RiskView.EDUCATIONAL, rating="low", assessment="Needed for the history unit."
    )
    if state == State.REJECTED:
        return services.reject(change=change, by=approver, reason="Use the approved textbook site instead.")
    expires_on = today + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    change = services.approve(
        change=change,
        by=approver,
        reason="Educational need outweighs the low risk.",
        expires_on=expires_on,
        permanent_reason="" if expires_on else "A core curriculum resource.",
    )
    if state == State.APPROVED:
        return change
    change = services.apply(change=change, by=technician, vendor_reference="LS-1001")
    if state == State.APPLIED:
        return change
    return services.revert(change=change, by=technician, vendor_reference="LS-1002")


def certificate() -> SimpleUploadedFile:
    return SimpleUploadedFile("swgfl-certificate.pdf", b"%PDF-1.4 test certificate", content_type="application/pdf")
