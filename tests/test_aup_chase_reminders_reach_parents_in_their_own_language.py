"""A parent is chased in their own language, like their invitation: their choice on the page, else their child's
MIS home language if the school offers it, else English. The morning sweep and the office's "Chase" button both
do it, subject and body, and an Arabic or Urdu email is marked right to left. Reading the languages costs one
query per campaign, however many parents."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aup.models import Invitation
from aup.reminders import chase_unsigned
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.services import send_digests
from safeguarding_portal.schools.models import Pupil

from . import clock
from . import factories_aup as f

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-07 09:00")]
DASH = "\N{EN DASH}"  # as the Polish translation writes it


def _speaking(family, code: str) -> None:
    Pupil.objects.filter(pk__in=[p.pk for p in family.children]).update(home_language=code)


@pytest.fixture
def waiting(school):
    """The Nowaks' child's MIS home language is Polish, the Smiths' is English; their emails went a week ago."""
    nowak = f.family(school, email="anna@home.example", children=1)
    _speaking(nowak, "pl")
    smith = f.family(school, email="jo@home.example", children=1, class_name="6A")
    f.offer_languages(school, "pl", "ar")
    camp = f.campaign(school, notify=False)  # closes in 14 days: 21 December
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    return camp, nowak, smith


def _sent_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def _html(message) -> str:
    (html,) = [content for content, kind in message.alternatives if kind == "text/html"]
    return html


def test_the_sweep_chases_a_polish_speaking_parent_in_polish_subject_and_body(
    waiting, school, django_capture_on_commit_callbacks
):
    _camp, _nowak, _ = waiting
    chase_unsigned(today=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(on=timezone.localdate())

    polish = _sent_to("anna@home.example")
    assert polish.subject == f"Przypomnienie ze szkoły {school.name}"
    assert polish.body.startswith("Szanowni Państwo,\n\nPrzypominamy, na co szkoła wciąż czeka od Państwa:\n")
    assert (
        f"- Prosimy podpisać umowę o zasadach korzystania z technologii {DASH} {school.name} (termin: 21 grudnia)."
        in polish.body
    )
    assert "Prosimy nie przekazywać tego e-maila dalej" in polish.body
    assert "/agreements/s/" in polish.body  # their own link, as in English
    assert "Please sign" not in polish.body and "Dear parent" not in polish.body
    assert '<html lang="pl" dir="ltr">' in _html(polish)
    # The reminder records the language it was written in.
    assert Reminder.objects.get(recipient_email="anna@home.example").language == "pl"


def test_a_parent_whose_language_the_school_does_not_offer_is_chased_in_english(
    waiting, school, django_capture_on_commit_callbacks
):
    _ = waiting
    f.offer_languages(school, "cy")  # Polish no longer offered
    chase_unsigned(today=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(on=timezone.localdate())

    english = _sent_to("anna@home.example")
    assert english.subject == f"Reminder from {school.name}"
    assert english.body.startswith("Dear parent or carer,\n")
    assert f"- Please sign {school.name}'s acceptable use agreement (closes 21 December)." in english.body
    assert '<html lang="en-gb" dir="ltr">' in _html(english)
    # And the family with no recorded language: English too.
    assert _sent_to("jo@home.example").body.startswith("Dear parent or carer,\n")


def test_a_parents_own_choice_of_arabic_wins_and_the_email_reads_right_to_left(
    waiting, school, django_capture_on_commit_callbacks
):
    camp, _nowak, _ = waiting
    Invitation.objects.filter(campaign=camp, email="anna@home.example").update(language="ar")
    chase_unsigned(today=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(on=timezone.localdate())

    arabic = _sent_to("anna@home.example")
    assert arabic.subject == f"تذكير من {school.name}"
    assert arabic.body.startswith("عزيزي ولي الأمر أو مقدّم الرعاية،")
    assert '<html lang="ar" dir="rtl">' in _html(arabic)
    # Her partner chose nothing: their child's MIS language, Polish.
    assert _sent_to("other.anna@home.example").subject == f"Przypomnienie ze szkoły {school.name}"


def test_the_chase_button_sends_a_polish_speaking_parent_their_reminder_in_polish_at_once(
    waiting, school, dsl, signed_in, django_capture_on_commit_callbacks
):
    camp, nowak, _ = waiting
    invitation = f.invitation_of(camp, nowak.guardian)
    client = signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aup:campaign_chase", args=[camp.pk]), {"invitation": invitation.pk})
    assert response.status_code == 302

    polish = _sent_to("anna@home.example")
    assert polish.subject == f"Przypomnienie ze szkoły {school.name}"
    assert f"technologii {DASH} {school.name} (termin: 21 grudnia)." in polish.body


def test_the_chase_button_for_everyone_words_each_parent_in_their_own_language(
    waiting, school, dsl, signed_in, django_capture_on_commit_callbacks
):
    camp, _, _ = waiting
    client = signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("aup:campaign_chase", args=[camp.pk]), {})

    assert _sent_to("anna@home.example").body.startswith("Szanowni Państwo,")
    assert _sent_to("jo@home.example").body.startswith("Dear parent or carer,")


def test_staff_digests_stay_in_the_portals_english_with_no_html(waiting, school, django_capture_on_commit_callbacks):
    from safeguarding_portal.reminders.services import remind

    remind(recipient_email="teacher@oak.example", kind="filtering.review", key="request:1", text="Review a request")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(on=timezone.localdate())
    staff = _sent_to("teacher@oak.example")
    assert staff.subject == "Safeguarding portal: 1 thing due from you"
    assert not staff.alternatives


def _sweep_queries(school, families: int) -> int:
    for i in range(families):
        family = f.family(school, email=f"parent{families}.{i}@home.example", children=1, class_name=f"C{families}{i}")
        _speaking(family, ["pl", "ar", "bn"][i % 3])
    camp = f.campaign(school, notify=False)
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    with CaptureQueriesContext(connection) as queries:
        assert chase_unsigned(today=timezone.localdate()) == 2 * families
    camp.closed_at = timezone.now()  # the next measure's sweep sees its own campaign only
    camp.save(update_fields=["closed_at"])
    return len(queries)


def test_reading_parents_languages_costs_the_same_queries_for_two_parents_as_for_twelve(school, other_school):
    f.offer_languages(school, "pl", "ar", "bn")
    f.offer_languages(other_school, "pl", "ar", "bn")
    assert _sweep_queries(school, 1) == _sweep_queries(other_school, 6)
