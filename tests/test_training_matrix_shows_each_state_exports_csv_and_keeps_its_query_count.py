"""The DSL's matrix: people x requirements, four states, filters, a CSV export, constant queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from curriculum import selectors
from safeguarding_portal.accounts.policy import Role

from . import factories_curriculum as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_body(school, dsl):
    today = timezone.localdate()
    current = f.member(school, email="current@oak.example")
    due = f.member(school, email="due@oak.example")
    expired = f.member(school, email="expired@oak.example")
    missing = f.member(school, email="missing@oak.example")
    for person in (current, due, expired):
        f.record(school, person, "induction", completed_on=datetime.date(2020, 9, 1))
    f.record(school, current, "annual_update", completed_on=today - datetime.timedelta(days=30))
    f.record(school, due, "annual_update", completed_on=today - datetime.timedelta(days=350))
    f.record(school, expired, "annual_update", completed_on=today - datetime.timedelta(days=400))
    return {"current": current, "due": due, "expired": expired, "missing": missing}


def test_each_person_has_the_right_state(school, staff_body):
    rows = {r.user.email: r for r in selectors.matrix(school=school).rows}
    annual = {
        email: next(c.state for c in row.cells if c.requirement.key == "annual_update") for email, row in rows.items()
    }
    assert annual["current@oak.example"] == "current"
    assert annual["due@oak.example"] == "due"
    assert annual["expired@oak.example"] == "expired"
    assert annual["missing@oak.example"] == "missing"
    assert rows["missing@oak.example"].worst == "missing"
    assert rows["expired@oak.example"].worst == "expired"


def test_the_dsl_sees_the_matrix_and_filters_it(client, signed_in, dsl, staff_body):
    staff_body["expired"].full_name = "Sally O'Sullivan"  # always one name the page must escape
    staff_body["expired"].save(update_fields=["full_name"])
    signed_in(dsl)
    page = client.get(reverse("curriculum:matrix"))
    body = page.content.decode()
    assert page.status_code == 200
    for person in staff_body.values():
        assert escape(person.full_name) in body  # escaped, as on the page: names such as O'Sullivan
    assert "Expired" in body and "Due soon" in body and "Missing" in body

    expired_only = client.get(reverse("curriculum:matrix"), {"state": "expired"}).content.decode()
    assert escape(staff_body["expired"].full_name) in expired_only
    assert escape(staff_body["current"].full_name) not in expired_only


def test_the_csv_has_a_row_per_person_and_three_columns_per_requirement(client, signed_in, school, dsl, staff_body):
    signed_in(dsl)
    response = client.get(reverse("curriculum:matrix_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, data = rows[0], {r[1]: r for r in rows[1:]}
    assert header[:4] == ["Name", "Email", "Role", "Job title"]
    assert len(header) == 4 + 3 * 8
    column = header.index("Annual safeguarding and online safety update: status")
    assert data["expired@oak.example"][column] == "Expired"
    assert data["due@oak.example"][column] == "Due within 30 days"
    assert data["missing@oak.example"][column] == "Missing"
    assert set(data) == {p.email for p in staff_body.values()} | {dsl.email}


def test_a_formula_in_a_name_is_neutralised_in_the_csv(client, signed_in, school, dsl):
    evil = f.member(school, email="evil@oak.example")
    evil.full_name = '=HYPERLINK("http://x")'
    evil.save()
    signed_in(dsl)
    rows = list(csv.reader(io.StringIO(client.get(reverse("curriculum:matrix_csv")).content.decode("utf-8-sig"))))
    assert next(r for r in rows if r[1] == "evil@oak.example")[0].startswith("'=")


def test_staff_and_governors_cannot_open_the_matrix(client, signed_in, staff, governor):
    signed_in(staff)
    assert client.get(reverse("curriculum:matrix")).status_code == 403
    signed_in(governor)
    assert client.get(reverse("curriculum:matrix_csv")).status_code == 403


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_matrix_query_count_does_not_grow_with_staff_or_records(client, signed_in, school, dsl):
    signed_in(dsl)
    url = reverse("curriculum:matrix")
    for _ in range(3):
        f.record(school, f.member(school), "annual_update")
    small = _queries(client, url)
    for n in range(30):
        person = f.member(school, role=Role.TECHNICIAN if n % 3 else Role.STAFF)
        f.record(school, person, "annual_update")
        f.record(school, person, "induction")
    assert _queries(client, url) == small
    assert _queries(client, reverse("curriculum:matrix_csv")) <= small
