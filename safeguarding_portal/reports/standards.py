"""The duties the governor report evidences: the DfE filtering and monitoring standards and the online-safety
duties of Keeping Children Safe in Education. Each domain app's ``governor_section`` lists evidence
against these keys; the report's evidence section shows every key, with its dated records or a gap in red.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    key: str
    source: str
    title: str


STANDARDS: tuple[Standard, ...] = (
    Standard(
        "fm.roles",
        "DfE filtering and monitoring standards",
        "Identify and assign roles and responsibilities to manage filtering and monitoring systems",
    ),
    Standard(
        "fm.review",
        "DfE filtering and monitoring standards",
        "Review filtering and monitoring provision at least annually",
    ),
    Standard(
        "fm.block",
        "DfE filtering and monitoring standards",
        "Block harmful and inappropriate content without unreasonably impacting teaching and learning",
    ),
    Standard(
        "fm.monitor",
        "DfE filtering and monitoring standards",
        "Have effective monitoring strategies that meet the safeguarding needs of the school",
    ),
    Standard("kcsie.policy", "KCSiE", "An online safety policy (within child protection), reviewed regularly"),
    Standard("kcsie.aup", "KCSiE", "Acceptable use of technology agreed by staff, pupils, parents and visitors"),
    Standard("kcsie.concerns", "KCSiE", "Online-safety concerns recorded, acted on and referred where needed"),
    Standard(
        "kcsie.staff_training",
        "KCSiE",
        "Staff trained in safeguarding and online safety, including filtering and monitoring, at induction "
        "and updated regularly",
    ),
    Standard("kcsie.dsl_training", "KCSiE", "DSL and deputies trained every two years with at least annual updates"),
    Standard(
        "kcsie.governor_training",
        "KCSiE",
        "Governors trained in safeguarding and online safety at induction and regularly",
    ),
    Standard(
        "kcsie.curriculum", "KCSiE", "Children taught about online safety as part of a broad and balanced curriculum"
    ),
    Standard(
        "kcsie.parents",
        "KCSiE",
        "Parents and carers told what the school asks of children online and who their children talk to",
    ),
)

STANDARD_KEYS = frozenset(s.key for s in STANDARDS)
