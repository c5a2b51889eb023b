"""A legal hold on one record of the new kinds is placed by the reference the disposal review lists: an
agreement's verification code (as printed, with dashes, in any case), a training record's TR-number, a filtering
change's FC-number; an unknown reference is refused. The held record then stays off the list."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from aup import services as aup_services
from safeguarding_portal.retention import services
from safeguarding_portal.retention.models import DisposalItem

from . import clock
from .disposal_kinds_helpers import agreement_for_leaver, member_who_left, settled_change, training_record
from .factories_filtering import team
from .retention_helpers import swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def _hold(school, dsl, kind: str, label: str):
    return services.hold_place(
        school=school, user=dsl, scope="record", kind=kind, record_label=label, reason="claim", detail="Claim 7"
    )


def test_each_kinds_reference_finds_its_record_and_the_hold_keeps_it(school, dsl):
    signature, _, _ = agreement_for_leaver(school)
    record = training_record(school, member_who_left(school, ended_on=datetime.date(2019, 8, 31)), recorded_by=dsl)
    change = settled_change(school, team(school))
    holds = [
        _hold(school, dsl, "aup.agreements", aup_services.format_code(signature.verification_code).lower()),
        _hold(school, dsl, "curriculum.training", f"tr-{record.pk}"),
        _hold(school, dsl, "filtering.log", change.reference),
    ]
    assert [h.record_id for h in holds] == [signature.pk, record.pk, change.pk]
    swept()
    assert not DisposalItem.objects.exists()


@pytest.mark.parametrize(
    ("kind", "label"), [("aup.agreements", "NOPE-NOPE"), ("curriculum.training", "TR-999999"), ("filtering.log", "x")]
)
def test_an_unknown_reference_is_refused(school, dsl, kind, label):
    with pytest.raises(ValidationError) as refused:
        _hold(school, dsl, kind, label)
    assert "record_label" in refused.value.message_dict
