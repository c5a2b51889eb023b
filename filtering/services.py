"""Writes for web filtering. Every step is a ``FilterEvent`` appended to the school's hash chain, in the same
transaction as the change to the request's projection, so the record and the log never disagree.

Views, reminders, demo data and benchmarks all go through these functions.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import hashlib
import json
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from incidents import services as incident_services
from incidents.categories import Category
from incidents.models import Device, Incident, Location
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Cap, capabilities_for
from safeguarding_portal.audit import chain
from safeguarding_portal.schools.models import School

from .models import (
    Action,
    ChangeRequest,
    CheckMethod,
    CounterNumber,
    EventKind,
    FilterCheck,
    FilterEvent,
    FilterReview,
    FollowUpKind,
    Responsibility,
    ReviewAction,
    ReviewKind,
    RiskAssessment,
    RiskView,
    Scope,
    Source,
    State,
    TargetKind,
    VendorEntry,
    VendorFollowUp,
)

_clock: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("filtering_clock", default=None)


def _now() -> datetime.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def backdated(at: datetime.datetime):
    """For demo data and benchmarks only: record steps as if they happened at ``at``."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


# The IWF's child sexual abuse list and the Home Office's counter-terrorism (CTIRU) list may never be
# weakened (DfE filtering standards; Prevent duty). A request that names them, or the categories they feed,
# is refused outright and the refusal is logged with this reason.
PROTECTED_REASON = (
    "The Internet Watch Foundation (IWF) child sexual abuse list and the police counter-terrorism (CTIRU) list "
    "must never be switched off or weakened. This request cannot be approved by anyone at the school."
)
_PROTECTED = re.compile(
    r"\b(iwf|internet\s+watch\s+foundation|ctiru|counter[\s-]*terror\w*|terroris[mt]\w*|"
    r"child\s+(sexual\s+)?abuse|csam|caic|illegal\s+child|indecent\s+images?|iioc)\b",
    re.IGNORECASE,
)
# Words a vendor's own category names use for the lists, so "Allow category: Terrorist content" is caught.
MAX_REQUEST_DAYS = 366 * 2
PERMANENT_MIN_CHARS = 10
# An over-block report asks for a temporary allow; the approver sets the real expiry.
DEFAULT_OVERBLOCK_DAYS = 14


def weakens_protected_lists(*, action: str, target: str, target_kind: str = "", reason: str = "") -> bool:
    """True when the request would let through what the IWF or CTIRU lists block."""
    if action != Action.ALLOW:
        return False
    return bool(_PROTECTED.search(target) or (target_kind == "category" and _PROTECTED.search(reason)))


def holds(user: User, school: School, capability: Cap) -> bool:
    """Whether ``user`` holds ``capability`` at ``school`` (services check again: views are not the only caller)."""
    roles = set(Membership.objects.current().filter(user=user, school=school).values_list("role", flat=True))
    return capability in capabilities_for(roles)


def _event(
    *,
    school: School,
    kind: str,
    actor: User | None,
    summary: str,
    change: ChangeRequest | None = None,
    data: dict | None = None,
    at: datetime.datetime | None = None,
) -> FilterEvent:
    event = FilterEvent(
        school=school,
        change=change,
        change_reference=change.reference if change else "",
        kind=kind,
        actor=actor,
        actor_name=actor.full_name if actor else "Safeguarding Portal",
        at=at or _now(),
        summary=summary[:500],
        # Dates become text before hashing, so the hash of what is stored equals the hash computed now.
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )
    return chain.append(event)


def _next_number(school: School) -> int:
    counter, _ = CounterNumber.objects.get_or_create(school=school)
    CounterNumber.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    return counter.last_number


def normalise_target(value: str) -> str:
    """What two spellings of one site have in common: no scheme, no www., no trailing slash, lower case."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.sub(r"^www\.", "", text)
    return text.rstrip("/")


def host_of(value: str) -> str:
    return normalise_target(value).split("/", 1)[0].split("?", 1)[0]


# --- Change requests ----------------------------------------------------------------------------------


@transaction.atomic
def change_request(
    *,
    school: School,
    requester: User,
    action: str,
    target_kind: str,
    target: str,
    scope: str,
    reason: str,
    scope_detail: str = "",
    needed_until: datetime.date | None = None,
    source: str = Source.REQUEST,
    incident_reference: str = "",
    submission_token: uuid.UUID | None = None,
) -> ChangeRequest:
    """Record a request. One that would weaken the IWF or CTIRU lists is refused at once, with the reason."""
    if submission_token is not None:
        existing = ChangeRequest.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            if existing.requested_by_id != requester.pk:
                raise ValidationError("This form was already used. Please start a new request.")
            return existing
    target = target.strip()
    if not target:
        raise ValidationError({"target": "Say what to allow or block."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the educational reason."})
    if scope in (Scope.YEAR_GROUP, Scope.DEVICE_GROUP) and not scope_detail.strip():
        raise ValidationError({"scope_detail": "Say which year group or device group."})
    now = _now()
    if needed_until is not None and needed_until < timezone.localdate(now):
        raise ValidationError({"needed_until": "That date has passed."})
    change = ChangeRequest.objects.create(
        school=school,
        number=_next_number(school),
        submission_token=submission_token or uuid.uuid4(),
        source=source,
        incident_reference=incident_reference,
        requested_by=requester,
        requested_at=now,
        action=action,
        target_kind=target_kind,
        target=target,
        scope=scope,
        scope_detail=scope_detail.strip(),
        reason=reason.strip(),
        needed_until=needed_until,
    )
    _event(
        school=school,
        change=change,
        kind=EventKind.REQUESTED,
        actor=requester,
        at=now,
        summary=f"{change.reference} requested: {change.summary} for {change.get_scope_display().lower()}",
        data={
            "action": action,
            "target_kind": target_kind,
            "target": target,
            "scope": scope,
            "scope_detail": change.scope_detail,
            "reason": change.reason,
            "source": source,
            "needed_until": needed_until,
            "incident": incident_reference,
        },
    )
    if weakens_protected_lists(action=action, target=target, target_kind=target_kind, reason=reason):
        change.state = State.REFUSED
        change.decided_at = now
        change.decision_reason = PROTECTED_REASON
        change.save(update_fields=["state", "decided_at", "decision_reason"])
        _event(
            school=school,
            change=change,
            kind=EventKind.REFUSED,
            actor=None,
            at=now,
            summary=f"{change.reference} refused outright: it would weaken a protected block list",
            data={"reason": PROTECTED_REASON},
        )
    return change


@transaction.atomic
def assess(
    *, change: ChangeRequest, by: User, view: str, rating: str, assessment: str, mitigations: str = ""
) -> RiskAssessment:
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.state != State.REQUESTED:
        raise ValidationError("Only a request awaiting approval can be risk-assessed.")
    if not holds(by, change.school, Cap.ASSESS_FILTER_RISK):
        raise ValidationError("You cannot risk-assess filtering changes.")
    if view == RiskView.TECHNICAL and not holds(by, change.school, Cap.APPLY_FILTER_CHANGE):
        raise ValidationError("The technical view is given by a technician with filtering management status.")
    if not assessment.strip():
        raise ValidationError({"assessment": "Write the assessment."})
    record = RiskAssessment.objects.create(
        change=change,
        view=view,
        assessed_by=by,
        assessed_at=_now(),
        rating=rating,
        assessment=assessment.strip(),
        mitigations=mitigations.strip(),
    )
    _event(
        school=change.school,
        change=change,
        kind=EventKind.ASSESSED,
        actor=by,
        at=record.assessed_at,
        summary=(
            f"{change.reference}: {record.get_view_display().lower()}, risk {record.get_rating_display().lower()}"
        ),
        data={"view": view, "rating": rating, "assessment": record.assessment, "mitigations": record.mitigations},
    )
    return record


def missing_views(change: ChangeRequest) -> list[str]:
    given = set(change.assessments.values_list("view", flat=True))
    return [label for value, label in RiskView.choices if value not in given]


def longer_than_asked(change: ChangeRequest, expires_on: datetime.date | None) -> bool:
    """An allow given an expiry after the requester's "needed until". (A permanent allow is longer too, and
    already needs its reason: ``permanent_reason``, which the requester reads the same way.)"""
    if change.action != Action.ALLOW or change.needed_until is None or expires_on is None:
        return False
    return expires_on > change.needed_until


def _decider_checks(change: ChangeRequest, by: User) -> None:
    if change.state != State.REQUESTED:
        raise ValidationError(f"{change.reference} is {change.get_state_display().lower()}, not awaiting approval.")
    if by.pk == change.requested_by_id:
        raise ValidationError("You made this request, so someone else must decide it (four eyes).")
    if not holds(by, change.school, Cap.APPROVE_FILTER_CHANGE):
        raise ValidationError("Only a senior leader can approve or reject filtering changes.")


@transaction.atomic
def approve(
    *,
    change: ChangeRequest,
    by: User,
    reason: str,
    expires_on: datetime.date | None = None,
    permanent_reason: str = "",
    longer_reason: str = "",
) -> ChangeRequest:
    """Approve a request. An allow needs an expiry (or why it is permanent), and an expiry later than the
    requester's "needed until" needs the reason, which the requester sees on the request's page."""
    change = ChangeRequest.objects.select_for_update().select_related("school", "requested_by").get(pk=change.pk)
    _decider_checks(change, by)
    missing = missing_views(change)
    if missing:
        raise ValidationError(
            f"Risk-assess it first: the {' and the '.join(m.lower() for m in missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for approving."})
    now = _now()
    today = timezone.localdate(now)
    if expires_on is not None and expires_on <= today:
        raise ValidationError({"expires_on": "The expiry must be after today."})
    if expires_on is not None and expires_on > today + datetime.timedelta(days=MAX_REQUEST_DAYS):
        raise ValidationError({"expires_on": "Choose an expiry within two years; review it then."})
    if change.action == Action.ALLOW and expires_on is None and len(permanent_reason.strip()) < PERMANENT_MIN_CHARS:
        raise ValidationError({"expires_on": "An allow needs an expiry date, or record why it is permanent."})
    longer = longer_than_asked(change, expires_on)
    if longer and len(longer_reason.strip()) < PERMANENT_MIN_CHARS:
        raise ValidationError(
            {
                "longer_reason": (
                    f"{change.requested_by.full_name} asked for it until {change.needed_until:%d %b %Y}: choose that "
                    "date or earlier, or record why it should last longer (they will read it)."
                )
            }
        )
    change.state = State.APPROVED
    change.decided_by = by
    change.decided_at = now
    change.decision_reason = reason.strip()
    change.expires_on = expires_on
    change.permanent_reason = "" if expires_on else permanent_reason.strip()
    change.longer_reason = longer_reason.strip() if longer else ""
    change.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_at",
            "decision_reason",
            "expires_on",
            "permanent_reason",
            "longer_reason",
        ]
    )
    until = f"until {expires_on:%d %b %Y}" if expires_on else "permanently"
    if longer:
        until += f" (asked for until {change.needed_until:%d %b %Y})"
    _event(
        school=change.school,
        change=change,
        kind=EventKind.APPROVED,
        actor=by,
        at=now,
        summary=f"{change.reference} approved {until}: {change.summary}",
        data={
            "reason": change.decision_reason,
            "expires_on": expires_on,
            "permanent_reason": change.permanent_reason,
            "needed_until": change.needed_until,
            "longer_reason": change.longer_reason,
        },
    )
    return change


@transaction.atomic
def reject(*, change: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().select_related("school").get(pk=change.pk)
    _decider_checks(change, by)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for rejecting: the requester reads it."})
    change.state = State.REJECTED
    change.decided_by = by
    change.decided_at = _now()
    change.decision_reason = reason.strip()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    _event(
        school=change.school,
        change=change,
        kind=EventKind.REJECTED,
        actor=by,
        at=change.decided_at,
        summary=f"{change.reference} rejected: {change.summary}",
        data={"reason": change.decision_reason},
    )
    return change


@transaction.atomic
def apply(
    *, change: ChangeRequest, by: User, vendor_reference: str, applied_at: datetime.datetime | None = None
) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().select_related("school").get(pk=change.pk)
    if change.state != State.APPROVED:
        raise ValidationError(
            f"{change.reference} is {change.get_state_display().lower()}: only an approved change is applied."
        )
    if not holds(by, change.school, Cap.APPLY_FILTER_CHANGE):
        raise ValidationError("Only a technician with filtering management status applies changes.")
    if not vendor_reference.strip():
        raise ValidationError({"vendor_reference": "Give the filtering product's reference for the change."})
    now = _now()
    applied_at = applied_at or now
    if applied_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"applied_at": "That time is in the future."})
    if applied_at < change.decided_at:
        raise ValidationError({"applied_at": "A change cannot be applied before it was approved."})
    change.state = State.APPLIED
    change.applied_by = by
    change.applied_at = applied_at
    change.vendor_reference = vendor_reference.strip()
    change.save(update_fields=["state", "applied_by", "applied_at", "vendor_reference"])
    _event(
        school=change.school,
        change=change,
        kind=EventKind.APPLIED,
        actor=by,
        at=now,
        summary=f"{change.reference} applied in the filter (vendor ref. {change.vendor_reference})",
        data={"applied_at": applied_at, "vendor_reference": change.vendor_reference},
    )
    return change


@transaction.atomic
def revert(*, change: ChangeRequest, by: User, vendor_reference: str = "", note: str = "") -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().select_related("school").get(pk=change.pk)
    if change.state != State.APPLIED:
        raise ValidationError(
            f"{change.reference} is {change.get_state_display().lower()}: only an applied change is reverted."
        )
    if not holds(by, change.school, Cap.APPLY_FILTER_CHANGE):
        raise ValidationError("Only a technician with filtering management status reverts changes.")
    now = _now()
    late = change.is_overdue(timezone.localdate(now))
    change.state = State.REVERTED
    change.reverted_by = by
    change.reverted_at = now
    change.revert_reference = vendor_reference.strip()
    change.save(update_fields=["state", "reverted_by", "reverted_at", "revert_reference"])
    _event(
        school=change.school,
        change=change,
        kind=EventKind.REVERTED,
        actor=by,
        at=now,
        summary=f"{change.reference} reverted{' after its expiry' if late else ''}",
        data={"vendor_reference": change.revert_reference, "note": note.strip(), "late": late},
    )
    return change


@transaction.atomic
def record_overdue(*, change: ChangeRequest, today: datetime.date) -> FilterEvent | None:
    """Log, once, that a change passed its expiry without being reverted (the reminder sweep calls this)."""
    if not change.is_overdue(today) or FilterEvent.objects.filter(change=change, kind=EventKind.OVERDUE).exists():
        return None
    return _event(
        school=change.school,
        change=change,
        kind=EventKind.OVERDUE,
        actor=None,
        summary=f"{change.reference} passed its expiry ({change.expires_on:%d %b %Y}) and is still in place",
        data={"expires_on": change.expires_on},
    )


def report_site(*, school: School, reporter: User, data: dict) -> tuple[ChangeRequest, object | None]:
    """A breach: an incident in the incidents app plus a candidate block; an over-block: an allow request."""
    url = data["url"].strip()
    breach = data["kind"] == "breach"
    change_token = uuid.uuid5(data["token"], "change") if breach else data["token"]
    done = ChangeRequest.objects.filter(submission_token=change_token, requested_by=reporter).first()
    if done is not None:  # a double click: the first report stands, once
        return done, Incident.objects.filter(reference=done.incident_reference).first() if breach else None
    with transaction.atomic():
        if breach:
            incident = incident_services.incident_report(
                school=school,
                reporter=reporter,
                occurred_at=data["occurred_at"],
                location=data["location"],
                location_detail=data.get("location_detail", ""),
                category=Category.FILTERING_BREACH,
                description=f"Web address: {url}\n\n{data['description']}",
                device=data["device"],
                immediate_risk=bool(data.get("immediate_risk")),
                submission_token=data["token"],
                action_taken="Reported through the filtering form.",
            )
            change = change_request(
                school=school,
                requester=reporter,
                action=Action.BLOCK,
                target_kind=TargetKind.URL,
                target=url,
                scope=data.get("scope") or "all_pupils",
                reason=f"Got through the filter (concern {incident.reference}).",
                source=Source.BREACH,
                incident_reference=incident.reference,
                submission_token=change_token,
            )
        else:
            incident = None
            change = change_request(
                school=school,
                requester=reporter,
                action=Action.ALLOW,
                target_kind=TargetKind.URL,
                target=url,
                scope=data.get("scope") or "all_pupils",
                reason=data["description"],
                source=Source.OVERBLOCK,
                submission_token=change_token,
                needed_until=timezone.localdate(_now()) + datetime.timedelta(days=DEFAULT_OVERBLOCK_DAYS),
            )
        _event(
            school=school,
            change=change,
            kind=EventKind.REPORTED,
            actor=reporter,
            summary=f"{change.reference}: " + ("site that got through reported" if incident else "over-block reported"),
            data={"url": url, "incident": incident.reference if incident else ""},
        )
    return change, incident


# --- Following up a vendor change nobody approved -------------------------------------------------------
# The reconciliation (``vendor.reconciliation``) lists changes in the filter's own log that no approved request
# explains. Each gets one follow-up: a request raised afterwards (which then goes through risk assessment and
# approval like any other, and is reverted in the filter if rejected), a concern for the DSL team, or an
# explanation. The follow-up is a ``VendorFollowUp`` row and a ``FilterEvent`` in the school's chain.

EXPLANATION_MIN_CHARS = 10
_FOLLOW_UP_NAMESPACE = uuid.UUID("5a0f3c1e-7d4b-4f0e-9a55-2f5d8b6c1e01")


def describe_vendor_entry(entry: VendorEntry) -> str:
    """The vendor's row in words, as the log and the concern record it."""
    at = timezone.localtime(entry.at)
    ref = f", vendor ref. {entry.reference}" if entry.reference else ""
    return f"“{entry.action}” of {entry.target} by {entry.user} in the filter on {at:%d %b %Y %H:%M}{ref}"


def _locked_entry(entry: VendorEntry, by: User, kind: str) -> tuple[VendorEntry, VendorFollowUp | None]:
    """The entry, locked; and its follow-up if a double click already recorded this one."""
    entry = VendorEntry.objects.select_for_update().select_related("school").get(pk=entry.pk)
    if not holds(by, entry.school, Cap.RECONCILE_FILTER_LOG):
        raise ValidationError("Only those who reconcile the vendor's log follow up its changes.")
    if not entry.is_change or entry.explained_by_id is not None:
        raise ValidationError("An approved request already explains that change: there is nothing to follow up.")
    done = VendorFollowUp.objects.filter(entry=entry).select_related("change").first()
    if done is not None:
        if done.kind == kind and done.by_id == by.pk:
            return entry, done
        raise ValidationError(
            f"That change was already followed up: {done.get_kind_display().lower()} by "
            f"{done.by.full_name} on {timezone.localtime(done.at):%d %b %Y}."
        )
    return entry, None


def _record_follow_up(
    *,
    entry: VendorEntry,
    by: User,
    kind: str,
    summary: str,
    change: ChangeRequest | None = None,
    incident_reference: str = "",
    reason: str = "",
) -> VendorFollowUp:
    now = _now()
    follow_up = VendorFollowUp.objects.create(
        entry=entry,
        school=entry.school,
        kind=kind,
        change=change,
        incident_reference=incident_reference,
        reason=reason,
        by=by,
        at=now,
    )
    _event(
        school=entry.school,
        change=change,
        kind=EventKind.VENDOR_FOLLOW_UP,
        actor=by,
        at=now,
        summary=f"Unapproved vendor change {describe_vendor_entry(entry)}: {summary}",
        data={
            "entry": entry.pk,
            "import": entry.vendor_import_id,
            "row": entry.row,
            "vendor_at": entry.at,
            "vendor_user": entry.user,
            "vendor_action": entry.action,
            "vendor_target": entry.target,
            "vendor_reference": entry.reference,
            "follow_up": kind,
            "change": change.reference if change else "",
            "incident": incident_reference,
            "reason": reason,
        },
    )
    return follow_up


@transaction.atomic
def raise_retrospective_request(
    *,
    entry: VendorEntry,
    by: User,
    action: str,
    target_kind: str,
    scope: str,
    reason: str,
    scope_detail: str = "",
    needed_until: datetime.date | None = None,
) -> VendorFollowUp:
    """A change request raised afterwards for the vendor's change, to be risk-assessed and decided as usual."""
    entry, done = _locked_entry(entry, by, FollowUpKind.RETROSPECTIVE)
    if done is not None:
        return done
    if action == Action.ALLOW and needed_until is None:
        raise ValidationError({"needed_until": "Say until when it is needed: allows are temporary."})
    change = change_request(
        school=entry.school,
        requester=by,
        action=action,
        target_kind=target_kind,
        target=entry.target,
        scope=scope,
        scope_detail=scope_detail,
        needed_until=needed_until,
        source=Source.VENDOR_LOG,
        reason=f"{reason.strip()}\n\n(Raised afterwards: {describe_vendor_entry(entry)}, without an approved request.)",
        submission_token=uuid.uuid5(_FOLLOW_UP_NAMESPACE, f"retrospective:{entry.pk}"),
    )
    return _record_follow_up(
        entry=entry,
        by=by,
        kind=FollowUpKind.RETROSPECTIVE,
        change=change,
        summary=f"{change.reference} raised afterwards for approval",
    )


@transaction.atomic
def open_incident_for_vendor_change(
    *, entry: VendorEntry, by: User, description: str, immediate_risk: bool = False
) -> VendorFollowUp:
    """A concern for the DSL team about a change nobody approved (through the incidents app's own service)."""
    entry, done = _locked_entry(entry, by, FollowUpKind.INCIDENT)
    if done is not None:
        return done
    if not description.strip():
        raise ValidationError({"description": "Say what you know about the change and why it is a concern."})
    incident = incident_services.incident_report(
        school=entry.school,
        reporter=by,
        occurred_at=entry.at,
        location=Location.ON_SITE,
        category=Category.FILTERING_BREACH,
        device=Device.SCHOOL,
        immediate_risk=immediate_risk,
        description=f"{description.strip()}\n\nFound in the filter's own log: {describe_vendor_entry(entry)}. "
        "No approved change request explains it.",
        action_taken="Found by the reconciliation of the filtering product's log against approved changes.",
        submission_token=uuid.uuid5(_FOLLOW_UP_NAMESPACE, f"incident:{entry.pk}"),
    )
    return _record_follow_up(
        entry=entry,
        by=by,
        kind=FollowUpKind.INCIDENT,
        incident_reference=incident.reference,
        summary=f"concern {incident.reference} opened for the DSL team",
    )


@transaction.atomic
def explain_vendor_change(*, entry: VendorEntry, by: User, reason: str) -> VendorFollowUp:
    """Mark the change as explained, with the reason (for example a vendor's own update of its categories)."""
    entry, done = _locked_entry(entry, by, FollowUpKind.EXPLAINED)
    if done is not None:
        return done
    if len(reason.strip()) < EXPLANATION_MIN_CHARS:
        raise ValidationError({"reason": "Say what explains the change, so the next reader can check it."})
    return _record_follow_up(
        entry=entry, by=by, kind=FollowUpKind.EXPLAINED, reason=reason.strip(), summary=f"explained: {reason.strip()}"
    )


# --- Responsibilities ---------------------------------------------------------------------------------


@transaction.atomic
def record_responsibility(
    *,
    school: School,
    by: User,
    role: str,
    name: str,
    starts_on: datetime.date,
    user: User | None = None,
    organisation: str = "",
    email: str = "",
    phone: str = "",
) -> Responsibility:
    """A new holder of a role; the current holder's term ends the day before (history is kept)."""
    if not name.strip():
        raise ValidationError({"name": "Give the person's name."})
    current = Responsibility.objects.filter(school=school, role=role, ends_on__isnull=True)
    for old in current:
        if old.starts_on >= starts_on:
            raise ValidationError(
                {"starts_on": f"{old.name} started on {old.starts_on:%d %b %Y}; the new holder must start after that."}
            )
        old.ends_on = starts_on - datetime.timedelta(days=1)
        old.save(update_fields=["ends_on"])
    record = Responsibility.objects.create(
        school=school,
        role=role,
        user=user,
        name=name.strip(),
        organisation=organisation.strip(),
        email=email,
        phone=phone,
        starts_on=starts_on,
        recorded_by=by,
        recorded_at=_now(),
    )
    _event(
        school=school,
        kind=EventKind.RESPONSIBILITY,
        actor=by,
        summary=f"{record.get_role_display()}: {record.name} from {starts_on:%d %b %Y}",
        data={"role": role, "name": record.name, "organisation": record.organisation, "starts_on": starts_on},
    )
    return record


@transaction.atomic
def end_responsibility(*, record: Responsibility, by: User, ends_on: datetime.date) -> Responsibility:
    if record.ends_on is not None:
        raise ValidationError("That role has already ended.")
    if ends_on < record.starts_on:
        raise ValidationError({"ends_on": "The end date is before the start."})
    record.ends_on = ends_on
    record.save(update_fields=["ends_on"])
    _event(
        school=record.school,
        kind=EventKind.RESPONSIBILITY,
        actor=by,
        summary=f"{record.get_role_display()}: {record.name} until {ends_on:%d %b %Y}",
        data={"role": record.role, "name": record.name, "ends_on": ends_on},
    )
    return record


# --- Checks and reviews -------------------------------------------------------------------------------

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
_CERTIFICATE_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG"}


def certificate_problem(upload: UploadedFile | None) -> str | None:
    if upload is None:
        return None
    if upload.size > MAX_CERTIFICATE_BYTES:
        return "The certificate is larger than 10 MB."
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(m) for m in _CERTIFICATE_MAGIC):
        return "Attach the certificate as a PDF, PNG or JPEG file."
    return None


@transaction.atomic
def record_check(
    *,
    school: School,
    by: User,
    checked_on: datetime.date,
    method: str,
    device_type: str,
    location: str,
    user_group: str,
    passed: bool,
    what_was_tested: str,
    failures: str = "",
    actions: str = "",
    certificate: UploadedFile | None = None,
) -> FilterCheck:
    if checked_on > timezone.localdate(_now()):
        raise ValidationError({"checked_on": "That date is in the future."})
    if not passed and (not failures.strip() or not actions.strip()):
        raise ValidationError({"actions": "For a failed check, say what failed and the actions that followed."})
    problem = certificate_problem(certificate)
    if problem:
        raise ValidationError({"certificate": problem})
    check = FilterCheck(
        school=school,
        checked_on=checked_on,
        checked_by=by,
        method=method,
        device_type=device_type,
        location=location,
        user_group=user_group,
        passed=passed,
        what_was_tested=what_was_tested.strip(),
        failures=failures.strip(),
        actions=actions.strip(),
        recorded_at=_now(),
    )
    if certificate is not None:
        check.certificate_name = (certificate.name or "certificate")[:200]
        # Through the storage API under an unguessable name (see certificate_path).
        check.certificate.save(check.certificate_name, certificate, save=False)
    check.save()
    outcome = "passed" if passed else "FAILED"
    _event(
        school=school,
        kind=EventKind.CHECK,
        actor=by,
        summary=(
            f"Check {outcome} on {checked_on:%d %b %Y} ({CheckMethod(method).label}): "
            f"{check.get_device_type_display()}, {check.get_location_display()}, "
            f"{check.get_user_group_display()}"
        ),
        data={
            "check": check.pk,
            "passed": passed,
            "failures": check.failures,
            "actions": check.actions,
            "certificate_sha256": _sha256(certificate) if certificate else "",
        },
    )
    return check


def _sha256(upload: UploadedFile) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for part in upload.chunks():
        digest.update(part)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def record_review(
    *,
    school: School,
    by: User,
    kind: str,
    held_on: datetime.date,
    findings: str,
    senior_leader: str = "",
    dsl: str = "",
    it_provider: str = "",
    governor: str = "",
    others: str = "",
    trigger: str = "",
    trigger_detail: str = "",
    actions: list[dict] = (),
) -> FilterReview:
    if held_on > timezone.localdate(_now()):
        raise ValidationError({"held_on": "Record a review once it has taken place."})
    if kind == ReviewKind.OUT_OF_CYCLE and not trigger:
        raise ValidationError({"trigger": "Say what triggered this out-of-cycle review."})
    if not findings.strip():
        raise ValidationError({"findings": "Write down the findings."})
    review = FilterReview.objects.create(
        school=school,
        kind=kind,
        held_on=held_on,
        trigger=trigger if kind == ReviewKind.OUT_OF_CYCLE else "",
        trigger_detail=trigger_detail.strip(),
        senior_leader=senior_leader.strip(),
        dsl=dsl.strip(),
        it_provider=it_provider.strip(),
        governor=governor.strip(),
        others=others.strip(),
        findings=findings.strip(),
        recorded_by=by,
        recorded_at=_now(),
    )
    for item in actions:
        owner = item.get("owner")
        ReviewAction.objects.create(
            review=review,
            text=item["text"],
            owner=owner,
            owner_name=owner.full_name if owner else item.get("owner_name", ""),
            due_on=item["due_on"],
        )
    _event(
        school=school,
        kind=EventKind.REVIEW,
        actor=by,
        summary=f"{review.get_kind_display()} held on {held_on:%d %b %Y}"
        + (f" (trigger: {review.get_trigger_display().lower()})" if review.trigger else ""),
        data={
            "review": review.pk,
            "findings": review.findings,
            "participants": dict(review.participants),
            "actions": [{"text": a["text"], "due_on": a["due_on"]} for a in actions],
        },
    )
    return review


@transaction.atomic
def complete_action(*, action: ReviewAction, by: User, done_on: datetime.date | None = None) -> ReviewAction:
    if action.done_on is not None:
        return action
    action.done_on = done_on or timezone.localdate(_now())
    action.save(update_fields=["done_on"])
    _event(
        school=action.review.school,
        kind=EventKind.REVIEW,
        actor=by,
        summary=f"Review action done: {action.text}",
        data={"action": action.pk, "done_on": action.done_on},
    )
    return action
