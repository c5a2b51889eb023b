"""Parents and carers in a pupil file: each row's contacts, the checks across rows, and writing guardians and
their links to pupils."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import Guardian, Pupil, PupilGuardian, School
from .headers import _CONTACT_PART_LABELS, HeaderMap
from .outcome import _chunks
from .parsing import _cell, _clean_email, _comparable, _parse_flag, _squash, _too_long
from .reading import RowError

if TYPE_CHECKING:
    from .pupils import PupilPlan


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


def _parse_contact(cells: list[str], row: int, slot: int, columns: dict[str, int], mapped: HeaderMap,
                   errors: list[RowError]) -> ContactRecord | None:
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
        errors.append(RowError(row, mapped.header(columns[part]), raw.get(part, ""),
                               f"{who}'s name is missing.{hint}"))
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
        row=row, slot=slot, name=name, email=email, relationship=_squash(raw.get("relationship", "")),
        priority=priority, phone=_squash(raw.get("phone", "")), parental_responsibility=responsibility,
    )


def _contact_column(mapped: HeaderMap, slot: int, *parts: str) -> str:
    for part in parts:
        if (slot, part) in mapped.contacts:
            return mapped.header(mapped.contacts[(slot, part)])
    return ""


def _check_contacts_of_each_pupil(by_upn, mapped: HeaderMap, errors: list[RowError]) -> None:
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
                            errors.append(RowError(
                                one.row, _contact_column(mapped, one.slot, part, "name", "email"),
                                "" if getattr(one, part) is None else str(getattr(one, part)),
                                f"{contact.name or contact.email} is a contact of pupil {upn} on row {other.row} "
                                f"too, with a different {label}. Make the two rows agree.",
                            ))
                        break


def _check_contact_emails_across_file(parsed, mapped: HeaderMap, errors: list[RowError]) -> None:
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
                errors.append(RowError(
                    one.row, _contact_column(mapped, one.slot, "email"), one.email,
                    f"This email address is given for {one.name} here and for {other.name} on row {other.row}. "
                    "Each parent or carer needs their own address, because agreements are signed from it.",
                ))


def _apply_contacts(*, school: School, plan: PupilPlan, pupils: dict[str, Pupil]) -> dict[str, int]:
    """Guardians by (school, email); a guardian without an email by name among the pupil's own guardians.

    For each pupil in the file, the file's contacts become the pupil's links: a contact the MIS no longer
    lists is unlinked (the guardian record stays), so a parent who lost contact rights stops getting emails.
    """
    parts = plan.contact_parts_present
    guardians = {g.pk: g for g in Guardian.objects.filter(school=school)}
    by_email = {g.email.lower(): g for g in guardians.values() if g.email}
    # Plain values rather than model instances: a school has thousands of links and few of them change.
    links_by_pupil: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for link in PupilGuardian.objects.filter(pupil__school=school).values(
        "pk", "pupil_id", "guardian_id", "relationship", "contact_priority", "has_parental_responsibility"
    ):
        links_by_pupil[link["pupil_id"]][link["guardian_id"]] = link

    def same_name(guardian: Guardian, name: str) -> bool:
        return _squash(guardian.full_name).casefold() == name.casefold()

    # Who each file email is. Known addresses first; then a pupil's existing guardian with the same name,
    # whose address changed in the MIS; else someone new.
    by_file_email: dict[str, Guardian] = {}
    first_contact: dict[str, ContactRecord] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email:
                first_contact.setdefault(contact.email, contact)
                if contact.email in by_email:
                    by_file_email[contact.email] = by_email[contact.email]
    email_claimed = {g.pk for g in by_file_email.values()}
    for record in plan.pupils.values():
        pupil_links = links_by_pupil.get(pupils[record.upn].pk, {})
        for contact in record.contacts:
            if not contact.email or contact.email in by_file_email:
                continue
            candidates = [guardians[gid] for gid in sorted(pupil_links)
                          if gid not in email_claimed and same_name(guardians[gid], contact.name)]
            if candidates:
                by_file_email[contact.email] = candidates[0]
                email_claimed.add(candidates[0].pk)

    new_guardians: list[Guardian] = []
    changed_guardians: dict[int, Guardian] = {}
    changed_fields: set[str] = set()

    def update(guardian: Guardian, **values: str) -> None:
        for name, value in values.items():
            if getattr(guardian, name) != value:
                setattr(guardian, name, value)
                changed_fields.add(name)
                if guardian.pk:
                    changed_guardians[guardian.pk] = guardian

    phones: dict[str, str] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email and contact.phone:
                phones.setdefault(contact.email, contact.phone)
    for email, contact in first_contact.items():
        guardian = by_file_email.get(email)
        if guardian is None:
            guardian = Guardian(school_id=school.pk, full_name=contact.name, email=email, phone=phones.get(email, ""))
            new_guardians.append(guardian)
            by_file_email[email] = guardian
            continue
        values = {"full_name": contact.name, "email": email}
        if "phone" in parts:
            values["phone"] = phones.get(email, "")
        update(guardian, **values)

    # Each pupil's wanted links: (guardian, relationship, priority, parental responsibility).
    wanted: dict[str, list[tuple[Guardian, ContactRecord]]] = {}
    for record in plan.pupils.values():
        pupil_links = links_by_pupil.get(pupils[record.upn].pk, {})
        used: set[int] = set()
        pairs: list[tuple[Guardian, ContactRecord]] = []
        for contact in record.contacts:
            if contact.email:
                guardian = by_file_email[contact.email]
            else:
                guardian = next(
                    (guardians[gid] for gid in sorted(pupil_links)
                     if gid not in email_claimed and gid not in used and same_name(guardians[gid], contact.name)),
                    None,
                )
                if guardian is None:
                    guardian = Guardian(school_id=school.pk, full_name=contact.name, email="", phone=contact.phone)
                    new_guardians.append(guardian)
                else:
                    values = {"email": ""} if "email" in parts else {}
                    if "phone" in parts:
                        values["phone"] = contact.phone
                    update(guardian, **values)
            if guardian.pk and guardian.pk in used:
                continue
            if guardian.pk:
                used.add(guardian.pk)
            pairs.append((guardian, contact))
        wanted[record.upn] = pairs

    if changed_guardians:
        Guardian.objects.bulk_update(list(changed_guardians.values()), sorted(changed_fields))
    Guardian.objects.bulk_create(new_guardians)
    if any(g.pk is None for g in new_guardians):
        # Without returned ids, match the new rows back by (email or name) among the ids created just now.
        newest = Guardian.objects.filter(school=school).order_by("-pk")[: len(new_guardians)]
        for guardian, pk in zip(new_guardians, sorted(g.pk for g in newest), strict=True):
            guardian.pk = pk

    new_links: list[PupilGuardian] = []
    changed_links: list[PupilGuardian] = []
    link_fields: set[str] = set()
    removed: list[int] = []
    for upn, pairs in wanted.items():
        pupil = pupils[upn]
        current = dict(links_by_pupil.get(pupil.pk, {}))
        for guardian, contact in pairs:
            link = current.pop(guardian.pk, None)
            values: dict[str, Any] = {"contact_priority": contact.priority}
            if "relationship" in parts:
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
    return {
        "guardians_created": len(new_guardians),
        "guardians_updated": len(changed_guardians),
        "links_created": len(new_links),
        "links_updated": len(changed_links),
        "links_removed": len(removed),
    }
