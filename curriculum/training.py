"""Training's rules and shapes: each person's state per requirement, the matrix rows and cells.

Reads (the matrix, a person's row, records) are in ``selectors``; writes (records, briefings) in ``services``.

Expiry is never stored: it is computed from the requirement's renewal cycle, so a school that changes a
cycle sees every record's expiry move with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from safeguarding_portal.accounts.policy import Role

from .constants import DUE_SOON_DAYS
from .models import TrainingRequirement


class State:
    CURRENT = "current"
    DUE = "due"
    EXPIRED = "expired"
    MISSING = "missing"
    NOT_REQUIRED = "n/a"


STATE_LABELS = {
    State.CURRENT: "Current",
    State.DUE: f"Due within {DUE_SOON_DAYS} days",
    State.EXPIRED: "Expired",
    State.MISSING: "Missing",
    State.NOT_REQUIRED: "Not required",
}
SHORT_LABELS = {State.CURRENT: "Current", State.DUE: "Due soon", State.EXPIRED: "Expired", State.MISSING: "Missing"}
BADGES = {
    State.CURRENT: "text-bg-success",
    State.DUE: "text-bg-warning",
    State.EXPIRED: "text-bg-danger",
    State.MISSING: "text-bg-secondary",
}
# Plain strings, once: resolving each lazy label per person was a fifth of the matrix's time.
ROLE_LABELS = {r.value: str(r.label) for r in Role}
# Worst first: a person's overall state is the worst of their cells.
SEVERITY = {State.EXPIRED: 0, State.MISSING: 1, State.DUE: 2, State.CURRENT: 3, State.NOT_REQUIRED: 4}


def state_for(
    *, last_done: datetime.date | None, requirement: TrainingRequirement, today: datetime.date
) -> tuple[str, datetime.date | None]:
    """(state, expires_on). Training is valid up to the day before it expires: on ``expires_on`` it has expired."""
    if last_done is None:
        return State.MISSING, None
    expires_on = requirement.expiry_for(last_done)
    if expires_on is None:
        return State.CURRENT, None
    if today >= expires_on:
        return State.EXPIRED, expires_on
    if (expires_on - today).days <= DUE_SOON_DAYS:
        return State.DUE, expires_on
    return State.CURRENT, expires_on


@dataclass
class Cell:
    requirement: TrainingRequirement
    state: str
    last_done: datetime.date | None = None
    expires_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def td(self) -> str:
        """The matrix cell as HTML. Built here, not with a template include per cell: at 150 people x 8
        requirements the includes were most of the page's time (bench/bench_training_matrix.py).

        The requirement's name is the cell's label on a phone, where each person is a card (stack-table.css);
        the dates are shown, not only in a tooltip, since a phone has no hover."""
        label = escape(self.requirement.name)
        if self.state == State.NOT_REQUIRED:
            return mark_safe(
                f'<td class="text-center text-body-secondary stack-na" data-label="{label}">'
                '<span aria-hidden="true">&ndash;</span><span class="visually-hidden">Not required</span></td>'
            )
        # Only dates and fixed words go in besides the escaped name.
        title = ""
        if self.last_done:
            title = f"Done {self.last_done:%-d %b %Y}"
            if self.expires_on:
                title += f"; expires {self.expires_on:%-d %b %Y}"
        extra = ""
        if self.expires_on and self.state != State.CURRENT:
            extra = f' <span class="small d-md-block">{self.expires_on:%-d %b %y}</span>'
        elif self.expires_on:
            extra = f' <span class="small d-md-block">to {self.expires_on:%-d %b %y}</span>'
        return mark_safe(
            f'<td class="text-center" data-label="{label}" title="{title}"><span class="badge {BADGES[self.state]}">'
            f"{SHORT_LABELS[self.state]}</span>{extra}</td>"
        )


@dataclass
class PersonRow:
    user: Person
    roles: list[str]
    job_title: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def role_labels(self) -> str:
        return ", ".join(ROLE_LABELS.get(r, r) for r in self.roles)

    @property
    def worst(self) -> str:
        states = [c.state for c in self.cells if c.state != State.NOT_REQUIRED]
        return min(states, key=SEVERITY.__getitem__) if states else State.NOT_REQUIRED

    def tr(self, person_url_prefix: str) -> str:
        """The matrix row as HTML, for the same reason as ``Cell.td``; names are escaped here.

        ``person_url_prefix`` is the person page's URL without the id and the final slash."""
        url = f"{person_url_prefix}{self.user.pk}/"
        title = (
            f'<span class="d-block small text-body-secondary">{escape(self.job_title)}</span>' if self.job_title else ""
        )
        cells = "".join(cell.td() for cell in self.cells)
        return mark_safe(  # every value below is escaped or one of our own fixed strings
            f'<tr><th scope="row" class="fw-normal"><a href="{escape(url)}">{escape(self.user.full_name)}</a>'
            f'{title}</th><td class="small" data-label="Role">{escape(self.role_labels)}</td>{cells}</tr>'
        )

    @property
    def due_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.state in (State.EXPIRED, State.MISSING, State.DUE)]


@dataclass(frozen=True)
class Person:
    """Who a matrix row is about: just what the pages and the CSV show (full User objects for 150 staff
    were a third of the matrix's time)."""

    pk: int
    full_name: str
    email: str


def rows_for(
    *,
    people: dict[int, tuple[Person, list[str], str]],
    reqs: list[TrainingRequirement],
    last: dict[tuple[int, int], datetime.date],
    today: datetime.date,
) -> list[PersonRow]:
    rows = []
    req_roles = [frozenset(req.roles) for req in reqs]
    for user_id, (user, roles, title) in people.items():
        row = PersonRow(user=user, roles=roles, job_title=title)
        for req, needed_by in zip(reqs, req_roles, strict=True):
            if needed_by.isdisjoint(roles):
                row.cells.append(Cell(req, State.NOT_REQUIRED))
                continue
            done = last.get((user_id, req.pk))
            state, expires = state_for(last_done=done, requirement=req, today=today)
            row.cells.append(Cell(req, state, done, expires))
        rows.append(row)
    return rows


@dataclass
class Matrix:
    requirements: list[TrainingRequirement]
    rows: list[PersonRow]
    today: datetime.date

    def totals(self) -> dict[str, int]:
        counts = {State.CURRENT: 0, State.DUE: 0, State.EXPIRED: 0, State.MISSING: 0}
        for row in self.rows:
            for cell in row.cells:
                if cell.state in counts:
                    counts[cell.state] += 1
        return counts

    def compliance_percent(self) -> int | None:
        t = self.totals()
        required = sum(t.values())
        return None if not required else round(100 * (t[State.CURRENT] + t[State.DUE]) / required)

    def by_requirement(self) -> list[dict]:
        out = []
        for i, req in enumerate(self.requirements):
            counts = {State.CURRENT: 0, State.DUE: 0, State.EXPIRED: 0, State.MISSING: 0}
            for row in self.rows:
                if row.cells[i].state in counts:
                    counts[row.cells[i].state] += 1
            out.append({"requirement": req, **counts, "required": sum(counts.values())})
        return out
