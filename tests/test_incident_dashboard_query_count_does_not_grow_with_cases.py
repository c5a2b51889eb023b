import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["incidents:dashboard"])
def test_dashboard_queries_are_the_same_for_few_and_many_cases(client, signed_in, school, staff, dsl, url_name):
    pupils = PupilFactory.create_batch(3, school=school)
    for _ in range(3):
        make_case(school=school, reporter=staff, pupils=pupils)
    signed_in(dsl)
    url = reverse(url_name)
    client.get(url)
    few = _queries(client, url)
    for _ in range(30):
        make_case(school=school, reporter=staff, pupils=pupils)
    client.get(url)  # the new cases moved the figures' version on: measure the steady state again
    many = _queries(client, url)
    assert few == many


def test_case_page_queries_do_not_grow_with_the_timeline(client, signed_in, school, staff, dsl):
    from incidents import services
    from incidents.models import EntryKind

    incident = make_case(school=school, reporter=staff, pupils=PupilFactory.create_batch(2, school=school))
    signed_in(dsl)
    url = reverse("incidents:case", args=[incident.reference])
    client.get(url)  # the first view creates the audit chain's head row; measure the steady state
    short = _queries(client, url)
    for i in range(20):
        note = services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text=f"Note {i}")
    services.case_correct(incident=incident, by=dsl, entry=note, value="Corrected")
    long = _queries(client, url)
    assert short == long


def test_case_page_queries_do_not_grow_with_the_pupils_on_it(client, signed_in, school, staff, dsl):
    from incidents import services
    from incidents.models import PupilRole

    incident = make_case(school=school, reporter=staff, pupils=PupilFactory.create_batch(1, school=school))
    signed_in(dsl)
    url = reverse("incidents:case", args=[incident.reference])
    client.get(url)
    one = _queries(client, url)
    for pupil in PupilFactory.create_batch(6, school=school):
        services.case_pupil_add(incident=incident, by=dsl, pupil=pupil, role=PupilRole.WITNESS, reason="Saw it")
    for name in ("Jay Collins", "Unknown adult", "Sam Reed"):  # and others involved, not on roll
        services.case_other_add(incident=incident, by=dsl, name=name, part="Named in the messages")
    seven = _queries(client, url)
    assert one == seven
