"""Expiry comes from the requirement's renewal cycle, never stored: change the cycle, every expiry moves."""

import datetime

import pytest
from django.urls import reverse

from curriculum import selectors, services
from curriculum.dates import add_months
from curriculum.models import TrainingRequirement
from curriculum.training import State, state_for
from safeguarding_portal.accounts.policy import Role

from . import clock
from . import factories_curriculum as f

TODAY = datetime.date(2026, 11, 22)
# The records are made on that day (memberships start when they are made), whatever today's real date is.
pytestmark = [pytest.mark.django_db, clock.frozen(TODAY)]


def test_a_school_gets_the_kcsie_defaults_once(school):
    services.requirements_ensure_defaults(school=school)
    services.requirements_ensure_defaults(school=school)
    reqs = {r.key: r for r in TrainingRequirement.objects.filter(school=school)}
    assert len(reqs) == 8
    assert reqs["annual_update"].renew_months == 12 and Role.STAFF in reqs["annual_update"].roles
    assert reqs["dsl_training"].renew_months == 24 and set(reqs["dsl_training"].roles) == {Role.DSL, Role.DEPUTY_DSL}
    assert reqs["dsl_refresher"].renew_months == 12
    assert set(reqs["prevent"].roles) == {Role.DSL, Role.DEPUTY_DSL}
    assert reqs["induction"].renew_months is None
    assert reqs["governor_induction"].roles == [Role.GOVERNOR]
    assert reqs["filtering_monitoring"].roles == [Role.TECHNICIAN]


def test_add_months_keeps_the_day_or_uses_the_last_day_of_a_short_month():
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 11, 22), 24) == datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (None, State.MISSING),
        (datetime.date(2026, 1, 10), State.CURRENT),  # expires 10 Jan 2027: 49 days away
        (datetime.date(2025, 12, 22), State.DUE),  # expires 22 Dec 2026: 30 days away
        (datetime.date(2025, 11, 23), State.DUE),  # expires tomorrow
        (datetime.date(2025, 11, 22), State.EXPIRED),  # expires today: no longer valid
        (datetime.date(2024, 3, 1), State.EXPIRED),
    ],
)
def test_states_of_an_annual_requirement(school, done, expected):
    annual = f.requirement(school, "annual_update")
    assert state_for(last_done=done, requirement=annual, today=TODAY)[0] == expected


def test_once_only_training_never_expires(school):
    induction = f.requirement(school, "induction")
    assert state_for(last_done=datetime.date(2010, 9, 1), requirement=induction, today=TODAY) == (State.CURRENT, None)


def test_changing_the_cycle_moves_existing_expiry_dates(school, staff):
    annual = f.requirement(school, "annual_update")
    record = f.record(school, staff, "annual_update", completed_on=datetime.date(2025, 6, 1))
    assert record.expires_on == datetime.date(2026, 6, 1)

    annual.renew_months = 24
    annual.save()
    record.refresh_from_db()

    assert record.expires_on == datetime.date(2027, 6, 1)
    row = selectors.person_row(school=school, user=staff, today=TODAY)
    cell = next(c for c in row.cells if c.requirement.pk == annual.pk)
    assert (cell.state, cell.expires_on) == (State.CURRENT, datetime.date(2027, 6, 1))


def test_the_latest_record_counts(school, staff):
    f.record(school, staff, "annual_update", completed_on=datetime.date(2024, 1, 1))
    f.record(school, staff, "annual_update", completed_on=datetime.date(2026, 9, 3))
    row = selectors.person_row(school=school, user=staff, today=TODAY)
    cell = next(c for c in row.cells if c.requirement.key == "annual_update")
    assert cell.last_done == datetime.date(2026, 9, 3) and cell.state == State.CURRENT


def test_requirements_follow_roles(school, staff, dsl, governor, technician):
    rows = {r.user.pk: r for r in selectors.matrix(school=school, today=TODAY).rows}
    required = {
        uid: {c.requirement.key for c in row.cells if c.state != State.NOT_REQUIRED} for uid, row in rows.items()
    }
    assert required[staff.pk] == {"induction", "annual_update"}
    assert required[dsl.pk] == {"induction", "annual_update", "dsl_training", "dsl_refresher", "prevent"}
    assert required[governor.pk] == {"governor_induction", "governor_update"}
    assert required[technician.pk] == {"induction", "annual_update", "filtering_monitoring"}


def test_the_dsl_edits_a_requirement_and_a_bad_form_changes_nothing(client, signed_in, school, dsl):
    annual = f.requirement(school, "annual_update")
    signed_in(dsl)

    bad = client.post(
        reverse("curriculum:requirement_edit", args=[annual.pk]), {"name": annual.name, "renew_months": "6"}
    )
    assert bad.status_code == 200
    assert "This field is required" in bad.content.decode()
    annual.refresh_from_db()
    assert annual.renew_months == 12

    ok = client.post(
        reverse("curriculum:requirement_edit", args=[annual.pk]),
        {"name": annual.name, "roles": [Role.STAFF, Role.TECHNICIAN], "renew_months": "6", "active": "on"},
    )
    assert ok.status_code == 302
    annual.refresh_from_db()
    assert annual.renew_months == 6 and set(annual.roles) == {Role.STAFF, Role.TECHNICIAN}
