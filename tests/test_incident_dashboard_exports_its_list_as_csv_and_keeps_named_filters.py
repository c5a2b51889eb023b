"""The DSL exports the dashboard's current list as CSV (every cell formula-escaped, the export itself in the
audit log) and keeps named filters to come back to."""

import csv
import io

import pytest
from django.urls import reverse

from incidents.models import SavedFilter
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_the_csv_holds_the_filtered_list_with_formulas_neutralised_and_is_audited(
    client, signed_in, school, staff, dsl
):
    sly = PupilFactory(school=school, legal_forename='=HYPERLINK("http://x")', surname="Smith")
    make_case(school=school, reporter=staff, pupils=[sly], category="cyberbullying")
    make_case(school=school, reporter=staff, category="phishing_scams")
    signed_in(dsl)
    response = client.get(reverse("incidents:dashboard_csv"), {"category": "cyberbullying"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Reference", "Reported", "Category"] and len(rows) == 2
    assert rows[1][2] == "Cyberbullying" and rows[1][6].startswith("'=HYPERLINK")
    event = AuditEvent.objects.get(action=AuditAction.RECORDS_EXPORTED)
    assert event.actor == dsl and event.detail["cases"] == 1 and "category=cyberbullying" in event.detail["query"]


@pytest.mark.parametrize("persona", ["staff", "head", "governor", "osl"])
def test_only_the_dsl_team_exports_the_list(client, signed_in, request, school, staff, persona):
    make_case(school=school, reporter=staff)
    signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("incidents:dashboard_csv")).status_code == 403


def test_a_named_filter_is_kept_for_the_person_and_brings_the_list_back(client, signed_in, school, dsl, deputy):
    signed_in(dsl)
    url = reverse("incidents:saved_filter")
    assert client.post(url, {"name": "Year 6 open", "query": "queue=open&year=6"}).status_code == 302
    assert client.post(url, {"name": "Year 6 open", "query": "queue=open&year=6&category=cyberbullying"})
    kept = SavedFilter.objects.get(user=dsl)
    assert kept.query.endswith("category=cyberbullying")  # the same name replaces, never duplicates
    page = client.get(reverse("incidents:dashboard")).content.decode()
    assert f'href="?{kept.query.replace("&", "&amp;")}"' in page and "Year 6 open" in page
    signed_in(deputy)
    assert "Year 6 open" not in client.get(reverse("incidents:dashboard")).content.decode()
    signed_in(dsl)
    client.post(url, {"action": "delete", "filter": str(kept.pk)})
    assert not SavedFilter.objects.exists()
