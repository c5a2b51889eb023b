"""Applying a file takes a fixed number of queries plus one per batch of inserts, never one per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, Pupil

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _file(pupils: int) -> bytes:
    lines = ["UPN,Forename,Surname,DOB,Year,Reg Group,Contact Name,Contact Email,Relationship,Priority"]
    for n in range(pupils):
        upn = f"Q{n:011d}{n % 10}"
        lines.append(f"{upn},Child{n},Family{n},17/05/2016,5,5B,Parent{n} A,parent{n}a@home.example,Mother,1")
        if n % 4:  # most pupils have a second contact, a quarter of them without an email
            email = f"parent{n}b@home.example" if n % 3 else ""
            lines.append(f"{upn},Child{n},Family{n},17/05/2016,5,5B,Parent{n} B,{email},Father,2")
    return ("\n".join(lines) + "\n").encode()


def _queries_to_import(school, data: bytes) -> int:
    with CaptureQueriesContext(connection) as captured:
        run = import_people(school=school, kind="pupils", data=data)
    assert run.status == "applied", run.errors[:3]
    return len(captured)


def test_a_300_pupil_file_is_applied_in_a_bounded_number_of_queries(school, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        run = import_people(school=school, kind="pupils", data=_file(300))
    assert run.created == 300
    assert Guardian.objects.filter(school=school).count() == 300 + 225


def test_tripling_the_rows_adds_only_batches_and_reimports_cost_the_same(db):
    small, large = SchoolFactory(), SchoolFactory()

    first_small, first_large = _queries_to_import(small, _file(100)), _queries_to_import(large, _file(300))
    again_small, again_large = _queries_to_import(small, _file(100)), _queries_to_import(large, _file(300))

    # 200 more pupils and ~350 more contact rows: a handful more insert batches, not hundreds of queries.
    assert first_large - first_small <= 8
    assert again_small == again_large
    assert Pupil.objects.filter(school=large).count() == 300


def test_marking_many_pupils_as_left_is_not_one_query_each(school, django_assert_max_num_queries):
    import_people(school=school, kind="pupils", data=_file(300))
    with django_assert_max_num_queries(25):
        run = import_people(school=school, kind="pupils", data=_file(10), allow_many_leavers=True)
    assert run.left == 290
