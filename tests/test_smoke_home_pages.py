import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_home_offers_report_a_concern(client, staff, signed_in):
    signed_in(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Report a concern" in response.content
    assert b"Oakfield Primary School" in response.content
