"""The AI tools register: each tool with who uses it, the age range and the data it sees, a risk assessment
against the headings of the DfE generative AI product safety standards and a decision with its reason; adding
(or approving) a new tool opens an out-of-cycle filtering and monitoring review through filtering's service."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duty import ai
from duty.models import AIDecision, AIStandard, AITool, AIToolStatus
from filtering.models import FilterEvent, FilterReview, ReviewKind, ReviewTrigger

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

ALL_MET = {s.value: ("met", "") for s in AIStandard}


def _tool(school, by, **extra):
    fields = {
        "name": "Reading Buddy AI",
        "purpose": "Reading practice with a chatbot",
        "used_by": "pupils",
        "age_range": "Years 3 to 6 (7 to 11)",
        "data_seen": "Pupils' typed answers; first names",
    }
    fields.update(extra)
    return ai.add_tool(school=school, by=by, **fields)


def test_the_assessment_checklist_has_the_headings_of_the_standards():
    assert [s.label for s in AIStandard] == [
        "Filtering",
        "Monitoring and reporting",
        "Security",
        "Privacy and data protection",
        "Intellectual property",
        "Design and testing",
        "Governance",
    ]


def test_adding_a_tool_opens_an_out_of_cycle_review_with_an_owned_action(school, dsl):
    tool = _tool(school, dsl)
    review = FilterReview.objects.get(school=school)
    assert tool.review == review
    assert review.kind == ReviewKind.OUT_OF_CYCLE and review.trigger == ReviewTrigger.NEW_TECHNOLOGY
    assert "Reading Buddy AI" in review.trigger_detail
    assert review.actions.get().owner == dsl
    # Through filtering's own service: the review is in the filtering log's chain too.
    assert FilterEvent.objects.filter(school=school, kind="review").exists()


def test_a_tool_pupils_use_needs_an_age_range_and_every_tool_the_data_it_sees(school, dsl):
    with pytest.raises(ValidationError) as raised:
        _tool(school, dsl, age_range="", data_seen="")
    assert set(raised.value.message_dict) == {"age_range", "data_seen"}
    assert not FilterReview.objects.exists()


def test_a_tool_is_approved_only_once_assessed_and_a_shortfall_needs_conditions(school, dsl, head):
    tool = _tool(school, dsl)
    with pytest.raises(ValidationError):
        ai.decide(tool=tool, by=head, decision=AIDecision.APPROVED, reason="Looks fine")
    with pytest.raises(ValidationError):
        ai.assess(tool=tool, by=dsl, ratings={**ALL_MET, "privacy": ("partly", "")})  # a shortfall needs a note
    ai.assess(tool=tool, by=dsl, ratings={**ALL_MET, "privacy": ("partly", "Stores prompts for 30 days in the US")})
    with pytest.raises(ValidationError):
        ai.decide(tool=tool, by=head, decision=AIDecision.APPROVED, reason="Useful")
    ai.decide(tool=tool, by=head, decision=AIDecision.CONDITIONS, reason="Only without names; DPIA by January")
    tool.refresh_from_db()
    assert tool.decision == AIDecision.CONDITIONS and tool.status == AIToolStatus.IN_USE
    assert FilterReview.objects.count() == 1  # it opened its review when added


def test_the_database_refuses_an_approval_without_an_assessment(school, dsl):
    tool = _tool(school, dsl)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        AITool.objects.filter(pk=tool.pk).update(decision="approved", decision_reason="x")


def test_the_pages_add_assess_and_decide(client, signed_in, school, dsl, head, osl, technician):
    signed_in(osl)
    response = client.post(
        reverse("duty:ai_tool_add"),
        {
            "name": "Lesson Planner GPT",
            "purpose": "Drafting lesson plans",
            "used_by": "staff",
            "age_range": "",
            "data_seen": "Teachers' prompts, no pupil data",
            "status": "proposed",
        },
        follow=True,
    )
    assert response.status_code == 200 and b"out-of-cycle review" in response.content
    tool = AITool.objects.get(school=school)
    data = {f"{s.value}_rating": "met" for s in AIStandard}
    client.post(reverse("duty:ai_tool_assess", args=[tool.pk]), data)
    assert (
        client.post(reverse("duty:ai_tool_decide", args=[tool.pk]), {"decision": "approved", "reason": "x"}).status_code
        == 403
    )
    signed_in(head)
    page = client.post(
        reverse("duty:ai_tool_decide", args=[tool.pk]),
        {"decision": "approved", "reason": "Meets every heading; staff only"},
        follow=True,
    )
    assert b"Decision recorded: approved" in page.content
    signed_in(technician)
    register = client.get(reverse("duty:ai_tools"))
    assert register.status_code == 200 and b"1 of 1 tool assessed" in register.content
    assert b"Add a tool" not in register.content


def test_the_figures_count_tools_assessed_for_the_governor_report(school, dsl):
    assessed = _tool(school, dsl)
    ai.assess(tool=assessed, by=dsl, ratings=ALL_MET)
    _tool(school, dsl, name="Another AI")
    from duty.report import governor_section

    section = governor_section(school=school, start=clock.today().replace(day=1), end=clock.today())
    values = {row["label"]: row["value"] for row in section["summary"]}
    assert values["AI tools assessed against the DfE product safety standards"] == "1 of 2"
    assert section["ai"] == {"total": 2, "assessed": 1, "approved": 0, "refused": 0}
