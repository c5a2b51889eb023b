"""A change in the vendor's log that no approved request explains offers its follow-up: a request raised
afterwards, a concern for the DSL team, or an explanation. Each is recorded once, in the filtering log's
hash chain, and the reconciliation shows what was done."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from filtering import services, vendor
from filtering.models import (
    ChangeRequest,
    EventKind,
    FilterEvent,
    FollowUpKind,
    Source,
    State,
    VendorEntry,
    VendorFollowUp,
)
from incidents.categories import Category
from incidents.models import Incident
from safeguarding_portal.audit.chain import AppendOnlyError, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def unexplained(school, technician) -> VendorEntry:
    """j.smith unblocked TikTok in the filter an hour ago; nobody asked for it."""
    when = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    result = vendor.import_vendor_log(
        school=school,
        by=technician,
        filename="lightspeed.csv",
        mapping=vendor.Mapping(),
        data=f"timestamp,user,action,target,reference\n{when},j.smith,Unblock site,https://www.tiktok.com,LS-77\n".encode(),
    )
    assert result.ok and result.unexplained == 1
    return VendorEntry.objects.get()


def _follow_up(client, entry, kind: str, **fields):
    return client.post(reverse("filtering:vendor_entry", args=[entry.pk]), {"follow_up": kind, **fields})


def test_the_reconciliation_offers_a_follow_up_for_each_unexplained_change(unexplained, technician, signed_in):
    page = signed_in(technician).get(reverse("filtering:vendor"))
    text = page.content.decode()
    assert reverse("filtering:vendor_entry", args=[unexplained.pk]) in text
    assert "1 still to follow up" in text
    form = signed_in(technician).get(reverse("filtering:vendor_entry", args=[unexplained.pk]))
    assert form.status_code == 200
    # The vendor's "Unblock site" is taken for an allow of the whole site.
    assert form.context["forms"]["retrospective"]["action"].value() == "allow"
    assert form.context["forms"]["retrospective"]["target_kind"].value() == "domain"


def test_a_request_raised_afterwards_goes_for_approval_and_the_log_links_it(unexplained, technician, signed_in):
    client = signed_in(technician)
    until = timezone.localdate() + datetime.timedelta(days=5)
    response = _follow_up(
        client,
        unexplained,
        "retrospective",
        **{
            "retro-action": "allow",
            "retro-target_kind": "domain",
            "retro-scope": "staff",
            "retro-reason": "Media studies staff reviewing a pupil's video.",
            "retro-needed_until": until.isoformat(),
        },
    )
    assert response.status_code == 302

    change = ChangeRequest.objects.get()
    assert (change.source, change.state, change.requested_by) == (Source.VENDOR_LOG, State.REQUESTED, technician)
    assert change.target == "https://www.tiktok.com" and change.needed_until == until
    assert "without an approved request" in change.reason
    follow_up = VendorFollowUp.objects.get()
    assert (follow_up.kind, follow_up.change, follow_up.by) == (FollowUpKind.RETROSPECTIVE, change, technician)
    event = FilterEvent.objects.get(kind=EventKind.VENDOR_FOLLOW_UP)
    assert event.change == change and event.actor == technician
    assert event.data["entry"] == unexplained.pk and event.data["vendor_reference"] == "LS-77"
    assert event.data["change"] == change.reference
    assert verify(FilterEvent) == []

    page = client.get(reverse("filtering:vendor")).content.decode()
    assert f"{change.reference}</a> raised afterwards: awaiting approval" in page
    assert "Each one has been followed up" in page
    detail = client.get(reverse("filtering:change", args=[change.pk])).content.decode()
    assert "made in the filter before anyone approved it" in detail


def test_a_concern_goes_to_the_dsl_team_through_the_incidents_app(unexplained, technician, signed_in):
    client = signed_in(technician)
    response = _follow_up(
        client,
        unexplained,
        "incident",
        **{"incident-description": "j.smith is a supply teacher's account; TikTok should be blocked for pupils."},
    )
    assert response.status_code == 302

    incident = Incident.objects.get()
    assert incident.category == Category.FILTERING_BREACH and incident.reported_by == technician
    assert "https://www.tiktok.com" in incident.description and "supply teacher" in incident.description
    follow_up = VendorFollowUp.objects.get()
    assert (follow_up.kind, follow_up.incident_reference) == (FollowUpKind.INCIDENT, incident.reference)
    event = FilterEvent.objects.get(kind=EventKind.VENDOR_FOLLOW_UP)
    assert event.data["incident"] == incident.reference and incident.reference in event.summary
    page = client.get(reverse("filtering:vendor")).content.decode()
    assert f"Concern {incident.reference} opened for the DSL team" in page


def test_an_explanation_needs_a_reason_and_is_shown(unexplained, head, signed_in):
    client = signed_in(head)
    response = _follow_up(client, unexplained, "explained", **{"explain-reason": "ok"})
    assert response.status_code == 200
    assert not VendorFollowUp.objects.exists()
    assert not FilterEvent.objects.filter(kind=EventKind.VENDOR_FOLLOW_UP).exists()

    response = _follow_up(
        client,
        unexplained,
        "explained",
        **{"explain-reason": "Lightspeed's own category update of 3 December (their ticket 4471)."},
    )
    assert response.status_code == 302
    follow_up = VendorFollowUp.objects.get()
    assert follow_up.kind == FollowUpKind.EXPLAINED and "ticket 4471" in follow_up.reason
    assert "ticket 4471" in FilterEvent.objects.get(kind=EventKind.VENDOR_FOLLOW_UP).data["reason"]
    page = client.get(reverse("filtering:vendor")).content.decode()
    assert "Explained: Lightspeed&#x27;s own category update" in page


def test_a_change_is_followed_up_once(unexplained, technician, head, signed_in):
    reason = "Lightspeed's own category update, ticket 4471."
    first = services.explain_vendor_change(entry=unexplained, by=technician, reason=reason)
    # The same click twice records it once; someone else's different follow-up is refused with what was done.
    assert services.explain_vendor_change(entry=unexplained, by=technician, reason=reason) == first
    with pytest.raises(ValidationError, match="already followed up"):
        services.open_incident_for_vendor_change(entry=unexplained, by=head, description="Looks wrong")
    page = signed_in(head).get(reverse("filtering:vendor_entry", args=[unexplained.pk]))
    assert b'data-testid="already-done"' in page.content
    assert VendorFollowUp.objects.count() == 1 and not Incident.objects.exists()
    assert FilterEvent.objects.filter(kind=EventKind.VENDOR_FOLLOW_UP).count() == 1


def test_only_those_who_reconcile_the_log_follow_up(unexplained, staff):
    with pytest.raises(ValidationError, match="reconcile"):
        services.explain_vendor_change(entry=unexplained, by=staff, reason="I think it is fine really.")
    assert not VendorFollowUp.objects.exists()


def test_a_follow_up_is_never_edited_or_deleted(unexplained, technician):
    follow_up = services.explain_vendor_change(entry=unexplained, by=technician, reason="Vendor's own update.")
    follow_up.reason = "Something else"
    with pytest.raises(AppendOnlyError):
        follow_up.save()
    with pytest.raises(AppendOnlyError):
        follow_up.delete()
    # Below the ORM, the database refuses too (a trigger, as for the log's events).
    with pytest.raises(DatabaseError), transaction.atomic():
        VendorFollowUp.objects.filter(pk=follow_up.pk).update(reason="Rewritten afterwards")
    follow_up.refresh_from_db()
    assert follow_up.reason == "Vendor's own update."


def test_a_change_an_approved_request_explains_has_no_follow_up_page(school, technician, staff, head, signed_in):
    from .factories_filtering import make_change

    make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://www.bbc.co.uk/bitesize/",
    )
    when = (timezone.localtime() + datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    vendor.import_vendor_log(
        school=school,
        by=technician,
        filename="x.csv",
        mapping=vendor.Mapping(),
        data=f"timestamp,user,action,target\n{when},tech,Allow,bbc.co.uk/bitesize\n".encode(),
    )
    entry = VendorEntry.objects.get()
    assert entry.explained_by is not None
    assert signed_in(technician).get(reverse("filtering:vendor_entry", args=[entry.pk])).status_code == 404
