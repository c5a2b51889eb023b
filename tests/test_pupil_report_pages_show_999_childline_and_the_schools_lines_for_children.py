"""Every pupils' page (the form, the thank-you, "too many", a replaced link) says "in danger right now: tell an
adult, call 999" first and lists Childline; the school's pages add its own number and children's social care,
never the lines meant for staff (the LADO, the police's non-emergency number)."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding_portal.schools.models import SafeguardingContact

from .pupil_report_helpers import tell_url, thanks_url

pytestmark = pytest.mark.django_db

DANGER = b"If you are in danger right now, tell an adult now or call 999."


def test_the_help_lines_are_for_children(school):
    school.phone = "01632 960001"
    school.save()
    SafeguardingContact.objects.create(school=school, kind="mash", name="Shire MASH", phone="01632 960100")
    SafeguardingContact.objects.create(school=school, kind="lado", name="Shire LADO", phone="01632 960200")
    SafeguardingContact.objects.create(school=school, kind="police", name="Police 101", phone="101")
    for url in (tell_url(school), thanks_url(school)):
        page = Client().get(url)
        assert page.status_code == 200
        assert page.content.index(DANGER) < page.content.index(b"<h1")
        assert b"0800 1111" in page.content and b"01632 960001" in page.content
        assert b"Children&#x27;s social care (Shire MASH)" in page.content and b"01632 960100" in page.content
        assert b"LADO" not in page.content and b"Police 101" not in page.content


def test_a_page_without_a_school_still_shows_where_to_get_help(school):
    unknown = "00000000-0000-4000-8000-000000000000"
    for url in (reverse("incidents:tell_root"), reverse("incidents:tell", args=[unknown])):
        page = Client().get(url)
        assert DANGER in page.content and b"0800 1111" in page.content
        assert school.name.encode() not in page.content
