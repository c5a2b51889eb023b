"""The governors' report section: coverage per audience, consents, evidence; counts only, fixed queries."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from aup import services
from aup.models import Audience
from aup.report import governor_section
from safeguarding_portal.reports.standards import STANDARD_KEYS

from . import factories_aup as f

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)


def _section(school):
    with CaptureQueriesContext(connection) as ctx:
        section = governor_section(school=school, start=START, end=END)
    return section, len(ctx.captured_queries)


def test_coverage_consents_and_evidence_without_a_childs_name(school, staff, dsl):
    v = f.published(school, Audience.STAFF)
    services.sign_own(school=school, user=staff, version=v, evidence=f.EVIDENCE, issue_certificate=False)
    fam = f.family(school)
    f.sign_invitation(f.invitation_of(f.campaign(school, notify=False), fam.guardian))
    section, _ = _section(school)
    assert {"title", "anchor", "template", "summary", "evidence", "actions"} <= set(section)
    coverage = {row["audience"]: row for row in section["coverage"]}
    # A count of staff identifies no child: shown as it is. A count of children would be "fewer than 3".
    assert coverage["Staff"]["percent"] == 50 and coverage["Staff"]["signed"] == 1
    assert coverage["Parents and carers"]["percent"] == 100
    assert coverage["Parents and carers"]["signed"] == "fewer than 3"
    assert {e["standard"] for e in section["evidence"]} <= STANDARD_KEYS
    assert {e["standard"] for e in section["evidence"]} == {"kcsie.aup", "kcsie.parents"}
    assert any("pupils" in a.lower() for a in section["actions"])
    html = render_to_string(section["template"], {"section": section})
    for word in ("Oliver", "Isla", "Morgan", "Hannah"):
        assert word not in html
    assert 'class="rag rag-' in html


def test_query_count_does_not_grow_with_the_data(school):
    f.published(school, Audience.STAFF)
    fam = f.family(school, email="one@home.example", children=1)
    f.sign_invitation(f.invitation_of(f.campaign(school, notify=False), fam.guardian))
    _, small = _section(school)
    for n in range(5):
        more = f.family(school, email=f"more{n}@home.example", children=2)
        f.sign_invitation(f.invitation_of(f.campaign(school, notify=False), more.guardian))
    _, large = _section(school)
    assert small == large
