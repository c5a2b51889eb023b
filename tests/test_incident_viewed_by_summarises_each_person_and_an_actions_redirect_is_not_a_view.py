"""Every opening of a case is recorded, and the case shows who, how many times, first and last, with the full
list on demand; the page an action sends its author back to is not a new view (the mark is the server's)."""

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _views(incident):
    return AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, object_id=str(incident.pk))


def test_an_actions_redirect_is_not_another_view_but_a_fresh_opening_is(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    url = reverse("incidents:case", args=[incident.reference])
    act = reverse("incidents:case_action", args=[incident.reference])
    client.get(url)
    for text in ("First note", "Second note", "Third note"):
        response = client.post(act, {"action": "record", "kind": "note", "text": text}, follow=True)
        assert response.status_code == 200
    assert _views(incident).count() == 1
    client.get(url)
    assert _views(incident).count() == 2


def test_the_case_shows_a_summary_per_person_and_the_full_list_on_demand(client, signed_in, school, staff, dsl, deputy):
    incident = make_case(school=school, reporter=staff)
    url = reverse("incidents:case", args=[incident.reference])
    signed_in(deputy)
    client.get(url)
    signed_in(dsl)
    for _ in range(3):
        page = client.get(url).content.decode()
    table = page[
        page.index('data-testid="case-views"') : page.index("</table>", page.index('data-testid="case-views"'))
    ]
    assert table.count("<tr><td") == 2
    assert f"{dsl.email}</td><td>3</td>" in table and f"{deputy.email}</td><td>1</td>" in table
    full = client.get(reverse("incidents:case_views", args=[incident.reference])).content.decode()
    listed = full[full.index('data-testid="all-views"') : full.index("</table>")]
    assert listed.count(dsl.email) == 3 and listed.count(deputy.email) == 1
