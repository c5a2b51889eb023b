"""Factories for the curriculum app: training, lessons, gaps and the policy register."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from curriculum import services
from curriculum.models import Gap, Lesson, LessonStrand, Policy, TrainingRecord, TrainingRequirement, Unit
from safeguarding_portal.accounts.policy import Role

from .factories import MembershipFactory, UserFactory

PDF = b"%PDF-1.4\n% a test certificate\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def requirement(school, key: str) -> TrainingRequirement:
    services.requirements_ensure_defaults(school=school)
    return TrainingRequirement.objects.get(school=school, key=key)


def member(school, role: str = Role.STAFF, email: str | None = None, **extra):
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, school=school, role=role, **extra)
    return user


def record(
    school,
    user,
    key: str = "induction",
    *,
    completed_on: datetime.date | None = None,
    with_certificate: bool = False,
    by=None,
) -> TrainingRecord:
    item = TrainingRecord(
        school=school,
        user=user,
        requirement=requirement(school, key),
        course="Course",
        provider="Provider",
        completed_on=completed_on or timezone.localdate(),
        hours=Decimal("1.5"),
        recorded_by=by or user,
    )
    if with_certificate:
        item.certificate_type = "application/pdf"
        item.certificate_name = "cert.pdf"
        item.certificate.save("x.pdf", ContentFile(PDF), save=False)
    item.save()
    return item


def unit(school, *, title: str = "Kind online", year_groups=("5",), strands=("bullying",)) -> Unit:
    return Unit.objects.create(
        school=school, title=title, programme="Kapow", year_groups=list(year_groups), strands=list(strands)
    )


def lesson(school, user, *, year_group: str = "5", strands=("bullying",), taught_on=None) -> Lesson:
    taught_on = taught_on or timezone.localdate()
    item = Lesson.objects.create(school=school, taught_by=user, taught_on=taught_on, year_group=year_group)
    LessonStrand.objects.bulk_create(
        [
            LessonStrand(lesson=item, school=school, year_group=year_group, taught_on=taught_on, strand=s)
            for s in strands
        ]
    )
    return item


def gap(school, *, year_group: str = "5", strand: str = "bullying") -> Gap:
    term = school.current_term() or school.terms.order_by("-starts_on").first()
    return Gap.objects.create(
        school=school,
        term=term,
        year_group=year_group,
        strand=strand,
        category="cyberbullying",
        incident_count=3,
        threshold=3,
        raised_on=timezone.localdate(),
    )


def policy(school, *, title: str = "Online safety policy", with_document: bool = False, **extra) -> Policy:
    values = {
        "kind": Policy.Kind.ONLINE_SAFETY,
        "approved_by": "Full governing board",
        "approved_on": timezone.localdate() - datetime.timedelta(days=100),
        "review_months": 12,
    } | extra
    item = Policy(school=school, title=title, **values)
    if with_document:
        item.document_type = "application/pdf"
        item.document_name = "policy.pdf"
        item.document.save("x.pdf", ContentFile(PDF), save=False)
    item.save()
    return item
