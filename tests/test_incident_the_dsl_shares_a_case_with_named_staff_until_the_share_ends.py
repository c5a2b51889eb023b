"""The DSL shares a pupil's case with named staff on a need-to-know basis: recorded on the timeline, read-only
for them, every opening recorded, ended when the DSL says, and never with technicians or governors."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import services
from incidents.models import CaseShare, EntryKind
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_a_shared_case_opens_read_only_for_that_teacher_until_the_share_ends(
    client, signed_in, school, staff, osl, dsl
):
    incident = make_case(school=school, reporter=osl, description="Worrying messages in the class chat.")
    shared_url = reverse("incidents:shared_case", args=[incident.reference])
    signed_in(staff)
    assert client.get(shared_url).status_code == 404  # not shared yet
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code == 403

    share = services.case_share(incident=incident, by=dsl, user=staff, reason="Jo's class teacher: watch the chat")
    assert share.shared_entry.kind == EntryKind.CASE_SHARED and share.shared_entry.author == dsl
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="shared-cases"' in home and incident.reference in home
    page = client.get(shared_url)
    assert page.status_code == 200 and b"Worrying messages in the class chat." in page.content
    assert b"Record an action" not in page.content and b"Correct this entry" not in page.content
    assert (
        AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, actor=staff, object_id=str(incident.pk)).count()
        == 1
    )
    # Read-only: the action URL stays closed to them.
    act = client.post(
        reverse("incidents:case_action", args=[incident.reference]), {"action": "record", "kind": "note", "text": "x"}
    )
    assert act.status_code == 403 and not incident.entries.filter(kind=EntryKind.NOTE).exists()

    services.case_share_end(incident=incident, by=dsl, share=share, reason="Pupil moved class")
    assert client.get(shared_url).status_code == 404
    assert incident.entries.filter(kind=EntryKind.SHARE_REVOKED).exists()
    assert incident.reference not in client.get(reverse("home")).content.decode()


def test_the_dsl_shares_and_ends_a_share_from_the_case_page(client, signed_in, school, staff, osl, dsl):
    incident = make_case(school=school, reporter=osl)
    signed_in(dsl)
    act = reverse("incidents:case_action", args=[incident.reference])
    assert client.post(act, {"action": "share_person", "user": str(staff.pk), "text": ""}).status_code == 400
    assert (
        client.post(act, {"action": "share_person", "user": str(staff.pk), "text": "Class teacher"}).status_code == 302
    )
    share = CaseShare.objects.get(incident=incident, user=staff)
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert "Class teacher" in page[page.index('data-testid="case-shares"') :]
    assert client.post(act, {"action": "share_end", "share": str(share.pk)}).status_code == 302
    share.refresh_from_db()
    assert share.revoked_entry is not None


@pytest.mark.parametrize("persona", ["technician", "governor", "parent"])
def test_cases_are_never_shared_with_those_who_may_not_read_case_notes(request, school, osl, dsl, persona):
    incident = make_case(school=school, reporter=osl)
    with pytest.raises(ValidationError):
        services.case_share(incident=incident, by=dsl, user=request.getfixturevalue(persona), reason="Needs to know")
    assert not CaseShare.objects.exists()


def test_an_allegation_about_staff_is_never_shared_this_way(school, staff, head, dsl, technician):
    allegation = make_case(school=school, reporter=staff, category="staff_conduct", subject_staff=technician)
    with pytest.raises(ValidationError):
        services.case_share(incident=allegation, by=head, user=staff, reason="Needs to know")
