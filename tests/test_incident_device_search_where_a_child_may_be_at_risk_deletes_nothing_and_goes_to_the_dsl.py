"""Where a child may be at risk, nothing found on a searched device is deleted (the policy's words are on the
form) and the search goes to the DSL team as a case; no image is ever stored."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import searches
from incidents.categories import Category
from incidents.models import Attachment, DeviceSearch, EntryKind, Incident
from safeguarding_portal.audit import chain

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
        "grounds": "prohibited_item",
        "reason": "Told a nude image was being passed round",
        "looked_at": "Messages app",
        "found": "An AI-altered nude image of a Year 9 pupil (not opened further)",
        "child_at_risk": "yes",
        "deleted": "no",
        "parents_informed": "no",
        "outcome": "held",
        "new_case_category": Category.AI_SEXUAL_IMAGERY,
    }
    data.update(overrides)
    return data


def test_the_form_says_so_in_the_policys_words(client, signed_in, school, head):
    signed_in(head)
    page = client.get(reverse("incidents:device_search_new")).content.decode()
    assert "it may be inadvisable to delete, save or share content" in page
    assert "Where a child may be at risk, nothing is deleted" in page


def test_deleting_where_a_child_may_be_at_risk_is_refused_by_the_form_the_service_and_the_database(
    client, signed_in, school, head, staff, deputy
):
    pupil = PupilFactory(school=school)
    signed_in(head)
    response = client.post(
        reverse("incidents:device_search_new"),
        _form(
            pupil, head, staff, deputy, deleted="yes", deleted_what="The image", deletion_reason="To stop it spreading"
        ),
    )
    assert response.status_code == 200
    assert "Nothing is deleted where a child may be at risk" in response.content.decode()
    assert DeviceSearch.objects.count() == 0 and Incident.objects.count() == 0

    case = make_case(school=school, reporter=staff)
    with pytest.raises(Exception, match="nothing is deleted"):
        searches.search_record(
            school=school,
            by=head,
            pupil=pupil,
            searched_at=timezone.now(),
            device="Phone",
            authorised_by=head,
            authority="headteacher",
            searched_by=staff,
            witness=deputy,
            no_witness_reason="",
            grounds="harm",
            reason="r",
            looked_at="l",
            found="f",
            child_at_risk=True,
            deleted=True,
            deleted_what="x",
            deletion_reason="y",
            parents_informed=False,
            outcome="held",
            incident=case,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        chain.append(
            DeviceSearch(
                school=school,
                pupil=pupil,
                incident=case,
                searched_at=timezone.now(),
                device="Phone",
                authorised_by=head,
                authority="headteacher",
                searched_by=staff,
                witness=deputy,
                grounds="harm",
                reason="r",
                looked_at="l",
                found="f",
                child_at_risk=True,
                deleted=True,
                deleted_what="x",
                deletion_reason="y",
                parents_informed=False,
                outcome="held",
                recorded_by=head,
                recorded_at=timezone.now(),
            )
        )


def test_a_search_that_finds_a_risk_becomes_a_case_for_the_dsl_team_without_any_image(
    client, signed_in, school, head, staff, deputy, dsl, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school)
    signed_in(head)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:device_search_new"), _form(pupil, head, staff, deputy), follow=True)

    search = DeviceSearch.objects.get()
    case = search.incident
    assert "passed to the DSL team on case" in response.content.decode()
    assert case is not None and case.category == Category.AI_SEXUAL_IMAGERY and case.reported_by == head
    assert list(case.pupil_links.values_list("pupil_id", flat=True)) == [pupil.pk]
    assert not search.deleted and Attachment.objects.count() == 0
    assert "An AI-altered nude image" in case.description
    assert case.entries.filter(kind=EntryKind.ALERT).exists()
    assert case.entries.filter(kind=EntryKind.DEVICE_SEARCHED).exists()
    assert any(dsl.email in m.to for m in mail.outbox)


def test_a_risk_with_no_case_named_and_no_kind_of_concern_is_sent_back(client, signed_in, school, head, staff, deputy):
    signed_in(head)
    response = client.post(
        reverse("incidents:device_search_new"),
        _form(PupilFactory(school=school), head, staff, deputy, new_case_category=""),
    )
    assert response.status_code == 200
    assert "say what kind of concern it is" in response.content.decode()
    assert DeviceSearch.objects.count() == 0


def test_an_existing_case_takes_the_search_instead_of_a_new_one(client, signed_in, school, head, staff, deputy, dsl):
    case = make_case(school=school, reporter=staff, category=Category.SEXTORTION)
    signed_in(dsl)
    response = client.post(
        reverse("incidents:device_search_new"),
        _form(PupilFactory(school=school), head, staff, deputy, case=case.reference, new_case_category=""),
    )
    assert response.status_code == 302
    assert DeviceSearch.objects.get().incident == case and Incident.objects.count() == 1
