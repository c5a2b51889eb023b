"""Searching and confiscating pupils' devices: the record of each search, and what happened afterwards.

Who authorised the search (the headteacher, or a member of staff they authorised), who searched, the witness,
the pupil, the grounds and reason, what was looked at, what was found, whether anything was deleted, whether
parents were told and what became of the device. Written once, hash-chained per school; later steps (parents
told, the device returned or handed to the police, notes) are entries. A search linked to a case is also an
entry on the case's timeline. Where a child may be at risk nothing may be deleted and the search goes to the
DSL team as a case (a new one, reported by whoever records the search, when there is none yet).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import STAFF_ROLES, Cap, Role
from safeguarding_portal.audit import chain
from safeguarding_portal.schools.models import Pupil, School

from . import access, services
from .categories import Category
from .models import (
    DeviceOutcome,
    DeviceSearch,
    DeviceSearchEntry,
    DeviceSearchEntryKind,
    EntryKind,
    Incident,
    PupilRole,
    SearchAuthority,
    Status,
)

# The school's online-safety policy (seed policy, "Responding to online safety incidents"), word for word: the
# form shows it beside the question about deleting anything.
POLICY_POWERS = (
    "The Education Act 2011 gives school staff the powers, in some circumstances, to search personal digital "
    "devices and decide whether or not to delete data or files if the person thinks there is good reason to do so."
)
POLICY_RISK = (
    "However, there is a risk that this could conflict with guidance about dealing with incidents where a child "
    "may be at risk and it may be inadvisable to delete, save or share content. The school will always seek to "
    "resolve areas of concern in line with safeguarding procedures, and with parents where appropriate, before "
    "taking any further action."
)
NEVER_DELETE = (
    "Where a child may be at risk, nothing is deleted: the device is kept safe and the search goes to the "
    "Designated Safeguarding Lead as a case."
)

# Categories a search that found a risk to a child may be reported under (allegations about staff go their
# own way, to the headteacher).
AT_RISK_CATEGORIES = [c for c in Category if c != Category.STAFF_CONDUCT]


def _now() -> datetime.datetime:
    return timezone.now()


def _works_here(school: School, user: User | None, roles=STAFF_ROLES) -> bool:
    return user is not None and Membership.objects.current().filter(school=school, user=user, role__in=roles).exists()


@dataclass(frozen=True)
class NewCase:
    """What the case gets when a search that found a risk to a child has none yet."""

    category: str
    immediate_risk: bool = False


@transaction.atomic
def search_record(  # noqa: C901  # one flat check per field of the record, as the form lists them
    *,
    school: School,
    by: User,
    pupil: Pupil,
    searched_at: datetime.datetime,
    device: str,
    authorised_by: User,
    authority: str,
    searched_by: User,
    witness: User | None,
    no_witness_reason: str,
    grounds: str,
    reason: str,
    looked_at: str,
    found: str,
    child_at_risk: bool,
    deleted: bool,
    deleted_what: str = "",
    deletion_reason: str = "",
    parents_informed: bool,
    parents_note: str = "",
    outcome: str,
    incident: Incident | None = None,
    new_case: NewCase | None = None,
) -> DeviceSearch:
    """Record a search. Where a child may be at risk, nothing may have been deleted, and the search is linked
    to ``incident`` or, without one, to a new case reported from it (``new_case``), which alerts the DSL team."""
    now = _now()
    errors: dict[str, str] = {}
    if pupil.school_id != school.pk:
        errors["pupil"] = "Choose a pupil of this school."
    if searched_at > now + datetime.timedelta(minutes=5):
        errors["searched_at"] = "The search cannot be in the future."
    if authority == SearchAuthority.HEADTEACHER and not _works_here(school, authorised_by, (Role.HEADTEACHER,)):
        errors["authorised_by"] = (
            "Only the headteacher authorises as the headteacher: otherwise choose a member "
            "of staff the headteacher has authorised."
        )
    elif authority not in SearchAuthority.values or not _works_here(school, authorised_by):
        errors["authorised_by"] = "Choose who authorised the search from the school's staff."
    if not _works_here(school, searched_by):
        errors["searched_by"] = "Choose who searched from the school's staff."
    if witness is not None and not _works_here(school, witness):
        errors["witness"] = "Choose the witness from the school's staff."
    if witness is None and not no_witness_reason.strip():
        errors["no_witness_reason"] = "Name the witness, or say why there was none."
    for name, value in (("device", device), ("reason", reason), ("looked_at", looked_at), ("found", found)):
        if not value.strip():
            errors[name] = "This is needed."
    if child_at_risk and deleted:
        errors["deleted"] = NEVER_DELETE
    elif deleted and not (deleted_what.strip() and deletion_reason.strip()):
        errors["deleted_what"] = "Say what was deleted and why."
    if outcome not in DeviceOutcome.values:
        errors["outcome"] = "Say what happened to the device."
    if incident is not None and incident.school_id != school.pk:
        errors["incident"] = "Choose a case of this school."
    if child_at_risk and incident is None and (new_case is None or new_case.category not in AT_RISK_CATEGORIES):
        errors["new_case_category"] = "Say what kind of concern it is, so the DSL gets it as a case."
    if errors:
        raise ValidationError(errors)

    if child_at_risk and incident is None:
        incident = services.incident_report(
            school=school,
            reporter=by,
            occurred_at=searched_at,
            location="on_site",
            category=new_case.category,
            immediate_risk=new_case.immediate_risk,
            device="personal",
            device_detail=device.strip()[:200],
            # Words only: what was found is described, never kept (no image is stored for any search).
            description=f"Found when a device was searched: {found.strip()}\n\nWhy it was searched: {reason.strip()}",
            action_taken="The device was searched and kept safe; nothing was deleted.",
            pupils=[services.PupilInvolvement(pupil.pk, PupilRole.INVOLVED)],
        )
    search = chain.append(
        DeviceSearch(
            school=school,
            pupil=pupil,
            incident=incident,
            searched_at=searched_at,
            device=device.strip()[:200],
            authorised_by=authorised_by,
            authority=authority,
            searched_by=searched_by,
            witness=witness,
            no_witness_reason="" if witness else no_witness_reason.strip()[:300],
            grounds=grounds,
            reason=reason.strip(),
            looked_at=looked_at.strip(),
            found=found.strip(),
            child_at_risk=child_at_risk,
            deleted=deleted,
            deleted_what=deleted_what.strip() if deleted else "",
            deletion_reason=deletion_reason.strip() if deleted else "",
            parents_informed=parents_informed,
            parents_note=parents_note.strip()[:300],
            outcome=outcome,
            recorded_by=by,
            recorded_at=now,
        )
    )
    if incident is not None:
        _on_the_case(search=search, by=by)
    return search


def _on_the_case(*, search: DeviceSearch, by: User) -> None:
    """The search as an entry on its case's timeline (the case's story shows it; the record stays apart)."""
    incident = services._lock(search.incident)
    services._entry(
        incident=incident,
        kind=EntryKind.DEVICE_SEARCHED,
        author=by,
        text=f"{search.device}: {search.found}",
        data={
            "search_id": search.pk,
            "grounds": search.grounds,
            "deleted": search.deleted,
            "outcome": search.outcome,
            "child_at_risk": search.child_at_risk,
        },
    )


def _entry(*, search: DeviceSearch, by: User, kind: str, text: str = "", outcome: str = "") -> DeviceSearchEntry:
    if search.pupil_id is None:  # only a search disposed of with its case has no pupil (incidents.disposal)
        raise ValidationError("This search was disposed of under the retention schedule: nothing more is added to it.")
    try:
        with transaction.atomic():
            return chain.append(
                DeviceSearchEntry(
                    school_id=search.school_id,
                    search=search,
                    kind=kind,
                    outcome=outcome,
                    author=by,
                    at=_now(),
                    text=text.strip(),
                )
            )
    except IntegrityError as exc:
        raise ValidationError("That is recorded already.") from exc


@transaction.atomic
def search_parents_informed(*, search: DeviceSearch, by: User, text: str) -> DeviceSearchEntry:
    if search.parents_informed:
        raise ValidationError("Parents were informed when the search was recorded.")
    if not text.strip():
        raise ValidationError({"text": "Say who was told, when and how."})
    return _entry(search=search, by=by, kind=DeviceSearchEntryKind.PARENTS_INFORMED, text=text)


@transaction.atomic
def search_outcome(*, search: DeviceSearch, by: User, outcome: str, text: str = "") -> DeviceSearchEntry:
    if outcome not in DeviceOutcome.values or outcome == DeviceOutcome.HELD:
        raise ValidationError({"outcome": "Say whether the device was returned or handed to the police."})
    if current_outcome(search) != DeviceOutcome.HELD:
        raise ValidationError("The device is no longer held by the school.")
    if outcome == DeviceOutcome.POLICE and not text.strip():
        raise ValidationError({"text": "Give the officer's name or the police reference."})
    return _entry(search=search, by=by, kind=DeviceSearchEntryKind.OUTCOME, outcome=outcome, text=text)


@transaction.atomic
def search_note(*, search: DeviceSearch, by: User, text: str) -> DeviceSearchEntry:
    if not text.strip():
        raise ValidationError({"text": "Write the note."})
    return _entry(search=search, by=by, kind=DeviceSearchEntryKind.NOTE, text=text)


# --- Reading --------------------------------------------------------------------------------------------


def current_outcome(search: DeviceSearch) -> str:
    last = search.entries.filter(kind=DeviceSearchEntryKind.OUTCOME).order_by("-seq").first()
    return last.outcome if last is not None else search.outcome


def _informed_later() -> Exists:
    return Exists(DeviceSearchEntry.objects.filter(search=OuterRef("pk"), kind=DeviceSearchEntryKind.PARENTS_INFORMED))


def searches(*, school: School) -> QuerySet[DeviceSearch]:
    """The school's searches, newest first, with whether parents have been told by now."""
    return (
        DeviceSearch.objects.filter(school=school)
        .annotate(informed_later=_informed_later())
        .select_related("pupil", "searched_by", "incident")
    )


def staff_people(*, school: School) -> QuerySet[User]:
    """People who work at the school (not governors or parents): who may authorise, search or witness."""
    ids = Membership.objects.current().filter(school=school, role__in=STAFF_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


def cases_to_link(*, portal) -> QuerySet[Incident]:
    """Open pupils' cases the person may open, to link a search to (newest first)."""
    return (
        Incident.objects.filter(access.case_visibility(portal))
        .filter(route="dsl")
        .exclude(status=Status.CLOSED)
        .order_by("-reported_at")
    )


def figures(*, school: School, t_from: datetime.datetime, t_to: datetime.datetime) -> dict[str, int]:
    """Counts of the searches in [t_from, t_to) for the governor report (no pupil, no device, no content)."""
    handed = Exists(
        DeviceSearchEntry.objects.filter(
            search=OuterRef("pk"), kind=DeviceSearchEntryKind.OUTCOME, outcome=DeviceOutcome.POLICE
        )
    )
    row = DeviceSearch.objects.filter(school=school, searched_at__gte=t_from, searched_at__lt=t_to).aggregate(
        total=Count("pk"),
        linked=Count("pk", filter=Q(incident__isnull=False)),
        at_risk=Count("pk", filter=Q(child_at_risk=True)),
        deleted=Count("pk", filter=Q(deleted=True)),
        police=Count("pk", filter=Q(outcome=DeviceOutcome.POLICE) | Q(handed)),
        parents=Count("pk", filter=Q(parents_informed=True) | Q(_informed_later())),
    )
    return {k: v or 0 for k, v in row.items()}


def chronology_section(*, portal, pupil: Pupil) -> dict | None:
    """Registered with incidents.chronology: searches of the pupil's devices, for those who may read them."""
    if portal.school is None or pupil.school_id != portal.school.pk or not portal.can(Cap.DEVICE_SEARCHES):
        return None
    found = list(searches(school=portal.school).filter(pupil=pupil).order_by("searched_at", "pk"))
    return {"template": "incidents/_chronology_device_searches.html", "searches": found} if found else None
