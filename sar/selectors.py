"""Reads for subject access requests."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.schools.models import Pupil

from .models import Disclosure, SubjectAccessRequest

DUE_SOON_DAYS = 7


def requests_for(*, portal) -> QuerySet[SubjectAccessRequest]:
    """The school's requests this person may manage: never one about themself (whoever holds the role)."""
    return SubjectAccessRequest.objects.filter(policy.subject_access_visibility(portal)).select_related(
        "subject_pupil", "subject_staff", "logged_by"
    )


def request_for(*, portal, request_id: int) -> SubjectAccessRequest | None:
    return requests_for(portal=portal).filter(pk=request_id).first()


def open_requests(*, portal) -> QuerySet[SubjectAccessRequest]:
    return requests_for(portal=portal).filter(closed_at__isnull=True).order_by("due_on", "pk")


def deadline_state(sar: SubjectAccessRequest, *, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if sar.closed_at is not None:
        return "closed"
    if sar.deadline < today:
        return "overdue"
    if sar.deadline <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "open"


def disclosures(*, sar: SubjectAccessRequest) -> list[Disclosure]:
    return list(sar.disclosures.select_related("built_by", "sent_by"))


def disclosure_for(*, sar: SubjectAccessRequest, disclosure_id: int) -> Disclosure | None:
    return sar.disclosures.filter(pk=disclosure_id).first()


def subject_pupils(*, school) -> QuerySet[Pupil]:
    """Everyone who is or was a pupil here: requests come from former pupils too."""
    return Pupil.objects.filter(school=school).order_by("surname", "legal_forename")


def subject_staff(*, school):
    from safeguarding_portal.accounts.models import User

    ids = Membership.objects.filter(school=school, role__in=policy.STAFF_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")


SEARCH_LIMIT = 15


def search_subjects(*, school, about: str, query: str) -> list:
    """The subject picker's search: pupils (on roll or left) or staff of the school whose name (or UPN, or email)
    holds the words; nothing under two characters, at most SEARCH_LIMIT."""
    query = " ".join(query.split())
    if len(query) < 2:
        return []
    if about == "staff":
        found = subject_staff(school=school).filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        return list(found[:SEARCH_LIMIT])
    words = Q()
    for word in query.split()[:3]:
        words &= (
            Q(surname__icontains=word)
            | Q(legal_forename__icontains=word)
            | Q(preferred_forename__icontains=word)
            | Q(upn__iexact=word)
        )
    return list(subject_pupils(school=school).filter(words)[:SEARCH_LIMIT])


def counts(*, portal, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    open_ = open_requests(portal=portal)
    deadline = Q(extended_to__isnull=False, extended_to__lt=today) | Q(extended_to__isnull=True, due_on__lt=today)
    return {"open": open_.count(), "overdue": open_.filter(deadline).count()}
