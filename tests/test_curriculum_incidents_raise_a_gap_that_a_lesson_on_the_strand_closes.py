"""The loop from incidents to teaching, end to end.

Incidents are reported through the incidents app's own service; the curriculum app hears of them through
its signal and the outbox (on commit), raises a gap on the mapped strand for the year group, the online
safety lead sees it on the heatmap and the gap page (in figures, no child named), and a lesson on that
strand logged for that year group closes it.
"""

import pytest
from django.urls import reverse

from curriculum import selectors, services
from curriculum.models import Gap
from safeguarding_portal.reminders.models import Reminder

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

# The dates below are in the autumn term of 2026/27: the clock is there too, whatever today is.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23")]


@pytest.fixture
def year5(school):
    return [
        PupilFactory(school=school, year_group="5", legal_forename=name, surname="Quillfeather")
        for name in ("Zebedee", "Ottilie", "Barnaby")
    ]


def _report(school, reporter, pupils, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_case(school=school, reporter=reporter, category=category, pupils=pupils)


def test_three_cyberbullying_incidents_in_year_5_raise_a_gap_and_a_lesson_closes_it(
    client, signed_in, school, staff, osl, year5, django_capture_on_commit_callbacks
):
    _report(school, staff, year5[:2], "cyberbullying", django_capture_on_commit_callbacks)
    _report(school, staff, [year5[1]], "cyberbullying", django_capture_on_commit_callbacks)
    assert not Gap.objects.exists()  # two is below the default threshold of three

    _report(school, staff, [year5[2]], "cyberbullying", django_capture_on_commit_callbacks)

    gap = Gap.objects.get()
    assert (gap.year_group, gap.strand, gap.category, gap.incident_count, gap.status) == (
        "5",
        "bullying",
        "cyberbullying",
        3,
        Gap.Status.OPEN,
    )
    # The online safety lead hears of it in their digest, without any child's name.
    reminder = Reminder.objects.get(kind="curriculum.gap_raised", recipient_email=osl.email)
    assert "Year 5" in reminder.text and "Zebedee" not in reminder.text

    signed_in(osl)
    heat = client.get(reverse("curriculum:heatmap")).content.decode()
    assert "heat-gap" in heat and reverse("curriculum:gap", args=[gap.pk]) in heat
    page = client.get(reverse("curriculum:gap", args=[gap.pk])).content.decode()
    assert "Open: not yet taught" in page and "3</strong> incidents of cyberbullying" in page
    assert "Cyberbullying</th><td>3</td>" in page.replace("\n", "")
    for name in ("Zebedee", "Ottilie", "Barnaby", "Quillfeather"):
        assert name not in page and name not in heat

    # A lesson on another strand, or for another year group, leaves it open.
    signed_in(staff)
    client.post(
        reverse("curriculum:log_lesson"), {"taught_on": "2026-11-20", "year_group": "5", "strands": ["privacy"]}
    )
    client.post(
        reverse("curriculum:log_lesson"), {"taught_on": "2026-11-20", "year_group": "4", "strands": ["bullying"]}
    )
    gap.refresh_from_db()
    assert gap.is_open

    response = client.post(
        reverse("curriculum:log_lesson"),
        {"taught_on": "2026-11-21", "year_group": "5", "class_name": "5 Ash", "strands": ["bullying"]},
        follow=True,
    )
    assert "This closes the curriculum gap on online bullying" in response.content.decode()
    gap.refresh_from_db()
    assert gap.status == Gap.Status.CLOSED and str(gap.closed_on) == "2026-11-21"
    assert gap.closed_by_lesson.class_name == "5 Ash"

    # More incidents the same term do not raise the same gap again.
    _report(school, staff, [year5[0]], "cyberbullying", django_capture_on_commit_callbacks)
    assert Gap.objects.count() == 1


def test_the_school_sets_the_threshold_and_the_map(
    client, signed_in, school, staff, osl, year5, django_capture_on_commit_callbacks
):
    _report(school, staff, [year5[0]], "phishing_scams", django_capture_on_commit_callbacks)
    _report(school, staff, [year5[1]], "phishing_scams", django_capture_on_commit_callbacks)
    assert not Gap.objects.exists()
    signed_in(osl)
    data = {"threshold": "2", "map_phishing_scams": ["privacy"]}
    response = client.post(reverse("curriculum:mapping"), data, follow=True)
    assert "1 new gap raised" in response.content.decode()
    gap = Gap.objects.get()
    assert (gap.strand, gap.incident_count, gap.threshold) == ("privacy", 2, 2)
    assert selectors.category_map(school=school)["phishing_scams"] == ["privacy"]


def test_allegations_about_staff_never_raise_gaps(school, staff, technician, year5, django_capture_on_commit_callbacks):
    services.category_map_save(school=school, mapping={"staff_conduct": ["reputation"]}, threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, category="staff_conduct", pupils=[year5[0]], subject_staff=technician)
    assert not Gap.objects.exists()


def test_the_daily_sweep_catches_what_the_hook_missed(school, staff, year5):
    # Without on-commit callbacks running, the hook's check never ran (as after a bulk load).
    for pupil in year5:
        make_case(school=school, reporter=staff, category="cyberbullying", pupils=[pupil])
    assert not Gap.objects.exists()
    from safeguarding_portal.reminders.services import run_sweep

    assert run_sweep("curriculum.gap_check") == 1
    assert run_sweep("curriculum.gap_check") == 0
    assert Gap.objects.get().strand == "bullying"


def test_a_teacher_cannot_open_gaps_or_the_heatmap(client, signed_in, staff):
    signed_in(staff)
    assert client.get(reverse("curriculum:gaps")).status_code == 403
    assert client.get(reverse("curriculum:heatmap")).status_code == 403
