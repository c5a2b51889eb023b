"""The report builder renders whatever domain sections exist (``<app>.report.governor_section``), in a fixed
order, and shows a missing one as "not yet recorded in the portal" with its standards as red gaps."""

import datetime
import types

import pytest

from safeguarding_portal.reports import builder, sections
from safeguarding_portal.reports.sections import NOT_RECORDED

from .reports_helpers import pdf_text

START, END = datetime.date(2026, 9, 2), datetime.date(2026, 11, 20)


def _fake_filtering(**overrides):
    calls = []

    def governor_section(*, school, start, end):
        calls.append((school, start, end))
        section = {
            "title": "Filtering and monitoring",
            "anchor": "filtering",
            "template": "fake/_section.html",
            "summary": [{"label": "Temporary allows overdue", "value": "fewer than 3", "rag": "amber"}],
            "evidence": [
                {"standard": "fm.review", "what": "Annual review signed off by the governor",
                 "date": datetime.date(2026, 10, 1), "ok": True},
                {"standard": "fm.block", "what": "Monthly filtering check missing for October", "date": None,
                 "ok": False},
                {"standard": "not.a.standard", "what": "Ignored", "date": None, "ok": True},
            ],
            "actions": ["Ask the technician to finish the October check."],
            "changes": 7,
        }
        section.update(overrides)
        return section

    return types.SimpleNamespace(governor_section=governor_section), calls


def _without_sections(monkeypatch, *names):
    # An app whose report module does not exist yet: None in sys.modules makes its import fail as "not found".
    for name in names:
        monkeypatch.setitem(__import__("sys").modules, name, None)


@pytest.mark.django_db
def test_a_present_section_is_used_and_absent_ones_are_gaps(school, monkeypatch):
    module, calls = _fake_filtering()
    monkeypatch.setitem(__import__("sys").modules, "filtering.report", module)
    _without_sections(monkeypatch, "aup.report", "curriculum.report")

    found = sections.collect(school=school, start=START, end=END)

    assert [s["anchor"] for s in found] == ["incidents", "aup", "filtering", "curriculum", "monitoring", "duty"]
    assert calls == [(school, START, END)]
    filtering = found[2]
    assert filtering["missing"] is False and filtering["changes"] == 7
    assert [e["standard"] for e in filtering["evidence"]] == ["fm.review", "fm.block"]
    aup, curriculum = found[1], found[3]
    assert aup["missing"] and aup["summary"] == [{"label": aup["title"], "value": NOT_RECORDED, "rag": "red"}]
    assert curriculum["missing"]

    rows = {row["standard"].key: row for row in sections.evidence_table(found)}
    assert rows["fm.review"]["rag"] == "green"
    assert rows["fm.block"]["rag"] == "red" and not rows["fm.block"]["met"]
    assert rows["kcsie.aup"]["rag"] == "red" and rows["kcsie.aup"]["items"] == []
    assert rows["fm.roles"]["rag"] == "red"


@pytest.mark.django_db
def test_the_pdf_renders_the_fake_section_and_marks_the_missing_ones(school, monkeypatch, tmp_path, settings):
    template_dir = tmp_path / "templates" / "fake"
    template_dir.mkdir(parents=True)
    (template_dir / "_section.html").write_text(
        '<h2>Changes</h2><p>Changes this term: {{ section.changes }} <span class="rag rag-amber">Amber</span></p>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    module, _ = _fake_filtering()
    monkeypatch.setitem(__import__("sys").modules, "filtering.report", module)
    _without_sections(monkeypatch, "aup.report", "curriculum.report")

    ctx = builder.context(school=school, start=START, end=END)
    pdf, pages = builder.render_pdf(ctx)
    text = " ".join(pdf_text(pdf).split())

    assert "Changes this term: 7" in text
    assert "Annual review signed off by the governor" in text
    assert "Ask the technician to finish the October check." in text
    assert text.count("Not yet recorded in the portal") >= 2  # aup and curriculum, on the summary and pages
    assert "Gap: no record in the portal evidences this." in text
    assert pages >= 8


@pytest.mark.django_db
def test_a_section_breaking_the_contract_fails_loudly(school, monkeypatch):
    module, _ = _fake_filtering()

    def broken(**kwargs):
        section = module.governor_section(**kwargs)
        del section["evidence"]
        return section

    monkeypatch.setitem(__import__("sys").modules, "filtering.report",
                        types.SimpleNamespace(governor_section=broken))
    with pytest.raises(ValueError, match=r"filtering\.report\.governor_section"):
        sections.collect(school=school, start=START, end=END)
