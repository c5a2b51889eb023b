"""A search of a pupil's device (Education Act 2011; DfE searching, screening and confiscation) is recorded
with who authorised it, who searched, the witness, the pupil, the reason, what was looked at and found,
whether anything was deleted, the parents and the device; later steps are added, never edited in."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import searches
from incidents.models import DeviceSearch, DeviceSearchEntry, EntryKind, TimelineEntry
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _form(pupil, head, staff, deputy, **overrides):
    data = {
        "pupil": pupil.pk,
        "searched_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "device": "Own phone",
        "authority": "headteacher",
        "authorised_by": head.pk,
        "searched_by": staff.pk,
        "witness": deputy.pk,
        "grounds": "school_rules",
        "reason": "Seen filming in the changing room corridor",
        "looked_at": "Camera roll from this morning",
        "found": "A video of the corridor, no one identifiable",
        "child_at_risk": "no",
        "deleted": "yes",
        "deleted_what": "The corridor video",
        "deletion_reason": "Filming on site is against the school rules",
        "parents_informed": "yes",
        "parents_note": "Mum, by phone at 15:10",
        "outcome": "returned_parent",
    }
    data.update(overrides)
    return data


def test_the_head_records_a_search_in_full_and_the_record_is_chained(client, signed_in, school, head, staff, deputy):
    pupil = PupilFactory(school=school, legal_forename="Sami", surname="Okoro")
    signed_in(head)
    page = client.get(reverse("incidents:device_search_new")).content.decode()
    assert "The Education Act 2011 gives school staff the powers" in page
    assert 'type="file"' not in page

    response = client.post(reverse("incidents:device_search_new"), _form(pupil, head, staff, deputy))

    search = DeviceSearch.objects.get()
    assert response.status_code == 302 and response.url == reverse("incidents:device_search", args=[search.pk])
    assert (search.pupil, search.authorised_by, search.authority, search.searched_by, search.witness) == (
        pupil,
        head,
        "headteacher",
        staff,
        deputy,
    )
    assert search.deleted and search.deleted_what == "The corridor video"
    assert search.parents_informed and search.outcome == "returned_parent" and search.incident is None
    assert len(search.hash) == 64 and search.recorded_by == head
    detail = client.get(response.url).content.decode()
    assert "Sami" in detail and "Returned to a parent or carer" in detail
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, object_type="incidents.devicesearch").exists()


def test_only_the_headteacher_authorises_as_the_headteacher_and_a_witness_or_a_reason_is_needed(
    school, head, staff, dsl
):
    pupil = PupilFactory(school=school)
    base = dict(
        school=school,
        by=dsl,
        pupil=pupil,
        searched_at=timezone.now(),
        device="Phone",
        searched_by=staff,
        grounds="school_rules",
        reason="r",
        looked_at="l",
        found="f",
        child_at_risk=False,
        deleted=False,
        parents_informed=False,
        outcome="held",
    )
    with pytest.raises(ValidationError) as refused:
        searches.search_record(**base, authorised_by=staff, authority="headteacher", witness=None, no_witness_reason="")
    assert set(refused.value.message_dict) == {"authorised_by", "no_witness_reason"}

    search = searches.search_record(
        **base,
        authorised_by=dsl,
        authority="authorised_staff",
        witness=None,
        no_witness_reason="Searched in the pupil's presence at the office; no one free",
    )
    assert search.witness is None and search.no_witness_reason.startswith("Searched")


def test_parents_told_later_and_the_device_handed_to_the_police_are_added_not_edited(
    client, signed_in, school, head, staff, deputy, dsl
):
    pupil = PupilFactory(school=school)
    search = searches.search_record(
        school=school,
        by=head,
        pupil=pupil,
        searched_at=timezone.now() - datetime.timedelta(hours=2),
        device="Tablet",
        authorised_by=head,
        authority="headteacher",
        searched_by=staff,
        witness=deputy,
        no_witness_reason="",
        grounds="harm",
        reason="Threats",
        looked_at="Messages",
        found="Threatening messages",
        child_at_risk=False,
        deleted=False,
        parents_informed=False,
        outcome="held",
    )
    before = search.hash
    signed_in(dsl)
    act = reverse("incidents:device_search_act", args=[search.pk])

    client.post(act, {"kind": "parents", "text": "Dad, in person at pick-up"})
    refused = client.post(act, {"kind": "outcome", "outcome": "police", "text": ""}, follow=True)
    assert "Give the officer" in refused.content.decode()
    client.post(act, {"kind": "outcome", "outcome": "police", "text": "PC Hart, reference 44/2026"})

    assert [(e.kind, e.outcome) for e in DeviceSearchEntry.objects.filter(search=search).order_by("seq")] == [
        ("parents_informed", ""),
        ("outcome", "police"),
    ]
    search.refresh_from_db()
    assert search.hash == before and search.outcome == "held" and searches.current_outcome(search) == "police"
    page = client.get(reverse("incidents:device_search", args=[search.pk])).content.decode()
    assert "Handed to the police" in page and "Not yet informed" not in page
    with pytest.raises(ValidationError):
        searches.search_outcome(search=search, by=dsl, outcome="returned_pupil")


def test_a_search_linked_to_a_case_appears_on_its_timeline(school, head, staff, deputy, dsl):
    case = make_case(school=school, reporter=staff)
    search = searches.search_record(
        school=school,
        by=dsl,
        pupil=PupilFactory(school=school),
        searched_at=timezone.now(),
        device="Phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=dsl,
        witness=deputy,
        no_witness_reason="",
        grounds="harm",
        reason="Bullying messages",
        looked_at="Group chat",
        found="Messages naming a pupil",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="returned_pupil",
        incident=case,
    )

    entry = TimelineEntry.objects.get(incident=case, kind=EntryKind.DEVICE_SEARCHED)
    assert entry.data["search_id"] == search.pk and "Messages naming a pupil" in entry.text


def test_only_the_head_and_the_dsl_team_record_or_read_searches(client, signed_in, school, staff, governor, osl):
    for person in (staff, governor, osl):
        signed_in(person)
        assert client.get(reverse("incidents:device_searches")).status_code in (403, 404)
        client.logout()


def test_the_pupils_chronology_lists_searches_of_their_devices_and_the_case_links_to_the_form(
    client, signed_in, school, head, staff, deputy, dsl
):
    pupil = PupilFactory(school=school)
    case = make_case(school=school, reporter=staff, pupils=[pupil])
    searches.search_record(
        school=school,
        by=dsl,
        pupil=pupil,
        searched_at=timezone.now(),
        device="Games console",
        authorised_by=head,
        authority="headteacher",
        searched_by=dsl,
        witness=deputy,
        no_witness_reason="",
        grounds="harm",
        reason="r",
        looked_at="l",
        found="f",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="returned_pupil",
        incident=case,
    )
    signed_in(dsl)

    chronology = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    case_page = client.get(reverse("incidents:case", args=[case.reference])).content.decode()

    assert 'data-testid="chronology-device-searches"' in chronology and "Games console" in chronology
    assert f"{reverse('incidents:device_search_new')}?case={case.reference}" in case_page
    assert "The search record" in case_page
