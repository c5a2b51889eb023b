"""Signed agreements and consents (aup.agreements) are listed for disposal the school's period after the child
left (6 years by default, or the school's own), never while the child is on roll or sooner; a legal hold on the
child, on the agreement or on the whole kind keeps them off the list. Nothing is disposed of by the listing."""

from __future__ import annotations

import datetime

import pytest

from aup.models import Signature
from safeguarding_portal.retention.models import DisposalItem, LegalHold, RetentionPeriod

from . import clock
from .disposal_kinds_helpers import LEFT_LATELY, agreement_for_leaver
from .retention_helpers import swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]
KIND = "aup.agreements"


def _listed() -> set[int]:
    return set(DisposalItem.objects.filter(kind=KIND).values_list("record_id", flat=True))


def test_a_leavers_agreement_is_listed_after_six_years_and_not_before_nor_while_on_roll(school):
    gone, _, _ = agreement_for_leaver(school, email="a@home.example")
    lately, _, _ = agreement_for_leaver(school, left_on=LEFT_LATELY, email="b@home.example")
    on_roll, _, _ = agreement_for_leaver(school, left_on=None, email="c@home.example")
    swept()
    assert _listed() == {gone.pk}
    item = DisposalItem.objects.get(kind=KIND)
    assert item.label == gone.verification_code and item.due_on == datetime.date(2025, 7, 19)
    assert item.rule == "Agreements and consents: leaving + 6 years"
    # Listing disposes of nothing.
    assert Signature.objects.get(pk=gone.pk).signer_name == "Hannah Morgan"
    assert {lately.pk, on_roll.pk}.isdisjoint(_listed())


def test_the_schools_own_period_moves_the_day(school, dsl):
    agreement_for_leaver(school)  # left July 2019: 6 years have passed, 8 have not
    RetentionPeriod.objects.create(school=school, kind=KIND, years=8, changed_at=clock.at("2026-11-01"))
    swept()
    assert _listed() == set()


@pytest.mark.parametrize("scope", ["pupil", "record", "kind"])
def test_a_hold_on_the_child_the_agreement_or_the_kind_keeps_it_off_the_list(school, dsl, scope):
    held, _, child = agreement_for_leaver(school, email="a@home.example")
    other, _, _ = agreement_for_leaver(school, email="b@home.example")
    subject = {
        "pupil": {"pupil": child, "kind": ""},
        "record": {"record_id": held.pk, "record_label": held.verification_code, "kind": KIND},
        "kind": {"kind": KIND},
    }[scope]
    LegalHold.objects.create(
        school=school,
        scope=scope,
        reason="inquiry",
        detail="Inquiry",
        placed_by=dsl,
        placed_at=clock.at("2026-11-01"),
        **subject,
    )
    swept()
    assert _listed() == (set() if scope == "kind" else {other.pk})


def test_a_member_of_staffs_own_agreement_is_due_after_their_last_role_ended_not_while_in_post(school, staff):
    from aup import services
    from aup.models import Audience

    from . import factories_aup as f
    from .disposal_kinds_helpers import member_who_left

    left = member_who_left(school, ended_on=datetime.date(2019, 8, 31))
    version = f.published(school, Audience.STAFF)
    theirs = services.sign_own(school=school, user=left, version=version, evidence=f.EVIDENCE, issue_certificate=False)
    current = services.sign_own(
        school=school, user=staff, version=version, evidence=f.EVIDENCE, issue_certificate=False
    )
    swept()
    assert theirs.pk in _listed() and current.pk not in _listed()


def test_a_visitors_agreement_is_due_the_period_after_the_visit(school, time_machine):
    import uuid

    from aup import services
    from aup.models import Audience

    from . import factories_aup as f

    f.published(school, Audience.VISITOR)
    agreement = f.agreement(school, Audience.VISITOR)
    time_machine.move_to(clock.at("2019-06-03 10:00"), tick=False)
    old = services.sign_visitor(
        agreement=agreement, organisation="Library van", submission_token=uuid.uuid4(), evidence=f.EVIDENCE
    )
    time_machine.move_to(clock.at("2022-06-03 10:00"), tick=False)
    recent = services.sign_visitor(
        agreement=agreement, organisation="Library van", submission_token=uuid.uuid4(), evidence=f.EVIDENCE
    )
    time_machine.move_to(clock.at("2026-12-01 09:00"), tick=False)
    swept()
    assert old.pk in _listed() and recent.pk not in _listed()
