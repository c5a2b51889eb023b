"""The report builder renders the sections the domain apps register (kind ``report_section``), in their declared
order, and shows one not built yet as "not yet recorded in the portal" with its standards as red gaps."""

import dataclasses
import datetime

import pytest

from safeguarding_portal.core import plugins
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
                {
                    "standard": "fm.review",
                    "what": "Annual review signed off by the governor",
                    "date": datetime.date(2026, 10, 1),
                    "ok": True,
                },
                {
                    "standard": "fm.block",
                    "what": "Monthly filtering check missing for October",
                    "date": None,
                    "ok": False,
                },
                {"standard": "not.a.standard", "what": "Ignored", "date": None, "ok": True},
            ],
            "actions": ["Ask the technician to finish the October check."],
            "changes": 7,
        }
        section.update(overrides)
        return section

    return governor_section, calls


def _build_section(monkeypatch, app, build):
    """The app's registered section, built by ``build`` instead (None: registered but not built yet)."""
    registry = plugins.registry("report_section")
    entry = registry[app]
    monkeypatch.setitem(registry, app, dataclasses.replace(entry, value=dataclasses.replace(entry.value, build=build)))


def _without_sections(monkeypatch, *apps):
    for app in apps:
        _build_section(monkeypatch, app, None)


@pytest.mark.django_db
def test_a_present_section_is_used_and_absent_ones_are_gaps(school, monkeypatch):
    fake, calls = _fake_filtering()
    _build_section(monkeypatch, "filtering", fake)
    _without_sections(monkeypatch, "aup", "curriculum")

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
    fake, _ = _fake_filtering()
    _build_section(monkeypatch, "filtering", fake)
    _without_sections(monkeypatch, "aup", "curriculum")

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
    fake, _ = _fake_filtering()

    def broken(**kwargs):
        section = fake(**kwargs)
        del section["evidence"]
        return section

    _build_section(monkeypatch, "filtering", broken)
    with pytest.raises(ValueError, match=r"filtering\.report\.governor_section"):
        sections.collect(school=school, start=START, end=END)
