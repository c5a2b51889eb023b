"""A request about a member of staff gathers the allegations about them, which the headteacher receives: the head
reviews that pack, the DSL team (who may not see the allegations) manages the request but does not read the
pack, and nobody sees a request about themself, whatever their role."""

import pytest
from django.urls import reverse

from incidents.categories import Category

from .incident_helpers import make_case
from .sar_helpers import log_request

pytestmark = pytest.mark.django_db


def test_the_head_reads_the_allegations_about_a_member_of_staff(client, signed_in, school, staff, deputy, head, dsl):
    allegation = make_case(
        school=school,
        reporter=dsl,
        category=Category.STAFF_CONDUCT,
        subject_staff=deputy,
        description="A parent says the deputy messaged a pupil on Instagram.",
    )
    signed_in(head)
    sar = log_request(client, staff=deputy, requester=deputy.full_name, relationship="staff")
    page = client.get(reverse("sar:pack", args=[sar.pk])).content.decode()
    assert allegation.reference in page and "messaged a pupil on Instagram" in page

    signed_in(dsl)
    assert client.get(reverse("sar:detail", args=[sar.pk])).status_code == 200
    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 404

    signed_in(deputy)  # the subject, though a manager of requests
    assert client.get(reverse("sar:detail", args=[sar.pk])).status_code == 404
    assert 'data-testid="sar-row"' not in client.get(reverse("sar:index")).content.decode()
