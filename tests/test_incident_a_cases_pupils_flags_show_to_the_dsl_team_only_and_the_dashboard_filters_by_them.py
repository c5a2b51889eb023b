"""A case shows its pupils' flags today to the DSL team (never to the reporter, the head, or staff it is shared
with), and the DSL team's dashboard filters cases by a flag group of their pupils."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from incidents import services
from safeguarding_portal.schools.models import PupilFlag, VulnerabilityFlag

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime.datetime(2026, 11, 10, 10), tick=False)]


def _flag(pupil, kind, starts_on, ends_on=None):
    return PupilFlag.objects.create(
        pupil=pupil, kind=kind, starts_on=starts_on, ends_on=ends_on, source=PupilFlag.Source.MIS
    )


@pytest.fixture
def flagged_case(school, staff):
    zeb = PupilFactory(school=school, legal_forename="Zebedee", surname="Quillfeather")
    ada = PupilFactory(school=school, legal_forename="Ada", surname="Brightwater")
    _flag(zeb, VulnerabilityFlag.CP_PLAN, datetime.date(2026, 9, 1))
    _flag(ada, VulnerabilityFlag.EAL, datetime.date(2020, 9, 1), datetime.date(2026, 7, 20))  # ended
    _flag(ada, VulnerabilityFlag.YOUNG_CARER, datetime.date(2026, 12, 1))  # not yet
    return make_case(school=school, reporter=staff, pupils=[zeb, ada])


@pytest.mark.parametrize("persona", ["dsl", "deputy"])
def test_the_dsl_team_sees_each_pupils_flags_today_on_the_case(client, signed_in, request, flagged_case, persona):
    signed_in(request.getfixturevalue(persona))

    response = client.get(reverse("incidents:case", args=[flagged_case.reference]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="case-pupil-flags"') == 1
    assert "Child protection plan" in body
    assert "English as an additional language" not in body and "Young carer" not in body


def test_the_head_opens_the_case_without_the_flags(client, signed_in, head, flagged_case):
    signed_in(head)
    response = client.get(reverse("incidents:case", args=[flagged_case.reference]))
    assert response.status_code == 200
    assert "Zebedee" in response.content.decode()  # the head does see the case and its pupils
    assert "case-pupil-flags" not in response.content.decode()
    assert "Child protection plan" not in response.content.decode()


def test_the_reporter_and_staff_it_is_shared_with_never_see_the_flags(client, signed_in, staff, osl, dsl, flagged_case):
    services.case_share(incident=flagged_case, by=dsl, user=osl, reason="Needs to know for lessons")
    signed_in(staff)
    own = client.get(reverse("incidents:my_report", args=[flagged_case.reference]))
    assert own.status_code == 200 and "Child protection plan" not in own.content.decode()
    client.logout()
    signed_in(osl)
    shared = client.get(reverse("incidents:shared_case", args=[flagged_case.reference]))
    assert shared.status_code == 200 and "Zebedee" in shared.content.decode()
    assert "case-pupil-flags" not in shared.content.decode()
    assert "Child protection plan" not in shared.content.decode()


def test_the_dsl_teams_dashboard_lists_only_cases_with_a_pupil_flagged_in_the_group(
    client, signed_in, school, staff, dsl, flagged_case
):
    plain = make_case(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    signed_in(dsl)

    everything = client.get(reverse("incidents:dashboard")).content.decode()
    cp_plans = client.get(reverse("incidents:dashboard") + "?flag=cp_plan").content.decode()
    eal = client.get(reverse("incidents:dashboard") + "?flag=eal").content.decode()

    assert 'id="f-flag"' in everything
    assert flagged_case.reference in everything and plain.reference in everything
    assert flagged_case.reference in cp_plans and plain.reference not in cp_plans
    assert flagged_case.reference not in eal and plain.reference not in eal  # Ada's EAL ended in July


def test_the_heads_dashboard_has_no_flag_filter_and_ignores_one_in_the_address(
    client, signed_in, school, staff, head, flagged_case
):
    plain = make_case(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    signed_in(head)

    response = client.get(reverse("incidents:dashboard") + "?flag=cp_plan")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="f-flag"' not in body
    assert flagged_case.reference in body and plain.reference in body
