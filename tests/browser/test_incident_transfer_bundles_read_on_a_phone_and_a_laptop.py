"""The signed transfer bundle's pages at 390 and 1280 px, nothing cut off and no axe-core violations: the sending
school's file with its bundle, the receiving school's list (with its key and the import form), a received file
checked, the new school's chronology with the records marked as received, the verify page and the one-time
link's page."""

import pytest
from playwright.sync_api import expect

from incidents import transfer_bundles
from incidents.models import ReceivedBundle
from safeguarding_portal.accounts.policy import Role
from tests.bundle_helpers import leaver_with_records, produced
from tests.factories import MembershipFactory, PupilFactory, UserFactory

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bundle_pages_for_the_sending_and_the_receiving_school(page, school, other_school, staff, dsl):
    pupil = leaver_with_records(school=school, reporter=staff, cases=2)
    pupil.legal_forename, pupil.surname = "Zebedee-Montgomery", "Quillfeather-Ashworth"
    pupil.save()
    new_dsl = UserFactory(email="hana.hill@hillside.example", full_name="Hana Hill")
    MembershipFactory(user=new_dsl, school=other_school, role=Role.DSL)
    arrived = PupilFactory(
        school=other_school, upn=pupil.upn, legal_forename="Zebedee-Montgomery", surname="Quillfeather-Ashworth"
    )
    transfer = produced(school=school, dsl=dsl, pupil=pupil)
    second = produced(school=school, dsl=dsl, pupil=pupil)
    transfer_bundles.bundle_send_in_portal(school=school, transfer=transfer, to_school=other_school, by=dsl)
    sent = transfer_bundles.bundle_send_link(
        school=school,
        transfer=second,
        by=dsl,
        recipient_email="dsl@elm-secondary.example",
        receiving_school="Elm Secondary Academy",
        receiving_urn="123456",
    )
    token = "walk"
    import hashlib

    type(sent.bundle).objects.filter(pk=sent.bundle.pk).update(
        link_token_hash=hashlib.sha256(token.encode()).hexdigest()
    )

    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(
        page,
        f"/incidents/transfers/{transfer.pk}/",
        "bundle-sent-portal",
        then=lambda p, w: expect(p.get_by_test_id("bundle")).to_contain_text("Hillside"),
    )
    check_at_both_widths(page, f"/incidents/transfers/{second.pk}/", "bundle-sent-link")
    check_at_both_widths(page, f"/incidents/pupil/{pupil.pk}/chronology/", "bundle-leaving-form")
    check_at_both_widths(page, "/incidents/transfers/verify/", "bundle-verify")

    page.context.clear_cookies()
    check_at_both_widths(page, f"/incidents/transfers/link/{token}/", "bundle-link")

    sign_in(page, new_dsl, device=confirmed_device(new_dsl))
    received = ReceivedBundle.objects.get(school=other_school)
    check_at_both_widths(page, "/incidents/transfers/received/", "bundle-received-list")
    check_at_both_widths(
        page,
        f"/incidents/transfers/received/{received.pk}/",
        "bundle-received",
        then=lambda p, w: expect(p.get_by_test_id("verified")).to_be_visible(),
    )
    transfer_bundles.received_accept(received=received, pupil=arrived, by=new_dsl)
    check_at_both_widths(
        page,
        f"/incidents/pupil/{arrived.pk}/chronology/",
        "bundle-chronology-received",
        then=lambda p, w: expect(p.get_by_test_id("chronology-received")).to_contain_text("Verified"),
    )
