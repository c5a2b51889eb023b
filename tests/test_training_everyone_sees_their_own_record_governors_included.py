"""Each person sees their own training and what is due; governors see governor training; parents nothing."""

import pytest
from django.urls import reverse

from . import factories_curriculum as f

pytestmark = pytest.mark.django_db


def test_a_teacher_sees_what_is_due_on_their_page_and_home(client, signed_in, school, staff):
    f.record(school, staff, "induction")
    signed_in(staff)
    page = client.get(reverse("curriculum:my_training")).content.decode()
    assert "Annual safeguarding and online safety update" in page and "Missing" in page
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-training-due"' in home and "Annual safeguarding" in home


def test_a_governor_sees_governor_training(client, signed_in, school, governor):
    signed_in(governor)
    page = client.get(reverse("curriculum:my_training")).content.decode()
    assert "Governor safeguarding and online safety induction" in page
    assert "Annual safeguarding and online safety update" not in page
    assert client.get(reverse("curriculum:log_lesson")).status_code == 403


def test_a_parent_has_no_training_pages(client, signed_in, parent):
    signed_in(parent)
    assert client.get(reverse("curriculum:my_training")).status_code == 403
