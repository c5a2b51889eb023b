"""Parents and carers in a pupil file: each row's contacts, the checks across rows, and writing guardians and
their links to pupils."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models import Guardian, Pupil, PupilGuardian, School
from .headers import _CONTACT_PART_LABELS, HeaderMap
from .outcome import _chunks
from .parsing import _cell, _clean_email, _comparable, _parse_flag, _squash, _too_long
from .reading import RowError

if TYPE_CHECKING:
    from .pupils import PupilPlan, _Parsed, _UpnRows


@dataclass
class ContactRecord:
    row: int
    slot: int
    name: str
    email: str
    relationship: str
    priority: int | None
    phone: str
    parental_responsibility: bool | None

    def key(self) -> tuple[str, str]:
        return ("email", self.email) if self.email else ("name", self.name.casefold())


_CONTACT_LIMITS = {"name": 200, "relationship": 60, "phone": 40}


def _parse_contact(
    cells: list[str], row: int, slot: int, columns: dict[str, int], mapped: HeaderMap, errors: list[RowError]
) -> ContactRecord | None:
    raw = {part: _cell(cells, index) for part, index in columns.items()}
    if not any(raw.values()):
        return None
    who = f"Contact {slot}" if slot else "The contact"
    before = len(errors)

    def bad(part: str, message: str) -> None:
        errors.append(RowError(row, mapped.header(columns[part]), raw[part], message))

    name = _squash(raw.get("name", "")) or _squash(f"{raw.get('forename', '')} {raw.get('surname', '')}")
    email = ""
    if raw.get("email"):
        try:
            email = _clean_email(raw["email"])
        except ValueError as exc:
            bad("email", str(exc))
    if not name:
        part = next((p for p in ("name", "surname", "forename") if p in columns), None) or next(iter(columns))
        hint = "" if part in ("name", "surname", "forename") else f" Add a “{who.removeprefix('The ')} Name” column."
        errors.append(RowError(row, mapped.header(columns[part]), raw.get(part, ""), f"{who}'s name is missing.{hint}"))
    elif message := _too_long(name, _CONTACT_LIMITS["name"]):
        part = "name" if "name" in columns else "surname"
        bad(part, message)
    for part in ("relationship", "phone"):
        if part in raw and (message := _too_long(_squash(raw[part]), _CONTACT_LIMITS[part])):
            bad(part, message)
    priority = None
    if raw.get("priority"):
        if re.fullmatch(r"\d{1,2}", raw["priority"]) and int(raw["priority"]) >= 1:
            priority = int(raw["priority"])
        else:
            bad("priority", "The priority is a whole number: 1 for the first contact, 2 for the next, and so on.")
    responsibility = None
    if raw.get("parental_responsibility"):
        try:
            responsibility = _parse_flag(raw["parental_responsibility"])
        except ValueError as exc:
            bad("parental_responsibility", str(exc))
    if len(errors) > before:
        return None
    return ContactRecord(
        row=row,
        slot=slot,
        name=name,
        email=email,
        relationship=_squash(raw.get("relationship", "")),
        priority=priority,
        phone=_squash(raw.get("phone", "")),
        parental_responsibility=responsibility,
    )


def _contact_column(mapped: HeaderMap, slot: int, *parts: str) -> str:
    for part in parts:
        if (slot, part) in mapped.contacts:
            return mapped.header(mapped.contacts[(slot, part)])
    return ""


def _check_contacts_of_each_pupil(by_upn: dict[str, _UpnRows], mapped: HeaderMap, errors: list[RowError]) -> None:
    """The same contact twice for one pupil is fine when the details agree, and an error on both rows if not."""
    for upn, group in by_upn.items():
        first: dict[tuple[str, str], ContactRecord] = {}
        for _row, _values, _raw, contacts in group:
            for contact in contacts:
                earlier = first.setdefault(contact.key(), contact)
                if earlier is contact:
                    continue
                # Names are compared file-wide by email (below); a contact without one is keyed by name.
                for part in ("relationship", "priority", "phone", "parental_responsibility"):
                    a, b = getattr(earlier, part), getattr(contact, part)
                    if _comparable(a) != _comparable(b):
                        label = _CONTACT_PART_LABELS[part]
                        for one, other in ((earlier, contact), (contact, earlier)):
                            errors.append(
                                RowError(
                                    one.row,
                                    _contact_column(mapped, one.slot, part, "name", "email"),
                                    "" if getattr(one, part) is None else str(getattr(one, part)),
                                    f"{contact.name or contact.email} is a contact of pupil {upn} on row {other.row} "
                                    f"too, with a different {label}. Make the two rows agree.",
                                )
                            )
                        break


def _check_contact_emails_across_file(parsed: list[_Parsed], mapped: HeaderMap, errors: list[RowError]) -> None:
    """One email address is one person: brothers and sisters share a parent, not two parents an address."""
    owners: dict[str, ContactRecord] = {}
    flagged: set[int] = set()
    for _row, _upn, _values, _raw, contacts in parsed:
        for contact in contacts:
            if not contact.email:
                continue
            owner = owners.setdefault(contact.email, contact)
            if owner is contact or owner.name.casefold() == contact.name.casefold():
                continue
            pairs = [(contact, owner)] + ([(owner, contact)] if id(owner) not in flagged else [])
            flagged.add(id(owner))
            for one, other in pairs:
                errors.append(
                    RowError(
                        one.row,
                        _contact_column(mapped, one.slot, "email"),
                        one.email,
                        f"This email address is given for {one.name} here and for {other.name} on row {other.row}. "
                        "Each parent or carer needs their own address, because agreements are signed from it.",
                    )
                )


# One pupil-guardian link as read: plain values rather than model instances, since a school has thousands of
# links and few of them change.
_Link = Mapping[str, Any]


@dataclass
class _ContactWrites:
    """What ``_apply_contacts`` has found and will write, shared by its steps."""

    school: School
    parts: frozenset[str]
    guardians: dict[int, Guardian]
    links_by_pupil: dict[int, dict[int, _Link]]
    # Who each email address in the file is: a known guardian or a new one.
    by_file_email: dict[str, Guardian] = field(default_factory=dict)
    email_claimed: set[int] = field(default_factory=set)
    new_guardians: list[Guardian] = field(default_factory=list)
    changed_guardians: dict[int, Guardian] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)

    def same_name(self, guardian: Guardian, name: str) -> bool:
        return _squash(guardian.full_name).casefold() == name.casefold()

    def update(self, guardian: Guardian, **values: str) -> None:
        for name, value in values.items():
            if getattr(guardian, name) != value:
                setattr(guardian, name, value)
                self.changed_fields.add(name)
                if guardian.pk:
                    self.changed_guardians[guardian.pk] = guardian


def _apply_contacts(*, school: School, plan: PupilPlan, pupils: dict[str, Pupil]) -> dict[str, int]:
    """Guardians by (school, email); a guardian without an email by name among the pupil's own guardians.

    For each pupil in the file, the file's contacts become the pupil's links: a contact the MIS no longer
    lists is unlinked (the guardian record stays), so a parent who lost contact rights stops getting emails.
    """
    writes = _read_guardians_and_links(school, plan)
    first_contact = _match_file_emails(writes, plan, pupils)
    _update_guardians_with_emails(writes, plan, first_contact)
    wanted = _wanted_links(writes, plan, pupils)
    _save_guardians(writes)
    links_created, links_updated, links_removed = _save_links(writes, wanted, pupils)
    return {
        "guardians_created": len(writes.new_guardians),
        "guardians_updated": len(writes.changed_guardians),
        "links_created": links_created,
        "links_updated": links_updated,
        "links_removed": links_removed,
    }


def _read_guardians_and_links(school: School, plan: PupilPlan) -> _ContactWrites:
    guardians = {g.pk: g for g in Guardian.objects.filter(school=school)}
    links_by_pupil: dict[int, dict[int, _Link]] = defaultdict(dict)
    for link in PupilGuardian.objects.filter(pupil__school=school).values(
        "pk", "pupil_id", "guardian_id", "relationship", "contact_priority", "has_parental_responsibility"
    ):
        links_by_pupil[link["pupil_id"]][link["guardian_id"]] = link
    return _ContactWrites(
        school=school, parts=plan.contact_parts_present, guardians=guardians, links_by_pupil=links_by_pupil
    )


def _match_file_emails(writes: _ContactWrites, plan: PupilPlan, pupils: dict[str, Pupil]) -> dict[str, ContactRecord]:
    """Who each file email is. Known addresses first; then a pupil's existing guardian with the same name, whose
    address changed in the MIS; else (later) someone new. Returns each address's first contact in the file."""
    by_email = {g.email.lower(): g for g in writes.guardians.values() if g.email}
    first_contact: dict[str, ContactRecord] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email:
                first_contact.setdefault(contact.email, contact)
                if contact.email in by_email:
                    writes.by_file_email[contact.email] = by_email[contact.email]
    writes.email_claimed.update(g.pk for g in writes.by_file_email.values())
    for record in plan.pupils.values():
        pupil_links = writes.links_by_pupil.get(pupils[record.upn].pk, {})
        for contact in record.contacts:
            if not contact.email or contact.email in writes.by_file_email:
                continue
            candidates = [
                writes.guardians[gid]
                for gid in sorted(pupil_links)
                if gid not in writes.email_claimed and writes.same_name(writes.guardians[gid], contact.name)
            ]
            if candidates:
                writes.by_file_email[contact.email] = candidates[0]
                writes.email_claimed.add(candidates[0].pk)
    return first_contact


def _update_guardians_with_emails(
    writes: _ContactWrites, plan: PupilPlan, first_contact: dict[str, ContactRecord]
) -> None:
    """Each address's guardian takes the name (and, when the file has the column, the phone) the file gives."""
    phones: dict[str, str] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email and contact.phone:
                phones.setdefault(contact.email, contact.phone)
    for email, contact in first_contact.items():
        guardian = writes.by_file_email.get(email)
        if guardian is None:
            guardian = Guardian(
                school_id=writes.school.pk, full_name=contact.name, email=email, phone=phones.get(email, "")
            )
            writes.new_guardians.append(guardian)
            writes.by_file_email[email] = guardian
            continue
        values = {"full_name": contact.name, "email": email}
        if "phone" in writes.parts:
            values["phone"] = phones.get(email, "")
        writes.update(guardian, **values)


def _wanted_links(
    writes: _ContactWrites, plan: PupilPlan, pupils: dict[str, Pupil]
) -> dict[str, list[tuple[Guardian, ContactRecord]]]:
    """Each pupil's wanted links: (guardian, the contact's relationship, priority, parental responsibility)."""
    wanted: dict[str, list[tuple[Guardian, ContactRecord]]] = {}
    for record in plan.pupils.values():
        pupil_links = writes.links_by_pupil.get(pupils[record.upn].pk, {})
        used: set[int] = set()
        pairs: list[tuple[Guardian, ContactRecord]] = []
        for contact in record.contacts:
            if contact.email:
                guardian = writes.by_file_email[contact.email]
            else:
                guardian = _guardian_without_email(writes, contact, pupil_links, used)
            if guardian.pk and guardian.pk in used:
                continue
            if guardian.pk:
                used.add(guardian.pk)
            pairs.append((guardian, contact))
        wanted[record.upn] = pairs
    return wanted


def _guardian_without_email(
    writes: _ContactWrites, contact: ContactRecord, pupil_links: dict[int, _Link], used: set[int]
) -> Guardian:
    """A contact with no email: the pupil's guardian of that name not matched otherwise, else someone new."""
    guardian = next(
        (
            writes.guardians[gid]
            for gid in sorted(pupil_links)
            if gid not in writes.email_claimed
            and gid not in used
            and writes.same_name(writes.guardians[gid], contact.name)
        ),
        None,
    )
    if guardian is None:
        guardian = Guardian(school_id=writes.school.pk, full_name=contact.name, email="", phone=contact.phone)
        writes.new_guardians.append(guardian)
    else:
        values = {"email": ""} if "email" in writes.parts else {}
        if "phone" in writes.parts:
            values["phone"] = contact.phone
        writes.update(guardian, **values)
    return guardian


def _save_guardians(writes: _ContactWrites) -> None:
    if writes.changed_guardians:
        Guardian.objects.bulk_update(list(writes.changed_guardians.values()), sorted(writes.changed_fields))
    Guardian.objects.bulk_create(writes.new_guardians)
    if any(g.pk is None for g in writes.new_guardians):
        # Without returned ids, match the new rows back by (email or name) among the ids created just now.
        newest = Guardian.objects.filter(school=writes.school).order_by("-pk")[: len(writes.new_guardians)]
        for guardian, pk in zip(writes.new_guardians, sorted(g.pk for g in newest), strict=True):
            guardian.pk = pk


def _save_links(
    writes: _ContactWrites, wanted: dict[str, list[tuple[Guardian, ContactRecord]]], pupils: dict[str, Pupil]
) -> tuple[int, int, int]:
    """Each pupil's links made what the file says: (links created, updated, removed)."""
    new_links: list[PupilGuardian] = []
    changed_links: list[PupilGuardian] = []
    link_fields: set[str] = set()
    removed: list[int] = []
    for upn, pairs in wanted.items():
        pupil = pupils[upn]
        current = dict(writes.links_by_pupil.get(pupil.pk, {}))
        for guardian, contact in pairs:
            link = current.pop(guardian.pk, None)
            values: dict[str, Any] = {"contact_priority": contact.priority}
            if "relationship" in writes.parts:
                values["relationship"] = contact.relationship
            if contact.parental_responsibility is not None:
                values["has_parental_responsibility"] = contact.parental_responsibility
            if link is None:
                new_links.append(PupilGuardian(pupil_id=pupil.pk, guardian_id=guardian.pk, **values))
                continue
            differs = [name for name, value in values.items() if link[name] != value]
            if differs:
                link_fields.update(differs)
                changed_links.append(PupilGuardian(**{**link, **values}))
        removed.extend(link["pk"] for link in current.values())
    PupilGuardian.objects.bulk_create(new_links)
    if changed_links:
        PupilGuardian.objects.bulk_update(changed_links, sorted(link_fields))
    for chunk in _chunks(removed):
        PupilGuardian.objects.filter(pk__in=chunk).delete()
    return len(new_links), len(changed_links), len(removed)
