"""A teacher logs a lesson: date, year group, unit, strands, notes; mistakes are explained and kept."""

import pytest
from django.urls import reverse

from curriculum.models import Lesson

from . import clock
from . import factories_curriculum as f

# The dates below are in the autumn term of 2026/27: the clock is there too, whatever today is.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23")]


def test_a_lesson_is_logged_with_its_strands(client, signed_in, school, staff):
    unit = f.unit(school, title="Kapow: Online relationships", strands=("relationships", "privacy"))
    signed_in(staff)
    page = client.get(reverse("curriculum:log_lesson")).content.decode()
    assert 'data-strands="relationships privacy"' in page
    response = client.post(
        reverse("curriculum:log_lesson"),
        {
            "taught_on": "2026-11-19",
            "year_group": "5",
            "class_name": "5 Ash",
            "unit": unit.pk,
            "strands": ["relationships", "privacy"],
            "notes": "Went well",
        },
        follow=True,
    )
    assert "Logged: Year 5, 19 November." in response.content.decode()
    lesson = Lesson.objects.get()
    assert (lesson.taught_by, lesson.unit, lesson.class_name) == (staff, unit, "5 Ash")
    assert sorted(lesson.strand_links.values_list("strand", flat=True)) == ["privacy", "relationships"]
    # The next visit starts from the same class.
    again = client.get(reverse("curriculum:log_lesson")).content.decode()
    assert 'value="5 Ash"' in again


def test_no_strand_is_explained_and_the_notes_are_kept(client, signed_in, school, staff):
    signed_in(staff)
    response = client.post(
        reverse("curriculum:log_lesson"),
        {"taught_on": "2026-11-19", "year_group": "5", "notes": "Talked about passwords"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Tick at least one strand" in body and "Talked about passwords" in body
    assert not Lesson.objects.exists()


def test_a_unit_of_another_school_is_refused(client, signed_in, school, other_school, staff):
    foreign = f.unit(other_school, title="Theirs")
    signed_in(staff)
    response = client.post(
        reverse("curriculum:log_lesson"),
        {"taught_on": "2026-11-19", "year_group": "5", "unit": foreign.pk, "strands": ["privacy"]},
    )
    assert response.status_code == 200 and not Lesson.objects.exists()


def test_the_osl_plans_units_and_records_events(client, signed_in, school, osl):
    signed_in(osl)
    response = client.post(
        reverse("curriculum:unit_add"),
        {
            "title": "Jigsaw: Being safe online",
            "programme": "Jigsaw",
            "year_groups": ["3", "4"],
            "strands": ["privacy"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert "Jigsaw: Being safe online" in client.get(reverse("curriculum:units")).content.decode()
    response = client.post(
        reverse("curriculum:event_add"),
        {
            "kind": "sid",
            "title": "Safer Internet Day 2026",
            "held_on": "2026-11-10",
            "audience": "families",
            "attendance": "212",
        },
    )
    assert response.status_code == 302
    events = client.get(reverse("curriculum:events")).content.decode()
    assert "Safer Internet Day 2026" in events and "212" in events


def test_a_gaps_link_preselects_its_year_group_and_strand(client, signed_in, school, staff):
    f.lesson(school, staff, year_group="3")
    Lesson.objects.update(class_name="3 Ash")
    signed_in(staff)
    body = client.get(reverse("curriculum:log_lesson"), {"year_group": "5", "strand": "bullying"}).content.decode()
    assert '<option value="5" selected>' in body
    assert 'value="bullying" id="strand-bullying" autocomplete="off" checked' in body
    assert 'value="3 Ash"' not in body  # last lesson's class belongs to another year group
