"""The governors' section: figures, evidence against the standards, constant queries; the home panel's to-dos."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filtering.models import State
from filtering.report import governor_section
from safeguarding_portal.reports.standards import STANDARD_KEYS

from . import clock
from .factories_filtering import make_change
from .filtering_helpers import overdue_allow

# The dates below are in the autumn term of 2026/27: the clock is there too, whatever today is.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23")]
START, END = datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)


def test_the_section_reports_overdue_allows_and_missing_roles(school, staff, head, technician):
    overdue_allow(school=school, requester=staff, approver=head, technician=technician)
    section = governor_section(school=school, start=START, end=END)
    assert {e["standard"] for e in section["evidence"]} == {"fm.roles", "fm.review", "fm.block", "fm.monitor"}
    assert {e["standard"] for e in section["evidence"]} <= STANDARD_KEYS
    assert not next(e for e in section["evidence"] if e["standard"] == "fm.block")["ok"]
    # Requests identify no child: the count is shown as it is, not as "fewer than 3".
    assert next(s for s in section["summary"] if s["label"].startswith("Temporary"))["value"] == 1
    assert any("reverted" in a for a in section["actions"])
    html = render_to_string(section["template"], {"section": section})
    assert "rag-red" in html and "Missing" in html


def test_the_section_query_count_does_not_grow(school, staff, head, technician):
    make_change(school=school, requester=staff, approver=head, technician=technician, state=State.APPLIED)
    with CaptureQueriesContext(connection) as small:
        governor_section(school=school, start=START, end=END)
    for i in range(5):
        make_change(
            school=school,
            requester=staff,
            approver=head,
            technician=technician,
            state=State.REVERTED,
            target=f"https://s{i}.example",
        )
    with CaptureQueriesContext(connection) as large:
        governor_section(school=school, start=START, end=END)
    assert len(small) == len(large)


def test_the_home_panel_shows_what_awaits_each_person(school, staff, head, dsl, technician, signed_in):
    make_change(school=school, requester=staff)  # to decide
    make_change(school=school, requester=staff, approver=head, technician=technician, state=State.APPROVED)
    head_home = signed_in(head).get(reverse("home")).content.decode()
    assert "request to approve or reject" in head_home
    tech_home = signed_in(technician).get(reverse("home")).content.decode()
    assert "approved change to apply" in tech_home
    assert b'data-testid="filtering-panel"' not in signed_in(staff).get(reverse("home")).content
