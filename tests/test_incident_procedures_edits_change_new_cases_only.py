import pytest
from django.urls import reverse

from incidents.categories import Category, default_procedure
from incidents.models import ProcedureStep
from safeguarding_portal.audit.models import AuditEvent

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

URL = "incidents:procedure_edit"


def _post(client, rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, (text, mandatory) in enumerate(rows):
        data[f"form-{i}-text"] = text
        if mandatory:
            data[f"form-{i}-mandatory"] = "on"
    return client.post(reverse(URL, args=[Category.CYBERBULLYING]), data)


def test_an_edited_checklist_is_used_by_new_cases_and_open_cases_keep_theirs(client, signed_in, school, staff, dsl):
    before = make_case(school=school, reporter=staff)
    signed_in(dsl)
    page = client.get(reverse(URL, args=[Category.CYBERBULLYING]))
    assert default_procedure(Category.CYBERBULLYING)[0][0] in page.content.decode()

    response = _post(client, [("Screenshot the messages", True), ("", False), ("Talk to the form tutor", False)])
    assert response.status_code == 302
    steps = list(ProcedureStep.objects.filter(school=school, category=Category.CYBERBULLYING))
    assert [(s.order, s.text, s.mandatory) for s in steps] == [
        (1, "Screenshot the messages", True),
        (2, "Talk to the form tutor", False),
    ]
    assert AuditEvent.objects.filter(detail__category=Category.CYBERBULLYING).exists()

    after = make_case(school=school, reporter=staff)
    assert [s.text for s in after.steps.all()] == ["Screenshot the messages", "Talk to the form tutor"]
    assert after.open_mandatory_steps == 1
    assert [s.text for s in before.steps.all()] == [step.text for step in default_procedure(Category.CYBERBULLYING)]


def test_an_empty_checklist_is_refused_with_a_message(client, signed_in, school, dsl):
    signed_in(dsl)
    response = _post(client, [("", True), ("   ", False)])
    assert response.status_code == 200
    assert "at least one step" in response.content.decode()
    assert not ProcedureStep.objects.filter(school=school).exists()


def test_going_back_to_the_default_removes_the_schools_own(client, signed_in, school, deputy):
    signed_in(deputy)
    _post(client, [("Our own step", True)])
    response = client.post(reverse(URL, args=[Category.CYBERBULLYING]), {"action": "reset"})
    assert response.status_code == 302
    assert not ProcedureStep.objects.filter(school=school).exists()


def test_unknown_category_is_not_found_and_staff_are_refused(client, signed_in, dsl, staff):
    signed_in(dsl)
    assert client.get(reverse(URL, args=["not_a_category"])).status_code == 404
    assert client.get(reverse("incidents:procedures")).status_code == 200
    signed_in(staff)
    assert client.get(reverse("incidents:procedures")).status_code == 403
