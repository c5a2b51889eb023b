"""The governor report's charts carry a value axis with a scale and a title, and every bar or group its label."""

import re

from safeguarding_portal.reports import charts


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_a_bar_chart_has_a_scale_an_axis_title_and_labelled_bars():
    svg = charts.horizontal_bars(rows=[("Police", 12), ("Action Fraud", 4)], title="Referrals by agency")
    texts = _texts(svg)
    assert [t for t in texts if t.isdigit() and t not in ("12", "4")] == ["0", "5", "10", "15"]
    assert "Referrals" in texts  # the axis says what is counted
    assert "Police" in texts and "Action Fraud" in texts and "12" in texts and "4" in texts
    assert svg.count("<line") >= 2 + 4  # the two axes and a grid line per step


def test_a_column_chart_has_a_scale_an_axis_title_and_labelled_groups():
    svg = charts.grouped_columns(
        groups=["Content", "Contact"],
        series=[charts.Series("Autumn", [4, 0]), charts.Series("Spring", [7, 3])],
        title="Concerns by the 4 Cs",
    )
    texts = _texts(svg)
    assert "Concerns" in texts and "Content" in texts and "Contact" in texts
    assert {"0", "2", "4", "6", "8"} <= set(texts)
    assert re.search(r'<line x1="48" y1="28" x2="48"', svg)  # the value axis itself


def test_the_axis_title_can_be_given():
    svg = charts.horizontal_bars(
        rows=[("Police", 3)], title="Who the school referred to", value_label="Referrals in the period"
    )
    assert "Referrals in the period" in _texts(svg)
    assert "Number" in _texts(charts.horizontal_bars(rows=[("Police", 3)], title="Who the school referred to"))
