"""Training: requirements per role, records, briefings, each person's status and the compliance matrix.

Expiry is never stored: it is computed from the requirement's renewal cycle, so a school that changes a
cycle sees every record's expiry move with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.services import audit_record

from .constants import CERTIFICATE_TYPES, DUE_SOON_DAYS, KCSIE_DEFAULTS, TRAINED_ROLES, DefaultRequirement
from .models import BriefingSession, TrainingRecord, TrainingRequirement
from .uploads import check_upload


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
BADGES = {State.CURRENT: "text-bg-success", State.DUE: "text-bg-warning", State.EXPIRED: "text-bg-danger",
          State.MISSING: "text-bg-secondary"}
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


# --- Requirements -------------------------------------------------------------------------------------


def ensure_default_requirements(*, school) -> None:
    """Give a school the KCSiE defaults the first time anyone looks (idempotent, never overwrites edits)."""
    if TrainingRequirement.objects.filter(school=school).exists():
        return
    TrainingRequirement.objects.bulk_create(
        [
            TrainingRequirement(school=school, key=key, name=str(DefaultRequirement(key).label), roles=list(roles),
                                renew_months=months, guidance=why, order=i)
            for i, (key, roles, months, why) in enumerate(KCSIE_DEFAULTS)
        ],
        ignore_conflicts=True,
    )


def requirements(*, school, active_only: bool = True) -> list[TrainingRequirement]:
    ensure_default_requirements(school=school)
    qs = TrainingRequirement.objects.filter(school=school)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.order_by("order", "name"))


# --- People and their state ---------------------------------------------------------------------------


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
        title = (f'<span class="d-block small text-body-secondary">{escape(self.job_title)}</span>'
                 if self.job_title else "")
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


def trained_people(*, school, today: datetime.date) -> dict[int, tuple[Person, list[str], str]]:
    """Everyone who works at the school today: user id -> (person, roles, job title). One query."""
    people: dict[int, tuple[Person, list[str], str]] = {}
    rows = (
        Membership.objects.current(on=today)
        .filter(school=school, role__in=TRAINED_ROLES, user__is_active=True)
        .order_by("user__full_name", "user__email", "role")
        .values_list("user_id", "user__full_name", "user__email", "role", "job_title")
    )
    for user_id, full_name, email, role, job_title in rows:
        person, roles, title = people.get(user_id, (Person(user_id, full_name, email), [], job_title))
        roles.append(role)
        people[user_id] = (person, roles, title or job_title)
    return people


def last_done_by(
    *, school_ids: Iterable[int], user_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], datetime.date]:
    """(user id, requirement id) -> the latest completion date. One query whatever the number of records."""
    qs = TrainingRecord.objects.filter(school_id__in=list(school_ids))
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    rows = qs.values("user_id", "requirement_id").annotate(last=Max("completed_on")).order_by()
    return {(r["user_id"], r["requirement_id"]): r["last"] for r in rows}


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


def matrix(*, school, today: datetime.date | None = None, state: str = "", role: str = "") -> Matrix:
    """People x requirements. Four queries whatever the size of the staff (see the bench)."""
    today = today or timezone.localdate()
    reqs = requirements(school=school)
    people = trained_people(school=school, today=today)
    rows = rows_for(people=people, reqs=reqs, last=last_done_by(school_ids=[school.pk]), today=today)
    if role:
        rows = [r for r in rows if role in r.roles]
    if state:
        rows = [r for r in rows if any(c.state == state for c in r.cells)]
    return Matrix(requirements=reqs, rows=rows, today=today)


def person_row(*, school, user: User, today: datetime.date | None = None) -> PersonRow | None:
    today = today or timezone.localdate()
    people = {k: v for k, v in trained_people(school=school, today=today).items() if k == user.pk}
    if not people:
        return None
    reqs = requirements(school=school)
    return rows_for(people=people, reqs=reqs, last=last_done_by(school_ids=[school.pk], user_ids=[user.pk]),
                    today=today)[0]


def records_of(*, school, user: User):
    return (
        TrainingRecord.objects.filter(school=school, user=user)
        .select_related("requirement", "briefing", "recorded_by")
        .order_by("-completed_on", "-pk")
    )


def is_trained_member(*, school, user_id: int) -> bool:
    return Membership.objects.current().filter(school=school, user_id=user_id, role__in=TRAINED_ROLES).exists()


# --- Writing ------------------------------------------------------------------------------------------


@transaction.atomic
def record_training(
    *,
    school,
    user: User,
    requirement: TrainingRequirement,
    course: str,
    provider: str,
    completed_on: datetime.date,
    hours: Decimal,
    recorded_by: User,
    certificate: UploadedFile | None = None,
) -> TrainingRecord:
    if requirement.school_id != school.pk:
        raise ValidationError("That requirement belongs to another school.")
    if not is_trained_member(school=school, user_id=user.pk):
        raise ValidationError("That person does not work at this school.")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "That date is in the future."})
    record = TrainingRecord(
        school=school, user=user, requirement=requirement, course=course.strip(), provider=provider.strip(),
        completed_on=completed_on, hours=hours, recorded_by=recorded_by,
    )
    if certificate is not None:
        content_type = check_upload(certificate, allowed=CERTIFICATE_TYPES)
        record.certificate_type = content_type
        record.certificate_name = (certificate.name or "certificate")[:200]
        record.certificate.save(f"x{CERTIFICATE_TYPES[content_type]}", certificate, save=False)
    record.full_clean()
    record.save()
    audit_record(
        action="curriculum.training_recorded",
        actor=recorded_by,
        school=school,
        obj=record,
        summary=f"Training recorded: {requirement.name} for {user.full_name}",
        detail={"user_id": user.pk, "requirement_id": requirement.pk, "completed_on": completed_on.isoformat()},
    )
    return record


@transaction.atomic
def record_briefing(
    *,
    school,
    requirement: TrainingRequirement,
    title: str,
    provider: str,
    delivered_on: datetime.date,
    hours: Decimal,
    attendee_ids: Iterable[int],
    recorded_by: User,
    notes: str = "",
) -> BriefingSession:
    """One briefing, one record per attendee (each keeps their own expiry)."""
    if requirement.school_id != school.pk:
        raise ValidationError("That requirement belongs to another school.")
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "That date is in the future."})
    attendee_ids = set(attendee_ids)
    if not attendee_ids:
        raise ValidationError({"attendees": "Tick at least one person who attended."})
    members = set(trained_people(school=school, today=timezone.localdate()))
    if not attendee_ids <= members:
        raise ValidationError({"attendees": "One of the people ticked does not work at this school."})
    session = BriefingSession.objects.create(
        school=school, requirement=requirement, title=title.strip(), provider=provider.strip(),
        delivered_on=delivered_on, hours=hours, notes=notes, recorded_by=recorded_by,
    )
    TrainingRecord.objects.bulk_create([
        TrainingRecord(school=school, user_id=uid, requirement=requirement, course=session.title,
                       provider=session.provider, completed_on=delivered_on, hours=hours, briefing=session,
                       recorded_by=recorded_by)
        for uid in sorted(attendee_ids)
    ])
    return session
