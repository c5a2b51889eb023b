"""Pupil files: every row checked into a plan, then the plan written (pupils, leavers and flags; contacts
in contacts.py)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import languages
from ..models import UPN_VALIDATOR, ImportRun, Pupil, PupilFlag, School, VulnerabilityFlag
from .contacts import (
    ContactRecord,
    _apply_contacts,
    _check_contact_emails_across_file,
    _check_contacts_of_each_pupil,
    _parse_contact,
)
from .headers import FLAG_KEYS, FLAG_NAMES, PUPIL_FIELDS, HeaderMap, find_header
from .outcome import Outcome, _chunks, _fill_missing_pks
from .parsing import (
    Validation,
    _cell,
    _clean_email,
    _comparable,
    _data_rows,
    _row_list,
    _squash,
    _too_long,
    check_date_of_birth,
    parse_uk_date,
    parse_year_group,
)
from .reading import FileRejected, RowError, read_table

# Uploading one class's list instead of the whole school would otherwise mark everyone else as left, and
# staff could no longer find those children when they report a concern.
MANY_LEAVERS_SHARE = 0.25
MANY_LEAVERS_MIN = 10


@dataclass
class PupilRecord:
    upn: str
    rows: list[int]
    values: dict[str, Any]
    contacts: list[ContactRecord] = field(default_factory=list)
    # (start, end) of each flag the file speaks for; (None, None): the pupil has no such flag now.
    flags: dict[str, tuple[datetime.date | None, datetime.date | None]] = field(default_factory=dict)


@dataclass
class PupilPlan:
    header_row: int
    pupils: dict[str, PupilRecord]
    fields_present: frozenset[str]
    contact_parts_present: frozenset[str]
    ignored_columns: list[str]
    data_rows: int
    flag_kinds_present: frozenset[str] = frozenset()

    @property
    def has_contacts(self) -> bool:
        return bool(self.contact_parts_present)


_PUPIL_LIMITS = {
    "legal_forename": 100,
    "preferred_forename": 100,
    "surname": 100,
    "preferred_surname": 100,
    "former_surname": 100,
    "registration_group": 40,
    "network_username": 150,
}


# A parsed data row: (spreadsheet row, UPN as written, good values, raw cells by field, its contacts).
_Parsed = tuple[int, str, dict[str, Any], dict[str, str], list[ContactRecord]]
# The rows of one UPN: (row, good values, raw cells, contacts).
_UpnRows = list[tuple[int, dict[str, Any], dict[str, str], list[ContactRecord]]]
_Bad = Callable[[str, str], None]
_SPECS = {spec.key: spec for spec in PUPIL_FIELDS}


def validate_pupils(*, data: bytes, today: datetime.date | None = None, sheet: str = "") -> Validation:
    today = today or timezone.localdate()
    rows = read_table(data=data, sheet=sheet)
    header_index, mapped = find_header(rows=rows, kind=ImportRun.Kind.PUPILS)
    flag_kinds = _flag_kinds_present(mapped)
    errors: list[RowError] = []
    parsed = _parse_rows(rows, header_index, mapped, flag_kinds, today, errors)
    if not parsed:
        raise FileRejected("The file has a header row but no pupils under it.")

    by_upn = _rows_by_upn(parsed)
    _check_each_upn_is_one_pupil(by_upn, mapped, errors)
    _check_contacts_of_each_pupil(by_upn, mapped, errors)
    _check_contact_emails_across_file(parsed, mapped, errors)
    _check_pupil_identities_across_file(parsed, mapped, errors)

    result = Validation(errors=errors, data_rows=len(parsed), ignored_columns=mapped.ignored)
    if errors:
        return result
    result.plan = PupilPlan(
        header_row=header_index + 1,
        pupils=_pupil_records(by_upn, flag_kinds),
        fields_present=frozenset(k for k in mapped.fields if k != "upn" and k not in FLAG_KEYS),
        contact_parts_present=frozenset(part for _slot, part in mapped.contacts),
        ignored_columns=mapped.ignored,
        data_rows=len(parsed),
        flag_kinds_present=frozenset(flag_kinds),
    )
    return result


def _flag_kinds_present(mapped: HeaderMap) -> list[str]:
    """The flags the file speaks for (it has their start column). An end date alone says nothing about whether
    the pupil has the flag: the whole file is refused."""
    flag_kinds = [kind for kind in FLAG_NAMES if f"flag_start:{kind}" in mapped.fields]
    ends_alone = [kind for kind in FLAG_NAMES if f"flag_end:{kind}" in mapped.fields and kind not in flag_kinds]
    if ends_alone:
        raise FileRejected(
            *(
                f"There is a column for the {VulnerabilityFlag(kind).label.lower()} end date but none for its start "
                f"date. Add one named “{FLAG_NAMES[kind][0]} Start”, or remove the end date column."
                for kind in ends_alone
            )
        )
    return flag_kinds


def _parse_rows(
    rows: list[list[str]],
    header_index: int,
    mapped: HeaderMap,
    flag_kinds: list[str],
    today: datetime.date,
    errors: list[RowError],
) -> list[_Parsed]:
    """Every non-blank data row, its problems added to ``errors`` in the order of its columns, then its contacts'."""
    slots: dict[int, dict[str, int]] = defaultdict(dict)
    for (slot, part), index in sorted(mapped.contacts.items()):
        slots[slot][part] = index
    parsed: list[_Parsed] = []
    for row, cells in _data_rows(rows, header_index):
        raw = {key: _cell(cells, index) for key, index in mapped.fields.items()}

        def bad(key: str, message: str, raw: dict[str, str] = raw, row: int = row) -> None:
            errors.append(RowError(row, mapped.header(mapped.fields[key]), raw[key], message))

        upn, values = _parse_pupil(raw, bad, today)
        for kind in flag_kinds:
            _parse_flag_dates(kind, raw, values, bad)
        contacts = []
        for slot, columns in slots.items():
            contact = _parse_contact(cells, row, slot, columns, mapped, errors)
            if contact is not None:
                contacts.append(contact)
        parsed.append((row, upn, values, raw, contacts))
    return parsed


def _parse_pupil(raw: dict[str, str], bad: _Bad, today: datetime.date) -> tuple[str, dict[str, Any]]:
    """(the UPN as written, the row's good values by field): each bad cell reported through ``bad``."""
    values: dict[str, Any] = {}
    upn = re.sub(r"\s", "", raw["upn"]).upper()
    if not upn:
        bad("upn", "The UPN is missing.")
    else:
        try:
            UPN_VALIDATOR(upn)
            values["upn"] = upn
        except ValidationError as exc:
            bad("upn", exc.messages[0])
    _parse_names(raw, values, bad)
    _parse_date_of_birth_and_year(raw, values, bad, today)
    _parse_identities(raw, values, bad)
    if "joined_on" in raw:
        if raw["joined_on"]:
            try:
                values["joined_on"] = parse_uk_date(raw["joined_on"])
            except ValueError as exc:
                bad("joined_on", str(exc))
        else:
            values["joined_on"] = None
    return upn, values


def _parse_names(raw: dict[str, str], values: dict[str, Any], bad: _Bad) -> None:
    for key in ("legal_forename", "surname"):
        value = _squash(raw[key])
        if not value:
            bad(key, f"The {_SPECS[key].label.removeprefix('the ')} is missing.")
        elif message := _too_long(value, _PUPIL_LIMITS[key]):
            bad(key, message)
        else:
            values[key] = value
    for key in ("preferred_forename", "preferred_surname", "former_surname", "registration_group"):
        if key in raw:
            value = _squash(raw[key])
            if message := _too_long(value, _PUPIL_LIMITS[key]):
                bad(key, message)
            else:
                values[key] = value


def _parse_date_of_birth_and_year(raw: dict[str, str], values: dict[str, Any], bad: _Bad, today: datetime.date) -> None:
    if not raw["date_of_birth"]:
        bad("date_of_birth", "The date of birth is missing.")
    else:
        try:
            dob = parse_uk_date(raw["date_of_birth"])
            check_date_of_birth(dob, today=today)
            values["date_of_birth"] = dob
        except ValueError as exc:
            bad("date_of_birth", str(exc))
    if not raw["year_group"]:
        bad("year_group", "The year group is missing.")
    else:
        try:
            values["year_group"] = parse_year_group(raw["year_group"])
        except ValueError as exc:
            bad("year_group", str(exc))


def _parse_identities(raw: dict[str, str], values: dict[str, Any], bad: _Bad) -> None:
    """How the network and the monitoring product know the pupil, when the file has the columns."""
    if "network_username" in raw:
        value = raw["network_username"].strip()
        if any(c.isspace() for c in value):
            bad("network_username", "A network user name has no spaces in it.")
        elif message := _too_long(value, _PUPIL_LIMITS["network_username"]):
            bad("network_username", message)
        else:
            values["network_username"] = value
    if "school_email" in raw:
        if raw["school_email"]:
            try:
                values["school_email"] = _clean_email(raw["school_email"])
            except ValueError as exc:
                bad("school_email", str(exc))
        else:
            values["school_email"] = ""
    if "home_language" in raw:
        # A language the portal does not translate into is English for the parents' pages, not an error.
        values["home_language"] = languages.from_mis(raw["home_language"])


def _rows_by_upn(parsed: list[_Parsed]) -> dict[str, _UpnRows]:
    by_upn: dict[str, _UpnRows] = defaultdict(list)
    for row, upn, values, raw, contacts in parsed:
        if "upn" in values:
            by_upn[upn].append((row, values, raw, contacts))
    return by_upn


def _check_each_upn_is_one_pupil(by_upn: dict[str, _UpnRows], mapped: HeaderMap, errors: list[RowError]) -> None:
    """A UPN on several rows (one a contact) must give the same details on each: an error on every row if not."""
    present = [spec for spec in PUPIL_FIELDS if spec.key in mapped.fields and spec.key != "upn"]
    for upn, group in by_upn.items():
        if len(group) < 2:
            continue
        row_list = _row_list([row for row, *_ in group])
        for spec in present:
            seen = {
                _comparable(values[spec.key]): raw[spec.key] for _row, values, raw, _c in group if spec.key in values
            }
            if len(seen) > 1:
                different = ", ".join(f"“{v}”" for v in seen.values())
                for row, _values, raw, _c in group:
                    errors.append(
                        RowError(
                            row,
                            mapped.header(mapped.fields[spec.key]),
                            raw[spec.key],
                            f"UPN {upn} is on rows {row_list} with different {spec.plural} ({different}). "
                            "One UPN is one pupil: correct the UPN or the details.",
                        )
                    )


def _pupil_records(by_upn: dict[str, _UpnRows], flag_kinds: list[str]) -> dict[str, PupilRecord]:
    """One record a UPN: the first row's values and flags, and every row's contacts once each, in order."""
    pupils: dict[str, PupilRecord] = {}
    for upn, group in by_upn.items():
        first_values = group[0][1]
        values = {key: value for key, value in first_values.items() if key != "upn" and key not in FLAG_KEYS}
        record = PupilRecord(
            upn=upn,
            rows=[row for row, *_ in group],
            values=values,
            flags={kind: (first_values[f"flag_start:{kind}"], first_values[f"flag_end:{kind}"]) for kind in flag_kinds},
        )
        seen_keys: set[tuple[str, str]] = set()
        for _row, _values, _raw, contacts in group:
            for contact in contacts:
                if contact.key() not in seen_keys:
                    seen_keys.add(contact.key())
                    record.contacts.append(contact)
        for position, contact in enumerate(record.contacts, start=1):
            if contact.priority is None:
                contact.priority = contact.slot or position
        pupils[upn] = record
    return pupils


def _parse_flag_dates(kind: str, raw: dict[str, str], values: dict[str, Any], bad: _Bad) -> None:
    """values["flag_start:<kind>"] and values["flag_end:<kind>"]: dates, or None when the cell is empty."""
    start_key, end_key = f"flag_start:{kind}", f"flag_end:{kind}"
    dates: dict[str, datetime.date | None] = {}
    for key in (start_key, end_key):
        if not raw.get(key):
            dates[key] = None
            continue
        try:
            dates[key] = parse_uk_date(raw[key])
        except ValueError as exc:
            bad(key, str(exc))
    if len(dates) < 2:
        return
    start, end = dates[start_key], dates[end_key]
    if end is not None and start is None:
        bad(end_key, "This flag has an end date but no start date. Add the date it started.")
        return
    if start is not None and end is not None and end < start:
        bad(end_key, "This flag ends before it starts. Check the dates (day/month/year).")
        return
    values[start_key], values[end_key] = start, end


def _check_pupil_identities_across_file(parsed: list[_Parsed], mapped: HeaderMap, errors: list[RowError]) -> None:
    """One network user name or school email is one pupil: shared, a monitoring alert would match the wrong child."""
    for key in ("network_username", "school_email"):
        if key not in mapped.fields:
            continue
        owners: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for row, upn, values, _raw, _contacts in parsed:
            if values.get(key) and "upn" in values:
                owners[values[key].lower()][upn].append(row)
        for value, by_upn in owners.items():
            if len(by_upn) < 2:
                continue
            rows = sorted(r for rs in by_upn.values() for r in rs)
            for row in rows:
                errors.append(
                    RowError(
                        row,
                        mapped.header(mapped.fields[key]),
                        value,
                        f"Pupils with different UPNs share this {PUPIL_SPEC_LABELS[key]} "
                        f"(rows {_row_list(rows)}). Each pupil needs their own.",
                    )
                )


PUPIL_SPEC_LABELS = {"network_username": "network user name", "school_email": "school email"}


def leavers_if_applied(*, school: School, plan: PupilPlan) -> tuple[int, int]:
    """(pupils on roll now, how many of them the file would mark as left)."""
    on_roll = list(Pupil.objects.filter(school=school, left_on__isnull=True).values_list("upn", flat=True))
    return len(on_roll), sum(1 for upn in on_roll if upn not in plan.pupils)


def too_many_leavers(*, on_roll: int, leaving: int) -> bool:
    return leaving > MANY_LEAVERS_MIN and leaving > on_roll * MANY_LEAVERS_SHARE


@transaction.atomic
def apply_pupils(*, school: School, plan: PupilPlan, today: datetime.date | None = None) -> Outcome:
    """Write a validated pupil file: a fixed number of queries, plus one per batch of inserts or updates."""
    today = today or timezone.localdate()
    now = timezone.now()
    outcome = Outcome()
    existing = {p.upn: p for p in Pupil.objects.filter(school=school)}

    new_pupils: list[Pupil] = []
    changed_pupils: list[Pupil] = []
    changed_fields: set[str] = set()
    rejoined = 0
    for upn, record in plan.pupils.items():
        pupil = existing.get(upn)
        if pupil is None:
            pupil = Pupil(school_id=school.pk, upn=upn, updated_at=now, **record.values)
            new_pupils.append(pupil)
            existing[upn] = pupil
            continue
        changed = False
        for name, value in record.values.items():
            if getattr(pupil, name) != value:
                setattr(pupil, name, value)
                changed_fields.add(name)
                changed = True
        if pupil.left_on is not None:
            pupil.left_on = None
            changed_fields.add("left_on")
            rejoined += 1
            changed = True
        if changed:
            pupil.updated_at = now
            changed_pupils.append(pupil)
    leavers = [p for upn, p in existing.items() if p.left_on is None and upn not in plan.pupils and p.pk]

    Pupil.objects.bulk_create(new_pupils)
    _fill_missing_pks(new_pupils, Pupil, "upn", school=school)
    if changed_pupils:
        Pupil.objects.bulk_update(changed_pupils, sorted(changed_fields | {"updated_at"}))
    for chunk in _chunks([p.pk for p in leavers]):
        Pupil.objects.filter(pk__in=chunk).update(left_on=today, updated_at=now)

    outcome.created, outcome.updated, outcome.left = len(new_pupils), len(changed_pupils), len(leavers)
    outcome.unchanged = len(plan.pupils) - outcome.created - outcome.updated
    outcome.details.update(rejoined=rejoined, left_ids=[p.pk for p in leavers][:500])
    if plan.has_contacts:
        outcome.details.update(_apply_contacts(school=school, plan=plan, pupils=existing))
    if plan.flag_kinds_present:
        outcome.details.update(_apply_flags(school=school, plan=plan, pupils=existing, today=today))
    return outcome


def _apply_flags(*, school: School, plan: PupilPlan, pupils: dict[str, Pupil], today: datetime.date) -> dict[str, int]:
    """Each pupil's period of each flag the file has columns for, matched to the period that starts on the same
    day, else to the pupil's open period if the two meet, else added. A pupil the file gives no start date no
    longer has the flag: an open period the MIS brought in ends today, while one the DSL team entered is left
    for them to end (they often know before the MIS does). Pupils missing from the file keep their flags."""
    kinds = plan.flag_kinds_present
    periods: dict[tuple[int, str], list[PupilFlag]] = defaultdict(list)
    for flag in PupilFlag.objects.filter(pupil__school_id=school.pk, kind__in=kinds):
        periods[(flag.pupil_id, flag.kind)].append(flag)
    new: list[PupilFlag] = []
    changed: list[PupilFlag] = []
    ended = 0
    for upn, record in plan.pupils.items():
        pupil_id = pupils[upn].pk
        for kind in kinds:
            start, end = record.flags[kind]
            known = periods.get((pupil_id, kind), [])
            if start is None:
                for flag in known:
                    if flag.ends_on is None and flag.source == PupilFlag.Source.MIS:
                        flag.ends_on = max(today, flag.starts_on)
                        changed.append(flag)
                        ended += 1
                continue
            # The open period is the file's when their dates meet; an earlier, ended period the file gives is
            # history and never overwrites a newer episode the DSL team has opened.
            match = next((f for f in known if f.starts_on == start), None) or next(
                (f for f in known if f.ends_on is None and (end is None or end >= f.starts_on)), None
            )
            if match is None:
                new.append(
                    PupilFlag(pupil_id=pupil_id, kind=kind, starts_on=start, ends_on=end, source=PupilFlag.Source.MIS)
                )
            elif (match.starts_on, match.ends_on, match.source) != (start, end, PupilFlag.Source.MIS):
                match.starts_on, match.ends_on, match.source = start, end, PupilFlag.Source.MIS
                changed.append(match)
    # Ends first: a period ended and a new one opened for the same flag must not both be open at once.
    now = timezone.now()
    for flag in changed:
        flag.updated_at = now
    if changed:
        PupilFlag.objects.bulk_update(changed, ["starts_on", "ends_on", "source", "updated_at"])
    PupilFlag.objects.bulk_create(new)
    return {"flags_added": len(new), "flags_changed": len(changed) - ended, "flags_ended": ended}
