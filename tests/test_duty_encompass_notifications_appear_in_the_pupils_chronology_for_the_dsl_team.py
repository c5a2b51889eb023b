"""A pupil's chronology shows the police notifications that named them, beside their cases (the chronology
is the DSL team's page; the notifications stay out of the PDF and the child-protection file for now)."""

import pytest
from django.urls import reverse

from . import clock
from .factories import PupilFactory
from .factories_duty import notification

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_chronology_lists_the_notifications_that_named_the_pupil(client, signed_in, school, dsl):
    pupil = PupilFactory(school=school, legal_forename="Kezia", surname="Brightwater")
    other = PupilFactory(school=school)
    notification(school, by=dsl, pupils=[pupil], police_reference="WPC/2026/55")
    notification(school, by=dsl, pupils=[other], police_reference="WPC/2026/99")
    signed_in(dsl)
    page = client.get(reverse("incidents:chronology", args=[pupil.pk]))
    assert page.status_code == 200
    assert b'data-testid="chronology-encompass"' in page.content
    assert b"WPC/2026/55" in page.content and b"WPC/2026/99" not in page.content
