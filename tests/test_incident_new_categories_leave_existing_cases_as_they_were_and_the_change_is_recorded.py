"""When the category list grows (KCSiE 2026), a school's existing cases keep their categories and checklists;
the change is recorded once per school in its hash-chained audit log and shown on the procedures page; a DSL
moves an older case into a new category only by a correction on its timeline."""

import pytest
from django.urls import reverse

from incidents import revisions, services
from incidents.categories import Category
from incidents.models import EntryKind, Incident, TimelineEntry
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _recorded(school):
    return AuditEvent.objects.filter(school=school, action=AuditAction.CATEGORIES_REVISED)


def test_existing_cases_keep_their_categories_and_steps_and_the_change_is_recorded_once(school, other_school, staff):
    older = make_case(school=school, reporter=staff, category=Category.YOUTH_PRODUCED_IMAGERY)
    make_case(school=school, reporter=staff, category=Category.CYBERBULLYING)
    steps_before = list(older.steps.values_list("order", "text", "mandatory"))

    assert revisions.revisions_record_everywhere() == 2  # one change, two schools
    assert revisions.revisions_record_everywhere() == 0  # never twice

    older.refresh_from_db()
    assert older.category == Category.YOUTH_PRODUCED_IMAGERY
    assert list(older.steps.values_list("order", "text", "mandatory")) == steps_before
    event = _recorded(school).get()
    assert event.detail["revision"] == "kcsie-2026"
    assert [a["category"] for a in event.detail["added"]] == [
        Category.AI_SEXUAL_IMAGERY,
        Category.ONLINE_MISOGYNY,
        Category.COERCIVE_CONTROL,
        Category.SEXTORTION,
    ]
    assert event.detail["cases_by_category"] == {Category.CYBERBULLYING: 1, Category.YOUTH_PRODUCED_IMAGERY: 1}
    assert "Existing cases keep their categories" in event.summary
    assert _recorded(other_school).get().detail["cases"] == 0
    assert chain.verify(AuditEvent) == []


def test_the_procedures_page_says_what_changed_and_marks_the_new_categories(client, signed_in, school, staff, dsl):
    make_case(school=school, reporter=staff)
    revisions.revisions_record(school=school)
    signed_in(dsl)

    page = client.get(reverse("incidents:procedures")).content.decode()

    assert "New categories for Keeping children safe in education 2026" in page
    assert "1 existing case kept its category" in page
    assert page.count("New in Keeping children safe in education 2026") == 4
    assert "Sextortion (financially motivated sexual extortion)" in page


def test_the_audit_log_shows_the_change_to_the_dsl(client, signed_in, school, dsl):
    revisions.revisions_record(school=school)
    signed_in(dsl)
    page = client.get(reverse("audit:log")).content.decode()
    assert "Incident categories changed" in page and "categories added for Keeping children safe" in page


def test_an_older_case_moves_to_a_new_category_only_by_a_correction_on_its_timeline(school, staff, dsl):
    older = make_case(school=school, reporter=staff, category=Category.YOUTH_PRODUCED_IMAGERY)
    revisions.revisions_record(school=school)
    reported = TimelineEntry.objects.get(incident=older, kind=EntryKind.REPORTED)

    services.case_correct(
        incident=older,
        by=dsl,
        entry=reported,
        field="category",
        value=Category.AI_SEXUAL_IMAGERY,
        reason="The image was made with a nudification app",
    )

    older = Incident.objects.get(pk=older.pk)
    assert older.category == Category.AI_SEXUAL_IMAGERY
    correction = TimelineEntry.objects.get(incident=older, kind=EntryKind.CORRECTION)
    assert correction.data["was"] == Category.YOUTH_PRODUCED_IMAGERY
    assert correction.data["now"] == Category.AI_SEXUAL_IMAGERY
    assert reported.data["category"] == Category.YOUTH_PRODUCED_IMAGERY
    assert any("youth-produced imagery or as indecent images" in s.text for s in older.steps.all())
