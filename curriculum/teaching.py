"""The online-safety curriculum's shapes: the coverage heatmap and the evidence behind a gap.

Reads are in ``selectors`` (``heatmap``, ``gap_evidence``), writes in ``services`` (``lesson_log``,
``gaps_check``, ``category_map_save``).

The loop: an incident is reported -> (on commit) ``services.gaps_check`` counts the term's incidents per category
and year group -> where a count reaches the school's threshold, a ``Gap`` is raised on each strand the
category maps to -> logging a lesson on that strand for that year group closes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safeguarding_portal.schools.models import Term, YearGroup

from .models import Gap, Lesson

# --- The heatmap --------------------------------------------------------------------------------------


@dataclass
class HeatCell:
    year_group: str
    strand: str
    lessons: int = 0
    gap: Gap | None = None

    @property
    def level(self) -> int:
        # 0: not taught this year; 1: once; 2: twice; 3: three times or more.
        return min(self.lessons, 3)


@dataclass
class Heatmap:
    academic_year: int
    year_groups: list[str]
    strands: list[str]
    cells: dict[tuple[str, str], HeatCell] = field(default_factory=dict)
    # With a flag group chosen: the group, and how many pupils on roll have such a flag today per year group
    # (the rows are then only those year groups).
    flag_group: str = ""
    flagged_pupils: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, list[HeatCell]]]:
        return [(yg, str(YearGroup(yg).label), [self.cells[(yg, s)] for s in self.strands]) for yg in self.year_groups]

    @property
    def untaught(self) -> int:
        return sum(1 for c in self.cells.values() if c.lessons == 0)

    @property
    def covered_percent(self) -> int | None:
        total = len(self.cells)
        return None if not total else round(100 * (total - self.untaught) / total)

    @property
    def open_gaps(self) -> int:
        return sum(1 for c in self.cells.values() if c.gap is not None)


# --- Gaps raised by incidents -------------------------------------------------------------------------


@dataclass
class GapEvidence:
    """Why a gap was raised, in counts only: by term and category, for that year group and strand."""

    gap: Gap
    categories: list[tuple[str, str]]  # (value, label) mapped to the strand
    terms: list[Term]
    table: list[tuple[str, list[int]]]  # category label, count per term
    lessons: list[Lesson]
