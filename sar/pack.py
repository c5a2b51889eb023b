"""The review pack: every record the sources give about the subject, and the same pack with the redaction marks
applied (what the disclosure PDF prints). Applying a mark removes the words: the redacted copy holds only the
marker, so nothing withheld reaches the PDF, not even as hidden text."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from .models import EXEMPTION_MARKERS, MarkAction, RedactionMark, SubjectAccessRequest
from .sources import Passage, Record, Subject, sources


@dataclass
class Section:
    name: str
    label: str
    records: list[Record] = field(default_factory=list)


def subject_of(request: SubjectAccessRequest) -> Subject:
    return Subject(pupil=request.subject_pupil, staff=request.subject_staff)


def gather(*, portal, request: SubjectAccessRequest) -> list[Section]:
    subject = subject_of(request)
    sections = []
    for src in sources():
        records = src.fn(portal=portal, subject=subject)
        if records:
            sections.append(Section(src.name, src.label, records))
    return sections


def current_marks(request: SubjectAccessRequest) -> list[RedactionMark]:
    """The redactions in force: marks not withdrawn by a later one, in the order they were made."""
    marks = list(RedactionMark.objects.filter(request=request).select_related("by").order_by("seq"))
    withdrawn = {m.withdraws_id for m in marks if m.action == MarkAction.WITHDRAW}
    return [m for m in marks if m.action == MarkAction.REDACT and m.pk not in withdrawn]


def marker(exemption: str) -> str:
    return f"[redacted: {EXEMPTION_MARKERS.get(exemption, 'exempt')}]"


def _applies(mark: RedactionMark, record: Record, passage: Passage) -> bool:
    return mark.target in (record.key, passage.key)


def redacted(sections: list[Section], marks: list[RedactionMark]) -> tuple[list[Section], int]:
    """A copy of ``sections`` with every mark applied, and how many passages were changed."""
    out = copy.deepcopy(sections)
    changed = 0
    for section in out:
        for record in section.records:
            for passage in record.passages:
                before = passage.text
                for mark in marks:
                    if not _applies(mark, record, passage):
                        continue
                    if not mark.phrase:
                        passage.text = marker(mark.exemption)
                        break
                    passage.text = re.sub(
                        re.escape(mark.phrase), marker(mark.exemption), passage.text, flags=re.IGNORECASE
                    )
                if passage.text != before:
                    changed += 1
    return out, changed


def keys(sections: list[Section]) -> set[str]:
    found = set()
    for section in sections:
        for record in section.records:
            found.add(record.key)
            found.update(p.key for p in record.passages)
    return found


def texts_of(sections: list[Section], key: str) -> list[str] | None:
    """The passages' texts a key covers (a record's every passage, or one passage); None when not in the pack."""
    for section in sections:
        for record in section.records:
            if record.key == key:
                return [p.text for p in record.passages]
            for passage in record.passages:
                if passage.key == key:
                    return [passage.text]
    return None


def passages_holding(sections: list[Section], phrase: str) -> list[str]:
    """The keys of every passage whose text holds ``phrase`` (any case), in pack order."""
    wanted = phrase.casefold()
    return [
        passage.key
        for section in sections
        for record in section.records
        for passage in record.passages
        if wanted and wanted in passage.text.casefold()
    ]


def marks_by_target(marks: list[RedactionMark]) -> dict[str, list[RedactionMark]]:
    by: dict[str, list[RedactionMark]] = {}
    for mark in marks:
        by.setdefault(mark.target, []).append(mark)
    return by
