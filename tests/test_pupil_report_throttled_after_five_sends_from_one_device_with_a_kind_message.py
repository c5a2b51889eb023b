"""One device can send five reports an hour; the sixth shows a kind page with the help lines (never a blank
error) and records nothing. Another device behind the same school address can still send."""

import pytest
from django.test import Client

from incidents.models import Incident
from safeguarding_portal.core.ratelimits import rate_for

from . import clock
from .pupil_report_helpers import pupil_payload, tell_url

# The limits count per clock window (an hour): the clock stands still a few seconds into one, so a run that
# crossed the hour could not see its count start again.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00:05")]

SCHOOL_ADDRESS = "203.0.113.9"


def test_the_sixth_send_from_one_device_is_refused_kindly(client, school):
    assert rate_for("incidents.pupil_tell.device") == "5/h"
    client.get(tell_url(school), REMOTE_ADDR=SCHOOL_ADDRESS)  # the device cookie
    for _ in range(5):
        assert client.post(tell_url(school), pupil_payload(), REMOTE_ADDR=SCHOOL_ADDRESS).status_code == 302
    refused = client.post(tell_url(school), pupil_payload(), REMOTE_ADDR=SCHOOL_ADDRESS)

    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert b"You don't have to wait to get help" in refused.content
    assert b"0800 1111" in refused.content and b"call 999" in refused.content
    assert Incident.objects.count() == 5

    other_device = Client()
    other_device.get(tell_url(school), REMOTE_ADDR=SCHOOL_ADDRESS)
    assert other_device.post(tell_url(school), pupil_payload(), REMOTE_ADDR=SCHOOL_ADDRESS).status_code == 302
    assert Incident.objects.count() == 6


def test_a_device_that_drops_the_cookie_is_counted_by_its_address(school):
    for _ in range(5):
        assert Client().post(tell_url(school), pupil_payload(), REMOTE_ADDR="198.51.100.7").status_code == 302
    assert Client().post(tell_url(school), pupil_payload(), REMOTE_ADDR="198.51.100.7").status_code == 429
    assert Incident.objects.count() == 5


def test_the_whole_schools_address_has_its_own_wider_limit(settings, school):
    settings.RATE_LIMITS = {"incidents.pupil_tell.ip": "3/h"}
    for _ in range(3):
        device = Client()
        device.get(tell_url(school), REMOTE_ADDR=SCHOOL_ADDRESS)
        assert device.post(tell_url(school), pupil_payload(), REMOTE_ADDR=SCHOOL_ADDRESS).status_code == 302
    late = Client()
    late.get(tell_url(school), REMOTE_ADDR=SCHOOL_ADDRESS)
    assert late.post(tell_url(school), pupil_payload(), REMOTE_ADDR=SCHOOL_ADDRESS).status_code == 429
