"""Agreements, training records and filtering changes due for disposal (aup/, curriculum/, filtering/
disposal.py), and a batch taken through both approvals."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from aup import services as aup_services
from aup.certificate import certificate_for
from aup.models import Signature
from curriculum.models import TrainingRecord, TrainingRequirement
from filtering import services as filtering_services
from filtering.models import ChangeRequest, State
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch

from . import factories_aup as f
from .factories import MembershipFactory, UserFactory
from .factories_filtering import make_change
from .retention_helpers import swept

LEFT_LONG_AGO = datetime.date(2019, 7, 19)  # + 6 years: due on the tests' day (December 2026)
LEFT_LATELY = datetime.date(2024, 7, 19)  # + 6 years: 2030


def agreement_for_leaver(school, *, left_on: datetime.date | None = LEFT_LONG_AGO, email: str = "hannah@home.example"):
    """A parent's signed agreement for one child, its certificate built and a consent withdrawn since; the child
    left on ``left_on`` (None: still on roll)."""
    fam = f.family(school, children=1, email=email)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    aup_services.change_consent(
        signature=signature, key="website", given=False, actor="Hannah Morgan", ip="203.0.113.9"
    )
    certificate = certificate_for(signature)
    child = fam.children[0]
    child.left_on = left_on
    child.save()
    return Signature.objects.get(pk=signature.pk), certificate, child


def member_who_left(school, *, ended_on: datetime.date | None, email: str = "ex.teacher@oak.example"):
    user = UserFactory(email=email, full_name="Edith Example")
    MembershipFactory(
        user=user, school=school, role=Role.STAFF, started_on=datetime.date(2010, 9, 1), ended_on=ended_on
    )
    return user


def training_record(school, user, *, recorded_by) -> TrainingRecord:
    requirement = TrainingRequirement.objects.create(
        school=school, name=f"Safeguarding basics {user.pk}", roles=[Role.STAFF], renew_months=36
    )
    record = TrainingRecord(
        school=school,
        user=user,
        requirement=requirement,
        course="Level 1 safeguarding",
        provider="Local authority",
        completed_on=datetime.date(2018, 9, 3),
        hours=3,
        certificate_name="edith-example-certificate.pdf",
        certificate_type="application/pdf",
        recorded_by=recorded_by,
    )
    record.certificate.save("cert.pdf", ContentFile(b"%PDF-1.4 Edith Example"), save=False)
    record.save()
    return record


NAMING_A_PUPIL = "Year 6 history project; Amelia Jones needs it for her support plan."


def settled_change(school, team: dict, *, years_ago: int = 4, state: str = State.REVERTED, reason=NAMING_A_PUPIL):
    """A filtering change made ``years_ago`` years ago and settled (reverted by default), its reasons naming a
    pupil."""
    at = timezone.now() - datetime.timedelta(days=365 * years_ago + 10)
    with filtering_services.backdated(at):
        change = make_change(
            school=school,
            requester=team["requester"],
            approver=team["head"],
            technician=team["technician"],
            state=state,
            reason=reason,
        )
    return ChangeRequest.objects.get(pk=change.pk)


def dispose(school, dsl, head, today: datetime.date | None = None) -> DisposalBatch:
    swept(today)
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)
    batch.refresh_from_db()
    return batch
