"""The demo shows the device search record in use: one search that found a risk to a child, linked to the
demo case it belongs to with nothing deleted and the device kept, and one under the school rules that was
deleted with the reason, the parents told afterwards and the phone handed back. Both are recorded through
the service, so their chain verifies and the case's timeline shows the search."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from incidents.models import DeviceOutcome, DeviceSearch, DeviceSearchEntry, DeviceSearchEntryKind, EntryKind
from incidents.searches import current_outcome
from safeguarding_portal.audit import chain
from safeguarding_portal.schools.models import School

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_demo_has_a_search_on_a_case_and_one_returned_to_a_parent():
    call_command("seed_demo", stdout=io.StringIO())
    oakfield = School.objects.get(reference_prefix="OAK")

    searches = list(DeviceSearch.objects.filter(school=oakfield).order_by("searched_at"))
    assert len(searches) == 2
    at_risk = next(s for s in searches if s.child_at_risk)
    rules = next(s for s in searches if not s.child_at_risk)

    # The risk went to the DSL on the demo case it belongs to (no extra case), and nothing was deleted.
    assert at_risk.incident is not None and at_risk.incident.submission_token is not None
    assert not at_risk.deleted and current_outcome(at_risk) == DeviceOutcome.HELD
    assert at_risk.pupil_id in set(at_risk.incident.pupil_links.values_list("pupil_id", flat=True))
    assert at_risk.incident.entries.filter(kind=EntryKind.DEVICE_SEARCHED, data__search_id=at_risk.pk).exists()

    assert rules.incident is None and rules.deleted and rules.deleted_what and rules.deletion_reason
    assert not rules.parents_informed
    assert set(rules.entries.values_list("kind", flat=True)) == {
        DeviceSearchEntryKind.PARENTS_INFORMED,
        DeviceSearchEntryKind.OUTCOME,
    }
    assert current_outcome(rules) == DeviceOutcome.RETURNED_TO_PARENT

    assert all(s.searched_at < s.recorded_at for s in searches)
    assert chain.verify(DeviceSearch) == [] and chain.verify(DeviceSearchEntry) == []
