import pytest
from django.urls import reverse

from incidents import services
from incidents.categories import Category
from incidents.models import EntryKind

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_once_shared_the_dsl_team_can_act_but_cannot_share_again(client, signed_in, school, staff, osl, dsl, head):
    incident = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    services.case_share_with_dsl_team(incident=incident, by=head, reason="LADO advised sharing for support")
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[incident.reference]))
    assert b"Share with the DSL team" not in page.content
    response = client.post(
        reverse("incidents:case_action", args=[incident.reference]), {"action": "share", "text": "again"}, follow=True
    )
    assert b"Only the headteacher can share" in response.content
    assert incident.entries.filter(kind=EntryKind.SHARED).count() == 1


def test_the_head_sees_the_share_action_on_an_unshared_allegation(client, signed_in, school, staff, osl, head):
    incident = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    signed_in(head)
    page = client.get(reverse("incidents:case", args=[incident.reference]))
    assert b"Share with the DSL team" in page.content
