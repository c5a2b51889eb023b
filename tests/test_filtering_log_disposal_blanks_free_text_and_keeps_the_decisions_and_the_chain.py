"""The filtering log (filtering.log) is due the school's period (3 years) after a change was made, once it is
settled (rejected, refused or reverted): a change awaiting a decision, approved or in force stays. Disposal, after
both approvals, blanks the free text that may name a pupil (the requester's reason, the decision's reasons, the
risk assessments, the details of its chain events that carry them) and keeps the decisions: action, target,
state, who decided and when. The school's filtering chain verifies afterwards, writing into a blanked event is a
break, and a legal hold on a pupil of the concern a change was raised from keeps the change."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from filtering.models import ChangeRequest, FilterEvent, RiskAssessment, State
from safeguarding_portal.audit import chain
from safeguarding_portal.retention.models import DisposalItem, LegalHold, Tombstone

from . import clock
from .disposal_kinds_helpers import NAMING_A_PUPIL, dispose, settled_change
from .factories import PupilFactory
from .factories_filtering import team as filtering_team
from .incident_helpers import make_case
from .retention_helpers import swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]
KIND = "filtering.log"


@pytest.fixture
def team(school):
    return filtering_team(school)


def _listed() -> set[int]:
    return set(DisposalItem.objects.filter(kind=KIND).values_list("record_id", flat=True))


def test_settled_changes_older_than_the_period_are_listed_live_or_recent_ones_are_not(school, team):
    reverted = settled_change(school, team)
    rejected = settled_change(school, team, state=State.REJECTED)
    in_force = settled_change(school, team, state=State.APPLIED)
    recent = settled_change(school, team, years_ago=2)
    swept()
    assert _listed() == {reverted.pk, rejected.pk}
    assert {in_force.pk, recent.pk}.isdisjoint(_listed())
    assert DisposalItem.objects.get(record_id=reverted.pk).label == reverted.reference


def test_disposal_blanks_the_free_text_keeps_the_decisions_and_the_chain_verifies(school, team, dsl, head):
    change = settled_change(school, team)
    later = settled_change(school, team, years_ago=1)  # links after the disposed ones
    events_before = {e.pk: e for e in FilterEvent.objects.filter(change=change)}
    dispose(school, dsl, head)

    after = ChangeRequest.objects.get(pk=change.pk)
    assert (after.reason, after.decision_reason) == ("", "")
    assert (after.action, after.target, after.state, after.decided_by_id, after.vendor_reference) == (
        change.action,
        change.target,
        State.REVERTED,
        change.decided_by_id,
        change.vendor_reference,
    )
    assert set(RiskAssessment.objects.filter(change=change).values_list("assessment", flat=True)) == {""}
    for event in FilterEvent.objects.filter(change=change):
        before = events_before[event.pk]
        assert NAMING_A_PUPIL not in str(event.data)
        assert (event.kind, event.actor_name, event.summary, event.hash) == (
            before.kind,
            before.actor_name,
            before.summary,
            before.hash,
        )
    assert FilterEvent.objects.get(change=change, kind="requested").data["target"] == change.target
    assert ChangeRequest.objects.get(pk=later.pk).reason == NAMING_A_PUPIL
    assert Tombstone.objects.filter(kind=KIND, record_model="filtering.FilterEvent").exists()

    assert not chain.verify(FilterEvent) and not chain.verify(Tombstone)
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=out)
    assert "filtering.FilterEvent: intact" in out.getvalue()

    requested = FilterEvent.objects.get(change=change, kind="requested")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE filtering_filterevent SET data = %s WHERE id = %s", ['{"reason": "x"}', requested.pk]
            )
        assert [b.reason for b in chain.verify(FilterEvent)] == ["what is left of a disposed record was changed"]
        transaction.set_rollback(True)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE filtering_filterevent SET summary = 'x' WHERE id = %s", [requested.pk])


def test_a_hold_on_a_pupil_of_the_concern_it_came_from_keeps_the_change(school, team, staff, dsl):
    amelia = PupilFactory(school=school)
    concern = make_case(school=school, reporter=staff, pupils=[amelia], description="Found a site that got through.")
    held = settled_change(school, team)
    ChangeRequest.objects.filter(pk=held.pk).update(incident_reference=concern.reference)
    other = settled_change(school, team)
    LegalHold.objects.create(
        school=school,
        scope="pupil",
        pupil=amelia,
        reason="police",
        detail="Police request",
        placed_by=dsl,
        placed_at=clock.at("2026-11-01"),
    )
    swept()
    assert _listed() == {other.pk}
