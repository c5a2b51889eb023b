"""The DSL team checks a pupil-raised report first: accepting makes it a case (the category confirmed or
corrected, its procedure copied, the case acknowledged); dismissing (spam or abuse) needs a reason and closes
it with that outcome. Each is a chained timeline entry; until then the case cannot be moved on otherwise, and
only the DSL team can decide."""

import pytest
from django.urls import reverse

from incidents import pupil_reports, services
from incidents.models import EntryKind, Incident, Moderation, ProcedureStep, Status, TimelineEntry
from safeguarding_portal.audit import chain

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil_raised(client, school, dsl):
    client.post(tell_url(school), pupil_payload(about="else"))
    return Incident.objects.get()


def _act(client, incident, **data):
    return client.post(reverse("incidents:case_action", args=[incident.reference]), data)


def test_the_dsl_accepts_it_as_a_case_in_the_category_they_choose(client, signed_in, school, dsl, pupil_raised):
    ProcedureStep.objects.create(school=school, category="cyberbullying", order=1, text="Speak to the pupil")
    signed_in(dsl)
    response = _act(client, pupil_raised, action="pupil_accept", category="cyberbullying", text="Year 9 chat")

    assert response.status_code == 302
    case = Incident.objects.get()
    assert case.moderation == Moderation.ACCEPTED and case.status == Status.ACKNOWLEDGED
    assert case.category == "cyberbullying" and case.acknowledged_at is not None
    assert list(case.steps.values_list("text", flat=True)) == ["Speak to the pupil"]
    accepted = TimelineEntry.objects.get(incident=case, kind=EntryKind.MODERATED)
    assert accepted.author == dsl and accepted.data == {"decision": "accepted", "category": "cyberbullying"}
    # The pupil's own choice stays in the chained report; the change is a correction beside it.
    assert (
        TimelineEntry.objects.get(incident=case, kind=EntryKind.REPORTED).data["category"]
        == "harmful_content_accidental"
    )
    assert TimelineEntry.objects.filter(incident=case, kind=EntryKind.CORRECTION).count() == 1
    assert chain.verify(TimelineEntry) == []


def test_the_dsl_dismisses_it_with_a_reason_recorded(client, signed_in, school, dsl, pupil_raised):
    signed_in(dsl)
    no_reason = _act(client, pupil_raised, action="pupil_dismiss", reason_kind="spam", reason="")
    assert no_reason.status_code == 400
    assert Incident.objects.get().moderation == Moderation.PENDING

    response = _act(
        client,
        pupil_raised,
        action="pupil_dismiss",
        reason_kind="spam",
        reason="Song lyrics, sent six times in a minute",
    )

    assert response.status_code == 302
    case = Incident.objects.get()
    assert case.moderation == Moderation.DISMISSED and case.status == Status.CLOSED and case.closed_at
    dismissed = TimelineEntry.objects.get(incident=case, kind=EntryKind.MODERATED)
    assert dismissed.text == "Song lyrics, sent six times in a minute" and dismissed.data["reason_kind"] == "spam"
    closing = TimelineEntry.objects.get(incident=case, kind=EntryKind.STATUS)
    assert "dismissed" in closing.data["outcome"] and "Song lyrics" in closing.data["outcome"]
    # Checked once: a second decision is refused.
    again = _act(client, case, action="pupil_accept", category="cyberbullying")
    assert again.status_code == 400 and Incident.objects.get().moderation == Moderation.DISMISSED


def test_until_checked_the_case_cannot_be_moved_on_otherwise(client, signed_in, dsl, pupil_raised):
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[pupil_raised.reference]))
    assert b'value="acknowledge"' not in page.content
    with pytest.raises(Exception, match="Accept or dismiss the pupil"):
        services.case_transition(incident=pupil_raised, to=Status.ACKNOWLEDGED, by=dsl)
    assert Incident.objects.get().status == Status.REPORTED


def test_only_the_dsl_team_decides(client, signed_in, staff, head, pupil_raised):
    for person in (staff, head):
        signed_in(person)
        response = _act(client, pupil_raised, action="pupil_dismiss", reason_kind="abuse", reason="No")
        assert response.status_code in (403, 404)
    assert Incident.objects.get().moderation == Moderation.PENDING
    assert pupil_reports.DismissReason.labels["abuse"]
