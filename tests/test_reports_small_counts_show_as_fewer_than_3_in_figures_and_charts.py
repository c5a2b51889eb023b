import datetime
import re

import pytest

from incidents.categories import Category
from incidents.report import governor_section
from safeguarding_portal.reports import charts
from safeguarding_portal.reports.privacy import SMALL_COUNT_TEXT

from .reports_helpers import concern


def test_a_chart_draws_one_and_two_alike_and_never_prints_them():
    one = charts.horizontal_bars(rows=[("Police", 1)], title="t")
    two = charts.horizontal_bars(rows=[("Police", 2)], title="t")
    # Each chart has its own hatch pattern id (ids share the page); apart from that they are the same drawing.
    assert re.sub(r"small-\d+", "small", one) == re.sub(r"small-\d+", "small", two)
    assert "&lt;3" in one and ">1<" not in one and ">2<" not in one
    assert ">7<" in charts.horizontal_bars(rows=[("Police", 7)], title="t")


def test_labels_in_charts_are_escaped():
    svg = charts.horizontal_bars(rows=[("<script>", 4)], title="a & b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.django_db
def test_the_incidents_section_reports_one_or_two_as_fewer_than_3(school, staff, dsl):
    day = datetime.date(2026, 10, 1)
    for i in range(2):
        concern(
            school=school,
            reporter=staff,
            day=day + datetime.timedelta(days=i),
            category=Category.PHISHING_SCAMS,
            dsl=dsl,
            ack_minutes=10,
            refer_to="action_fraud",
        )
    for i in range(4):
        concern(school=school, reporter=staff, day=day + datetime.timedelta(days=i), dsl=dsl, ack_minutes=10)

    section = governor_section(school=school, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 11, 20))

    assert section["total"] == 6
    rows = {r["label"]: r for r in section["category_rows"]}
    assert rows["Phishing, scams or fraud"]["values"][-1] == SMALL_COUNT_TEXT
    assert rows["Cyberbullying"]["values"][-1] == 4
    assert section["agency_rows"] == [("Action Fraud", SMALL_COUNT_TEXT)]
    assert section["referral_total"] == SMALL_COUNT_TEXT
    assert {e["standard"] for e in section["evidence"]} == {"kcsie.concerns"}


def test_each_chart_has_its_own_hatch_pattern_so_ids_never_clash_in_the_report():
    first = charts.horizontal_bars(rows=[("Police", 1)], title="t")
    second = charts.horizontal_bars(rows=[("Police", 1)], title="t")
    ids = [re.search(r'<pattern id="([^"]+)"', svg).group(1) for svg in (first, second)]
    assert ids[0] != ids[1]
    assert f"url(#{ids[0]})" in first and f"url(#{ids[1]})" in second
