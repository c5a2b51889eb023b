"""Staff files: every row checked into a plan, then accounts and their portal roles written."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.accounts.services import membership_end, membership_grant
from safeguarding_portal.audit.services import Origin

from ..models import ImportRun, School
from .headers import HeaderMap, _norm, find_header
from .outcome import Outcome, _chunks, _fill_missing_pks
from .parsing import Validation, _cell, _clean_email, _data_rows, _row_list, _squash, _too_long
from .reading import FileRejected, RowError, read_table

# Roles a staff file speaks for. Governors and parents are never ended by a staff import.
STAFF_FILE_ROLES = frozenset(
    {Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD, Role.HEADTEACHER, Role.TECHNICIAN, Role.OFFICE}
)


# --- Staff: validation ----------------------------------------------------------------------------------

_ROLE_ALIASES = {
    "staffmember": Role.STAFF,
    "memberofstaff": Role.STAFF,
    "deputy": Role.DEPUTY_DSL,
    "ddsl": Role.DEPUTY_DSL,
    "deputydesignatedsafeguardinglead": Role.DEPUTY_DSL,
    "deputysafeguardinglead": Role.DEPUTY_DSL,
    "osl": Role.ONLINE_SAFETY_LEAD,
    "esafetylead": Role.ONLINE_SAFETY_LEAD,
    "onlinesafetycoordinator": Role.ONLINE_SAFETY_LEAD,
    "esafetycoordinator": Role.ONLINE_SAFETY_LEAD,
    "head": Role.HEADTEACHER,
    "principal": Role.HEADTEACHER,
    "headofschool": Role.HEADTEACHER,
    "ittechnician": Role.TECHNICIAN,
    "networkmanager": Role.TECHNICIAN,
    # The school office's data-protection lead, as MIS exports and staff lists name them.
    "office": Role.OFFICE,
    "schooloffice": Role.OFFICE,
    "dataprotection": Role.OFFICE,
    "dataprotectionlead": Role.OFFICE,
    "dataprotectionofficer": Role.OFFICE,
    "dpo": Role.OFFICE,
}
_ROLE_LOOKUP = {
    **{_norm(role.value): role for role in Role},
    **{_norm(str(role.label)): role for role in Role},
    **_ROLE_ALIASES,
}
_STAFF_FILE_GRANTS = STAFF_FILE_ROLES | {Role.GOVERNOR}
_ROLE_NAMES = "Staff, DSL, Deputy DSL, Online safety lead, Headteacher, Technician, Office, Governor"


def parse_roles(value: str) -> list[str]:
    """The portal roles in a "Role" cell (several may be separated by ; , / or |). Raises ValueError."""
    roles: list[str] = []
    for piece in re.split(r"[;,/|+&]", value):
        if not piece.strip():
            continue
        role = _ROLE_LOOKUP.get(_norm(piece))
        if role == Role.PARENT:
            raise ValueError("Parents and carers come in with the pupils file, not the staff file.")
        if role == Role.TRUST_LEAD:
            raise ValueError("The trust safeguarding lead role is given by the trust, not by a school's import.")
        if role not in _STAFF_FILE_GRANTS:
            raise ValueError(
                f"“{piece.strip()}” is not a portal role. Use one of: {_ROLE_NAMES}, or leave it "
                "empty for Staff. Put job titles in a “Job Title” column."
            )
        if role not in roles:
            roles.append(role)
    return roles


@dataclass
class StaffRecord:
    email: str
    name: str
    rows: list[int]
    roles: list[str]
    job_title: str | None


@dataclass
class StaffPlan:
    header_row: int
    people: dict[str, StaffRecord]
    has_role_column: bool
    has_job_title_column: bool
    ignored_columns: list[str]
    data_rows: int


def validate_staff(*, data: bytes, sheet: str = "") -> Validation:
    rows = read_table(data=data, sheet=sheet)
    header_index, mapped = find_header(rows=rows, kind=ImportRun.Kind.STAFF)
    errors: list[RowError] = []
    people: dict[str, StaffRecord] = {}
    data_rows = 0
    for row, cells in _data_rows(rows, header_index):
        data_rows += 1
        raw = {key: _cell(cells, index) for key, index in mapped.fields.items()}
        before = len(errors)

        def bad(key: str, message: str, raw: dict[str, str] = raw, row: int = row) -> None:
            errors.append(RowError(row, mapped.header(mapped.fields[key]), raw[key], message))

        person = _parse_person(raw, bad, row=row, name_key="name" if "name" in mapped.fields else "surname")
        if len(errors) > before:
            continue
        _add_person(people, person, mapped, errors)
    if data_rows == 0:
        raise FileRejected("The file has a header row but nobody under it.")
    result = Validation(errors=errors, data_rows=data_rows, ignored_columns=mapped.ignored)
    if not errors:
        result.plan = StaffPlan(
            header_row=header_index + 1,
            people=people,
            has_role_column="role" in mapped.fields,
            has_job_title_column="job_title" in mapped.fields,
            ignored_columns=mapped.ignored,
            data_rows=data_rows,
        )
    return result


def _parse_person(raw: dict[str, str], bad: Callable[[str, str], None], *, row: int, name_key: str) -> StaffRecord:
    """One row as a person (with no roles given, Staff); each bad cell reported through ``bad``."""
    email = ""
    if not raw["email"]:
        bad("email", "The email address is missing. Staff sign in with it, so every row needs one.")
    else:
        try:
            email = _clean_email(raw["email"])
        except ValueError as exc:
            bad("email", str(exc))
    name = _squash(raw.get("name", "")) or _squash(f"{raw.get('forename', '')} {raw.get('surname', '')}")
    if not name:
        bad(name_key, "The name is missing.")
    elif message := _too_long(name, 150):
        bad(name_key, message)
    roles: list[str] = []
    if raw.get("role"):
        try:
            roles = parse_roles(raw["role"])
        except ValueError as exc:
            bad("role", str(exc))
    job_title = _squash(raw["job_title"]) if "job_title" in raw else None
    if job_title and (message := _too_long(job_title, 120)):
        bad("job_title", message)
    return StaffRecord(email=email, name=name, rows=[row], roles=roles or [Role.STAFF], job_title=job_title)


def _add_person(people: dict[str, StaffRecord], person: StaffRecord, mapped: HeaderMap, errors: list[RowError]) -> None:
    """A person's first row makes their record; a later row adds roles, unless its name or job title differs."""
    email, name, row, job_title = person.email, person.name, person.rows[0], person.job_title
    existing = people.get(email)
    if existing is None:
        people[email] = person
        return
    name_key = "name" if "name" in mapped.fields else "surname"
    if existing.name.casefold() != name.casefold():
        for one_row, one_name in ((existing.rows[0], existing.name), (row, name)):
            errors.append(
                RowError(
                    one_row,
                    mapped.header(mapped.fields[name_key]),
                    one_name,
                    f"{email} is on rows {_row_list([existing.rows[0], row])} with different names. "
                    "One email address is one person: correct the email or the name.",
                )
            )
    elif (job_title or "") != (existing.job_title or "") and job_title and existing.job_title:
        for one_row, one_title in ((existing.rows[0], existing.job_title), (row, job_title)):
            errors.append(
                RowError(
                    one_row,
                    mapped.header(mapped.fields["job_title"]),
                    one_title,
                    f"{email} is on rows {_row_list([existing.rows[0], row])} with different job titles.",
                )
            )
    else:
        existing.rows.append(row)
        existing.roles += [r for r in person.roles if r not in existing.roles]
        existing.job_title = existing.job_title or job_title


# --- Staff: applying ------------------------------------------------------------------------------------


@transaction.atomic
def apply_staff(
    *,
    school: School,
    plan: StaffPlan,
    by: User | None = None,
    origin: Origin | None = None,
    end_missing: bool = False,
    today: datetime.date | None = None,
) -> Outcome:
    """Users by email (new ones without a usable password: they use "forgotten password"), and their roles.

    Roles are granted with ``membership_grant`` so each is audited. Staff missing from the file keep their
    roles unless ``end_missing`` is set; then their staff roles are ended (never deleted), except the
    uploader's own, so nobody locks themselves out with a partial file.
    """
    today = today or timezone.localdate()
    outcome = Outcome()
    users, new_users, changed_people = _users_of(plan)
    open_roles: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(school=school, ended_on__isnull=True).select_related("user"):
        open_roles[membership.user_id].append(membership)
    new_here: set[int] = {u.pk for u in new_users}
    granted = _grant_roles(
        school=school,
        plan=plan,
        users=users,
        open_roles=open_roles,
        by=by,
        origin=origin,
        new_here=new_here,
        changed_people=changed_people,
    )
    ended, kept_own = 0, False
    if end_missing:
        ended, kept_own = _end_missing_roles(plan=plan, open_roles=open_roles, by=by, origin=origin, today=today)
    outcome.created, outcome.updated, outcome.left = granted, len(changed_people - new_here), ended
    outcome.unchanged = sum(1 for e in plan.people if users[e].pk not in changed_people | new_here)
    outcome.details.update(users_created=len(new_users), kept_own_roles=kept_own, end_missing=end_missing)
    return outcome


def _users_of(plan: StaffPlan) -> tuple[dict[str, User], list[User], set[int]]:
    """(every person's user by email, the users created now, the ids of those renamed)."""
    users: dict[str, User] = {}
    for chunk in _chunks(list(plan.people)):
        users.update({u.email.lower(): u for u in User.objects.annotate(e=Lower("email")).filter(e__in=chunk)})
    new_users = [
        User(email=email, full_name=person.name, password=make_password(None))
        for email, person in plan.people.items()
        if email not in users
    ]
    User.objects.bulk_create(new_users)
    _fill_missing_pks(new_users, User, "email")
    users.update({u.email: u for u in new_users})
    renamed = [users[e] for e, p in plan.people.items() if users[e].full_name != p.name and users[e].pk]
    for user in renamed:
        user.full_name = plan.people[user.email.lower()].name
    if renamed:
        User.objects.bulk_update(renamed, ["full_name"])
    return users, new_users, {u.pk for u in renamed}


def _grant_roles(
    *,
    school: School,
    plan: StaffPlan,
    users: dict[str, User],
    open_roles: dict[int, list[Membership]],
    by: User | None,
    origin: Origin | None,
    new_here: set[int],
    changed_people: set[int],
) -> int:
    """The roles the file gives that people do not hold yet (how many granted), and job titles brought up to date.
    Adds the people given a role to ``new_here`` and those retitled to ``changed_people``."""
    retitled: list[Membership] = []
    granted = 0
    for email, person in plan.people.items():
        user = users[email]
        held = open_roles.get(user.pk, [])
        for role in person.roles:
            # "Staff" means "works here": a DSL or technician already does, so needs no second role.
            matches = [m for m in held if m.role == role or (role == Role.STAFF and m.role in STAFF_FILE_ROLES)]
            if not matches:
                membership_grant(
                    user=user, role=role, school=school, by=by, origin=origin, job_title=person.job_title or ""
                )
                granted += 1
                new_here.add(user.pk)
                continue
            if person.job_title is not None:
                for membership in matches:
                    if membership.job_title != person.job_title:
                        membership.job_title = person.job_title
                        retitled.append(membership)
                        changed_people.add(user.pk)
    if retitled:
        Membership.objects.bulk_update(retitled, ["job_title"])
    return granted


def _end_missing_roles(
    *,
    plan: StaffPlan,
    open_roles: dict[int, list[Membership]],
    by: User | None,
    origin: Origin | None,
    today: datetime.date,
) -> tuple[int, bool]:
    """End the staff roles of people not in the file, except the uploader's own: (how many ended, kept own)."""
    ended = 0
    kept_own = False
    for memberships in open_roles.values():
        for membership in memberships:
            if membership.role not in STAFF_FILE_ROLES or membership.user.email.lower() in plan.people:
                continue
            if by is not None and membership.user_id == by.pk:
                kept_own = True
                continue
            membership_end(membership=membership, by=by, origin=origin, on=today)
            ended += 1
    return ended, kept_own
