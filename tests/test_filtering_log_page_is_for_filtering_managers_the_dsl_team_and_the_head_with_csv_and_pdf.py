"""Who reads the log, what it shows, its exports, and a query count that does not grow with the log."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filtering.models import FilterEvent, State

from .factories_filtering import make_change

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona,status",
    [
        ("technician", 200),
        ("dsl", 200),
        ("deputy", 200),
        ("head", 200),
        ("staff", 403),
        ("osl", 403),
        ("governor", 403),
        ("parent", 403),
    ],
)
def test_who_may_read_the_log(request, signed_in, persona, status):
    user = request.getfixturevalue(persona)
    assert signed_in(user).get(reverse("filtering:log")).status_code == status
    assert signed_in(user).get(reverse("filtering:log_csv")).status_code == status


def _changes(school, staff, head, technician, n):
    for i in range(n):
        make_change(
            school=school,
            requester=staff,
            approver=head,
            technician=technician,
            state=State.APPLIED,
            target=f"https://site{i}.example/",
        )


def test_csv_has_every_event_with_its_hash(school, staff, head, technician, signed_in):
    _changes(school, staff, head, technician, 2)
    response = signed_in(head).get(reverse("filtering:log_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["seq", "at", "kind"]
    assert len(rows) - 1 == FilterEvent.objects.count()
    last = FilterEvent.objects.order_by("-seq").first()
    assert rows[-1][0] == str(last.seq) and rows[-1][6] == last.hash


def test_pdf_export(school, staff, head, technician, signed_in):
    _changes(school, staff, head, technician, 1)
    response = signed_in(head).get(reverse("filtering:log_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_log_page_pages_by_sequence_with_constant_queries(school, staff, head, technician, signed_in):
    client = signed_in(head)
    _changes(school, staff, head, technician, 2)
    client.get(reverse("filtering:log"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("filtering:log"))
    _changes(school, staff, head, technician, 12)  # 12 x 5 events: more than one page
    with CaptureQueriesContext(connection) as large:
        first = client.get(reverse("filtering:log"))
    assert len(large) == len(small)
    assert len(first.context["events"]) == 50 and first.context["more"]
    older = client.get(reverse("filtering:log"), {"before": first.context["more"]})
    seen = {e.seq for e in first.context["events"]} | {e.seq for e in older.context["events"]}
    assert len(seen) == FilterEvent.objects.count()
