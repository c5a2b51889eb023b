"""KCSiE 2026's harms: AI-made sexual imagery, sextortion, online misogyny and coercive control are
categories of their own, each with a procedure checklist whose steps the agencies' referrals complete, and
the two that turn on images of a child refuse files as indecent images do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents import services
from incidents.categories import FOUR_C, NO_ATTACHMENT_CATEGORIES, Category, FourC
from incidents.models import Agency, Attachment, EntryKind, Incident

from .incident_helpers import make_case, report_payload

pytestmark = pytest.mark.django_db

NEW = [Category.AI_SEXUAL_IMAGERY, Category.SEXTORTION, Category.ONLINE_MISOGYNY, Category.COERCIVE_CONTROL]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _refer(case, dsl, agency):
    services.case_record(
        incident=case, by=dsl, kind=EntryKind.REFERRAL, text="", data={"agency": agency, "when": "2026-12-01T10:00"}
    )


@pytest.mark.parametrize("category", NEW)
def test_a_concern_is_reported_under_each_new_category_and_gets_its_checklist(
    client, signed_in, school, staff, category
):
    signed_in(staff)
    form = client.get(reverse("incidents:report")).content.decode()
    assert f'value="{category}"' in form

    response = client.post(reverse("incidents:report"), report_payload(category=category))

    assert response.status_code == 302
    case = Incident.objects.get()
    assert case.category == category
    assert case.steps.count() >= 5 and case.open_mandatory_steps >= 3


def test_the_new_categories_sit_in_the_4cs():
    assert {c: FOUR_C[c] for c in NEW} == {
        Category.AI_SEXUAL_IMAGERY: FourC.CONDUCT,
        Category.SEXTORTION: FourC.CONTACT,
        Category.ONLINE_MISOGYNY: FourC.CONTENT,
        Category.COERCIVE_CONTROL: FourC.CONTACT,
    }


@pytest.mark.parametrize("category", [Category.AI_SEXUAL_IMAGERY, Category.SEXTORTION])
def test_imagery_harms_refuse_files_like_indecent_images(client, signed_in, school, staff, category):
    assert category in NO_ATTACHMENT_CATEGORIES
    signed_in(staff)
    upload = SimpleUploadedFile("deepfake.png", PNG, content_type="image/png")

    response = client.post(reverse("incidents:report"), report_payload(category=category, attachments=upload))

    assert response.status_code == 200
    assert b"Files cannot be attached to this kind of concern" in response.content
    assert Incident.objects.count() == 0 and Attachment.objects.count() == 0


def test_ai_imagery_is_handled_as_youth_produced_imagery_or_indecent_images_with_iwf_report_remove_and_police(
    school, staff, dsl
):
    case = make_case(school=school, reporter=staff, category=Category.AI_SEXUAL_IMAGERY)
    steps = {s.text: s for s in case.steps.all()}
    assert any("youth-produced imagery or as indecent images" in t for t in steps)
    assert any("do not view, copy, screenshot" in t.lower() for t in steps)

    for agency in (Agency.IWF, Agency.REPORT_REMOVE, Agency.POLICE):
        _refer(case, dsl, agency)

    done = {s.text for s in case.steps.filter(done_entry__isnull=False)}
    assert any("Internet Watch Foundation" in t for t in done)
    assert any("Report Remove" in t for t in done)
    assert any("police" in t for t in done)


def test_sextortion_goes_to_the_police_and_ceop_and_says_do_not_pay_do_not_delete(school, staff, dsl):
    case = make_case(school=school, reporter=staff, category=Category.SEXTORTION)
    texts = [s.text for s in case.steps.all()]
    assert any("do not pay, do not delete" in t for t in texts)
    before = case.open_mandatory_steps

    _refer(case, dsl, Agency.POLICE)
    _refer(case, dsl, Agency.CEOP)

    case.refresh_from_db()
    assert case.open_mandatory_steps == before - 2
    assert {s.text for s in case.steps.filter(done_entry__isnull=False)} >= {
        "Inform the police via 101 (999 if a child is at immediate risk)",
        "Make a CEOP report with the child",
    }


def test_report_remove_is_an_agency_the_dsl_refers_to_on_the_case(client, signed_in, school, staff, dsl):
    case = make_case(school=school, reporter=staff, category=Category.SEXTORTION)
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[case.reference])).content.decode()
    assert "Report Remove (Childline and IWF)" in page


def test_misogyny_and_coercive_control_checklists_name_their_responses(school, staff):
    misogyny = [s.text for s in make_case(school=school, reporter=staff, category=Category.ONLINE_MISOGYNY).steps.all()]
    control = [s.text for s in make_case(school=school, reporter=staff, category=Category.COERCIVE_CONTROL).steps.all()]
    assert any("sexual harassment" in t for t in misogyny)
    assert any("teenage relationship abuse" in t for t in control)
    assert any("only when it is safe for the child" in t for t in control)
