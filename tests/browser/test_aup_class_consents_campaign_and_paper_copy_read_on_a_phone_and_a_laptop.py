"""Agreements pages at 390 and 1280 px with axe-core: a class's photo consents (the teacher's "can I publish
this photo?"), the campaign page that chases the unsigned, and recording a paper copy with its scan."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aup import services
from aup.models import Invitation, Signature, SignMethod
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.schools.models import Pupil
from tests import factories_aup as f
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory

from .conftest import confirmed_device, screenshot, sign_in
from .widths import PHONE, assert_nothing_cut_off, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    ("Amelia", "Okafor"),
    ("Noah", "Williams"),
    ("Zara", "Khan"),
    ("Harry", "Evans"),
    ("Maisie", "O'Brien"),
    ("Leo", "Nowak"),
    ("Ava-Rose", "Fitzgerald-Campbell"),
    ("Yusuf", "Rahman"),
]


@pytest.fixture
def class_5b(school):
    """A class of nine: the Morgans' children signed for (one withdrew video), four others, four not yet."""
    fam = f.family(school, children=2)
    for i, (forename, surname) in enumerate(NAMES):
        pupil = PupilFactory(school=school, legal_forename=forename, surname=surname, registration_group="5B")
        parent = GuardianFactory(
            school=school,
            full_name=f"{['Grace', 'Tom', 'Aisha', 'Dan'][i % 4]} {surname}",
            email=f"{forename.lower()}.parent@home.example",
        )
        PupilGuardianFactory(pupil=pupil, guardian=parent, relationship="Mother" if i % 2 else "Father")
    camp = f.campaign(school, notify=False)
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now())
    signed = f.sign_invitation(f.invitation_of(camp, fam.guardian))
    services.change_consent(signature=signed[0], key="video", given=False, actor="Hannah Morgan")
    for invitation in Invitation.objects.filter(
        campaign=camp, email__in=["amelia.parent@home.example", "noah.parent@home.example", "zara.parent@home.example"]
    ):
        f.sign_invitation(invitation)
    Invitation.objects.filter(campaign=camp, email="harry.parent@home.example").update(bounced_at=timezone.now())
    return camp, fam


def test_a_teachers_class_consents(page, school, staff, class_5b):
    sign_in(page, staff)
    check_at_both_widths(page, "/agreements/classes/", "aup-classes")

    def reads(page, width):
        expect(page.get_by_test_id("publishable")).to_contain_text("pupils without consent")
        expect(page.get_by_role("row", name="Oliver Morgan")).to_contain_text("No")

    check_at_both_widths(page, "/agreements/classes/5B/", "aup-class-consents", then=reads)


def test_the_campaign_chases_and_the_office_records_a_paper_copy(page, school, dsl, class_5b):
    camp, _ = class_5b
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(page, f"/agreements/campaigns/{camp.pk}/", "aup-campaign")

    # On a phone: remind one parent, then everyone else waiting; nobody twice.
    page.set_viewport_size(PHONE)
    page.goto(f"/agreements/campaigns/{camp.pk}/")
    page.get_by_role("row", name="Tom Nowak").get_by_role("button", name="Send a reminder").click()
    expect(page.get_by_text("Reminder sent to Tom Nowak.")).to_be_visible()
    page.get_by_test_id("remind-all").click()
    expect(page.get_by_text("Reminder sent to")).to_be_visible()
    expect(page.get_by_test_id("remind-all")).to_have_text("Everyone waiting was reminded today")
    assert_nothing_cut_off(page)
    screenshot(page, "aup-campaign-after-reminders-390")
    assert Reminder.objects.filter(recipient_email="leo.parent@home.example").count() == 1

    # The Evans' email bounced: they returned the printed agreement, which the office records with a scan.
    harry_pupil = Pupil.objects.get(legal_forename="Harry")
    check_at_both_widths(page, f"/agreements/manage/paper/{harry_pupil.pk}/", "aup-paper-copy")
    page.set_viewport_size(PHONE)
    page.goto(f"/agreements/campaigns/{camp.pk}/")
    page.get_by_role("link", name="Paper copy for Harry Evans").click()
    page.get_by_label("Date written on the paper").fill(timezone.localdate().isoformat())
    for question in page.locator("fieldset .consent-row").all():
        question.get_by_label("Yes").check()
    page.get_by_label("Scan or photo of the signed paper copy").set_input_files(
        files=[{"name": "evans-aup.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 scanned copy"}]
    )
    page.get_by_label("I have checked that the paper copy is signed").check()
    page.get_by_role("button", name="Record the paper agreement").click()
    expect(page.get_by_text("Recorded: Harry Evans's parents' agreement, signed on paper")).to_be_visible()
    harry = Signature.objects.get(pupil=harry_pupil)
    assert harry.method == SignMethod.PAPER and harry.witness == dsl
    check_at_both_widths(page, "/agreements/register/parent/", "aup-register-parents")
    expect(page.get_by_role("row", name="Harry Evans")).to_contain_text("On paper")
