"""Cases grow as cases do: the DSL adds the sibling or the third child named in a note, takes off a pupil
named in error, corrects a pupil's part, and adds staff involved; each is a timeline entry with who and
when, nothing is deleted, and the pupils' chronologies follow."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import services
from incidents.models import EntryKind, IncidentPupil, PupilRole

from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def morgans(school):
    """Isla and Oliver Morgan share a mother in the MIS import."""
    mother = GuardianFactory(school=school, full_name="Hannah Morgan")
    isla = PupilFactory(school=school, legal_forename="Isla", surname="Morgan", year_group="5")
    oliver = PupilFactory(school=school, legal_forename="Oliver", surname="Morgan", year_group="2")
    for child in (isla, oliver):
        PupilGuardianFactory(pupil=child, guardian=mother)
    return isla, oliver


def _act(client, incident, **data):
    return client.post(reverse("incidents:case_action", args=[incident.reference]), data)


def _chronology(client, pupil):
    return client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()


def test_the_case_offers_a_sibling_on_roll_and_adding_them_puts_the_case_in_their_chronology(
    client, signed_in, school, staff, dsl, morgans
):
    isla, oliver = morgans
    incident = make_case(school=school, reporter=staff, pupils=[isla])
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert "Isla Morgan's sibling <strong>Oliver Morgan</strong> (Year 2) is on roll." in page
    assert incident.reference not in _chronology(client, oliver)

    response = _act(
        client,
        incident,
        action="pupil_add",
        pupil=str(oliver.pk),
        role=PupilRole.WITNESS,
        text="Sibling of Isla Morgan",
    )
    assert response.status_code == 302
    link = IncidentPupil.objects.get(incident=incident, pupil=oliver)
    assert link.role == PupilRole.WITNESS and link.year_group == "2" and link.added_entry.kind == EntryKind.PUPIL_ADDED
    assert link.added_entry.author == dsl and link.added_entry.data["pupil_name"] == "Oliver Morgan"
    assert incident.reference in _chronology(client, oliver) and incident.reference in _chronology(client, isla)
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert "is on roll." not in page  # nobody left to suggest
    # The reporter still sees only the pupils they named.
    signed_in(staff)
    mine = client.get(reverse("incidents:my_report", args=[incident.reference])).content.decode()
    assert "Isla Morgan" in mine and "Oliver" not in mine


def test_a_pupil_named_in_error_is_taken_off_by_an_entry_and_leaves_their_chronology(
    client, signed_in, school, staff, dsl, morgans
):
    isla, oliver = morgans
    incident = make_case(school=school, reporter=staff, pupils=[isla, oliver])
    signed_in(dsl)
    link = incident.pupil_links.get(pupil=oliver)
    assert _act(client, incident, action="pupil_remove", link=str(link.pk), text="").status_code == 400
    assert (
        _act(
            client, incident, action="pupil_remove", link=str(link.pk), text="Named in error: it was another Oliver"
        ).status_code
        == 302
    )
    link.refresh_from_db()
    assert link.removed_entry.kind == EntryKind.PUPIL_REMOVED and link.removed_entry.corrects == link.added_entry
    assert IncidentPupil.objects.filter(pk=link.pk).exists()  # never deleted
    assert incident.reference not in _chronology(client, oliver)
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert 'data-testid="removed-pupils"' in page and "Oliver Morgan" in page
    # Put back later: the same row, pointing at the entry that put them back.
    assert _act(client, incident, action="pupil_add", pupil=str(oliver.pk), role="witness").status_code == 302
    link.refresh_from_db()
    assert link.removed_entry is None and link.added_entry.kind == EntryKind.PUPIL_ADDED


def test_a_pupils_part_is_corrected_with_a_reason_and_only_the_part_is_struck_through(
    client, signed_in, school, staff, dsl, morgans
):
    isla, _ = morgans
    incident = services.incident_report(
        school=school,
        reporter=staff,
        occurred_at=make_case(school=school, reporter=staff).occurred_at,
        location="on_site",
        category="cyberbullying",
        description="Messages in a group chat.",
        device="school",
        immediate_risk=False,
        pupils=[services.PupilInvolvement(isla.pk, PupilRole.HARMING)],
    )
    link = incident.pupil_links.get()
    signed_in(dsl)
    assert (
        _act(
            client,
            incident,
            action="pupil_role",
            link=str(link.pk),
            role=PupilRole.HARMED,
            text="She was the target, not the sender",
        ).status_code
        == 302
    )
    link.refresh_from_db()
    assert link.role == PupilRole.HARMED
    entry = incident.entries.get(kind=EntryKind.PUPIL_ROLE)
    assert (entry.data["was"], entry.data["now"], entry.corrects.kind) == ("harming", "harmed", EntryKind.REPORTED)
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    pupils = page[page.index('data-testid="case-pupils"') : page.index("Staff involved")]
    assert '<span class="corrected entry-corrected">harming or alleged to have harmed</span>' in pupils
    assert "harmed or at risk (entry #" in pupils
    # The report's own text is not struck through: only the part was wrong.
    report = page[page.index('data-testid="report-fields"') : page.index('data-testid="case-pupils"')]
    assert "entry-corrected" not in report
    with pytest.raises(ValidationError):
        services.case_pupil_role(incident=incident, by=dsl, link=link, role=PupilRole.HARMED, reason="again")


def test_staff_involved_join_and_leave_by_entries(client, signed_in, school, staff, dsl, osl):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    assert _act(client, incident, action="staff_add", user=str(osl.pk), text="Saw the messages").status_code == 302
    link = incident.staff_links.get(user=osl)
    assert link.added_entry.kind == EntryKind.STAFF_ADDED
    assert osl.full_name in client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert _act(client, incident, action="staff_remove", link=str(link.pk), text="Wrong person").status_code == 302
    link.refresh_from_db()
    assert link.removed_entry.kind == EntryKind.STAFF_REMOVED


def test_a_pupil_of_another_school_cannot_be_added(client, signed_in, school, other_school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    elsewhere = PupilFactory(school=other_school)
    signed_in(dsl)
    assert _act(client, incident, action="pupil_add", pupil=str(elsewhere.pk), role="witness").status_code == 404
    assert not incident.pupil_links.exists()


def test_others_involved_who_are_not_on_roll_or_on_the_staff_join_and_leave_by_entries(
    client, signed_in, school, staff, dsl
):
    incident = make_case(school=school, reporter=staff)
    signed_in(dsl)
    assert _act(client, incident, action="other_add", name="", part="Sent the messages").status_code == 400
    assert (
        _act(
            client,
            incident,
            action="other_add",
            name="Jay Collins",
            part="Pupil at Riverside Academy who sent the messages",
        ).status_code
        == 302
    )
    person = incident.others.get()
    assert person.added_entry.kind == EntryKind.OTHER_ADDED and person.added_entry.author == dsl
    assert person.added_entry.data == {
        "name": "Jay Collins",
        "part": "Pupil at Riverside Academy who sent the messages",
    }
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    others = page[page.index('data-testid="case-others"') :]
    assert "Jay Collins" in others and "Riverside Academy" in others
    assert "Someone else involved added: Jay Collins" in page  # the timeline says who and when

    assert _act(client, incident, action="other_remove", link=str(person.pk), text="").status_code == 302
    person.refresh_from_db()
    assert person.removed_entry is None  # a reason is needed
    assert (
        _act(
            client, incident, action="other_remove", link=str(person.pk), text="Named in error: it was his brother"
        ).status_code
        == 302
    )
    person.refresh_from_db()
    assert person.removed_entry.kind == EntryKind.OTHER_REMOVED and person.removed_entry.corrects == person.added_entry
    assert incident.others.filter(pk=person.pk).exists()  # never deleted
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    others = page[page.index('data-testid="case-others"') : page.index('data-testid="case-others"') + 400]
    assert "Jay Collins" not in others
    # The reporter's view names no one the DSL added.
    signed_in(staff)
    assert "Jay Collins" not in client.get(reverse("incidents:my_report", args=[incident.reference])).content.decode()
