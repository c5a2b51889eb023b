"""Writes for monitoring alerts. Every change is an ``AlertEvent`` on the school's hash chain; the alert's
projection columns are updated alongside, in the same transaction.

All three ways in (a CSV export, the vendor's webhook, a forwarded email) call ``alert_receive``: pupils are
matched, the vendor's id is taken once, repeats fold into one alert with a count, suspected indecent imagery
is never stored, and critical alerts page the DSL team.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from incidents import access
from incidents import services as incident_services
from incidents.categories import Category
from incidents.models import Device, EntryKind, Location, PupilRole
from safeguarding_portal.accounts.context import acting_as
from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit import chain
from safeguarding_portal.core import bulk
from safeguarding_portal.schools.models import Pupil, School

from .models import (
    OPEN_STATES,
    SEVERITY_RANK,
    AlertEvent,
    Channel,
    EventKind,
    ImportRun,
    InboundMessage,
    MonitoringAlert,
    Outcome,
    Severity,
    State,
    UsernameMapping,
)

# Policy 9.1 / 9.3 of the seed policy: "The school will not send, share or save content suspected to be an
# indecent image of children". What the portal says in its place, wherever the capture would be shown.
IMAGERY_WITHHELD = (
    "The monitoring product flagged this capture as a suspected indecent image of a child. The school will not "
    "send, share or save content suspected to be an indecent image of children, so the portal has kept only the "
    "alert's details. View the capture only in the vendor's console, do not copy, print or forward it, and follow "
    "the procedure for indecent images of children (IIOC)."
)
# Vendor rule names that mean suspected indecent imagery of a child, whatever the vendor calls it.
_IMAGERY_WORDS = re.compile(
    r"indecent|iioc|csam|csae|child sexual abuse|child abuse imag|nude|nudity|sexting|self[- ]generated|"
    r"sexual imag|youth[- ]produced|explicit imag|porn",
    re.IGNORECASE,
)

MAX_CAPTURE_CHARS = 20_000
MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
SCREENSHOT_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
CLOSE_REASON_MIN_CHARS = 10
# Up to this many new alerts are inserted with one INSERT ... RETURNING (no ids to reserve first); more by COPY.
FEW_ALERTS = 50


def fold_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "MONITORING_FOLD_MINUTES", 60))


def pickup_minutes() -> int:
    return getattr(settings, "MONITORING_PICKUP_MINUTES", 15)


@dataclass
class IncomingAlert:
    """One alert as a vendor reported it, before it is matched, folded and stored."""

    vendor: str
    rule: str
    severity: str  # the portal's Severity, already mapped from the vendor's level
    activity_at: datetime.datetime
    vendor_severity: str = ""
    username: str = ""
    user_email: str = ""
    device: str = ""
    captured_text: str = ""
    external_id: str = ""
    screenshot: bytes | None = None
    suspected_imagery: bool = False  # the vendor says so (a flag in its payload)


@dataclass
class ReceiveResult:
    created: list[MonitoringAlert] = field(default_factory=list)
    folded: list[MonitoringAlert] = field(default_factory=list)  # the alerts repeats were folded into
    duplicates: list[MonitoringAlert] = field(default_factory=list)  # the vendor's id was already taken

    @property
    def alerts(self) -> list[MonitoringAlert]:
        return [*self.created, *self.folded, *self.duplicates]


def is_suspected_imagery(incoming: IncomingAlert) -> bool:
    return incoming.suspected_imagery or bool(_IMAGERY_WORDS.search(incoming.rule))


def _fold(value: str) -> str:
    return value.strip().casefold()


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def match_pupils(*, school: School, names: set[str]) -> dict[str, int]:
    """Folded user name or address -> pupil id: the MIS import's network user name and school email first,
    then the names the DSL team matched by hand. One statement per chunk (both sources in one UNION ALL): a
    webhook post asks this for every alert."""
    found: dict[str, int] = {}
    names = {n for n in names if n}
    if not names:
        return found
    for part in _chunks(sorted(names)):
        from_mis = (
            Pupil.objects.filter(school=school)
            .annotate(lu=Lower("network_username"), le=Lower("school_email"), by_hand=Value(False))
            .filter(Q(lu__in=part) | Q(le__in=part))
            .order_by()
            .values_list("by_hand", "pk", "lu", "le")
        )
        by_hand = (
            UsernameMapping.objects.filter(school=school, username__in=part)
            .annotate(by_hand=Value(True), le=Value(""))
            .order_by()
            .values_list("by_hand", "pupil_id", "username", "le")
        )
        # The MIS import's names first, whatever order the union comes back in.
        for _, pk, username, email in sorted(from_mis.union(by_hand, all=True), key=lambda row: row[0]):
            for key in (username, email):
                if key in names:
                    found.setdefault(key, pk)
    return found


def _sniff_screenshot(data: bytes) -> str | None:
    return next((t for magic, t in SCREENSHOT_TYPES.items() if data.startswith(magic)), None)


def _event(
    *,
    alert: MonitoringAlert,
    kind: str,
    by: User | None,
    at: datetime.datetime,
    text: str = "",
    data: dict | None = None,
) -> AlertEvent:
    return AlertEvent(
        school_id=alert.school_id,
        alert=alert,
        kind=kind,
        author=by,
        author_name=by.full_name if by else "Safeguarding Portal",
        at=at,
        text=text,
        data=data or {},
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _identity(alert_like, pupil_id: int | None) -> str:
    """Who an alert is about, for folding: the pupil, else the user name, else the device ("" = nobody)."""
    if pupil_id:
        return f"pupil:{pupil_id}"
    name = _fold(alert_like.username or alert_like.user_email)
    if name:
        return f"user:{name}"
    return f"device:{_fold(alert_like.device)}" if alert_like.device.strip() else ""


# No savepoint: every caller is itself in a transaction that an error here rolls back whole (a webhook post, an
# upload, an email), and SAVEPOINT / RELEASE were two of a webhook post's statements.
@transaction.atomic(savepoint=False)
def alert_receive(  # noqa: C901  # the one way in for three channels: not yet split into steps
    *,
    school: School,
    incoming: Sequence[IncomingAlert],
    channel: str,
    by: User | None = None,
    import_run: ImportRun | None = None,
    message: InboundMessage | None = None,
    received_at: datetime.datetime | None = None,
    page: bool = True,
    before_chain: Callable[[ReceiveResult], None] | None = None,
) -> ReceiveResult:
    """Take alerts in: the one way in for CSV, webhook and email. Queries do not grow with the batch beyond
    its chunks (lookups by name and id in bulk, one bulk insert of alerts and one of their events).

    The school's chain head is taken last: every lookup, the alerts' rows, the pages of critical alerts and
    ``before_chain`` (the webhook's delivery row) come first, and one ``append_many`` then chains all of the
    batch's events, so posts from one school hold the head only for that append and COMMIT."""
    now = received_at or timezone.now()
    result = ReceiveResult()
    rows = sorted(incoming, key=lambda a: a.activity_at)
    if not rows:
        return result
    if channel not in Channel.values:
        raise ValidationError(f"Unknown channel {channel!r}.")
    pupils = match_pupils(school=school, names={_fold(a.username) for a in rows} | {_fold(a.user_email) for a in rows})

    # The vendor's id is taken once: a webhook retried, or an export uploaded again, adds nothing.
    existing: dict[tuple[str, str], MonitoringAlert] = {}
    ids = sorted({(a.vendor, a.external_id.strip()[:120]) for a in rows if a.external_id.strip()})
    ids_wanted = set(ids)
    for part in _chunks(ids):
        q = Q(pk__in=[])
        for vendor in {v for v, _ in part}:
            q |= Q(vendor=vendor, external_id__in=[e for v, e in part if v == vendor])
        for alert in MonitoringAlert.objects.filter(school=school).filter(q):
            existing[(alert.vendor, alert.external_id)] = alert
    # ...and so is the id of a repeat that was folded into an alert: it lives on the alert's "repeated" event.
    for part in _chunks(sorted({e for _, e in ids})):
        for event in (
            AlertEvent.objects.filter(school=school, kind=EventKind.REPEATED, data__external_id__in=part)
            .select_related("alert")
            .order_by()
        ):
            key = (event.alert.vendor, event.data.get("external_id", ""))
            if key in ids_wanted:
                existing.setdefault(key, event.alert)

    # Open alerts a repeat may fold into: the same vendor and rule about the same person within the window.
    # Only those about the batch's people are read: the window of a busy school holds thousands of alerts, and
    # reading them all made every webhook post slower than the one before.
    window = fold_window()
    heads: dict[tuple, MonitoringAlert] = {}
    about = _about_the_same_people(rows, pupils)
    candidates = (
        MonitoringAlert.objects.filter(
            school=school,
            state__in=OPEN_STATES,
            vendor__in={a.vendor for a in rows},
            activity_at__gte=rows[0].activity_at - window,
            activity_at__lte=rows[-1].activity_at + window,
        )
        .annotate(lu=Lower("username"), le=Lower("user_email"), ld=Lower("device"))
        .filter(about)
        .order_by("activity_at", "pk")
        if about is not None
        else MonitoringAlert.objects.none()
    )
    for alert in candidates:
        ident = _identity(alert, alert.pupil_id)
        if ident:
            heads[(alert.vendor, _fold(alert.rule), ident)] = alert

    new_alerts: list[MonitoringAlert] = []
    repeats: list[tuple[MonitoringAlert, IncomingAlert]] = []
    touched: dict[int, MonitoringAlert] = {}  # existing alerts folded into (by id)
    seen_ids: dict[tuple[str, str], MonitoringAlert] = {}
    for row in rows:
        ext = row.external_id.strip()[:120]
        if ext and (row.vendor, ext) in existing:
            result.duplicates.append(existing[(row.vendor, ext)])
            continue
        if ext and (row.vendor, ext) in seen_ids:
            continue  # the same id twice in one batch
        withheld = is_suspected_imagery(row)
        pupil_id = pupils.get(_fold(row.username)) or pupils.get(_fold(row.user_email))
        ident = _identity(row, pupil_id)
        key = (row.vendor, _fold(row.rule), ident)
        head = heads.get(key) if ident else None
        if (
            head is not None
            and row.activity_at - (head.last_repeat_at or head.activity_at) <= window
            and row.activity_at >= head.activity_at - window
        ):
            head.repeat_count += 1
            head.last_repeat_at = max(row.activity_at, head.last_repeat_at or head.activity_at)
            if SEVERITY_RANK[row.severity] > SEVERITY_RANK[head.severity]:
                head.severity = row.severity
            repeats.append((head, row))
            if head.pk:
                touched[head.pk] = head
            if ext:
                seen_ids[(row.vendor, ext)] = head
            continue
        alert = MonitoringAlert(
            school=school,
            vendor=row.vendor,
            channel=channel,
            external_id=ext,
            rule=row.rule.strip()[:200],
            vendor_severity=row.vendor_severity.strip()[:40],
            reported_severity=row.severity,
            severity=row.severity,
            activity_at=row.activity_at,
            received_at=now,
            device=row.device.strip()[:200],
            username=row.username.strip()[:200],
            user_email=row.user_email.strip()[:254],
            captured_text="" if withheld else row.captured_text[:MAX_CAPTURE_CHARS],
            imagery_withheld=withheld,
            message=message,
            import_run=import_run,
            pupil_id=pupil_id,
            state=State.NEW,
        )
        if (
            row.screenshot
            and not withheld
            and len(row.screenshot) <= MAX_SCREENSHOT_BYTES
            and _sniff_screenshot(row.screenshot)
        ):
            alert.screenshot.save("capture", ContentFile(row.screenshot), save=False)
            alert.screenshot_sha256 = hashlib.sha256(row.screenshot).hexdigest()
        new_alerts.append(alert)
        if ext:
            seen_ids[(row.vendor, ext)] = alert
        if ident:
            heads[key] = alert

    # A few alerts (a webhook post) in one INSERT ... RETURNING; many (an export) by COPY, ids taken first.
    ids = bulk.reserve_ids(MonitoringAlert, len(new_alerts)) if len(new_alerts) > FEW_ALERTS else None
    if ids is None:
        MonitoringAlert.objects.bulk_create(new_alerts, batch_size=2000)
    else:
        # COPY on PostgreSQL (an export of 10,000 alerts): ids taken first, so the events can point at them.
        for alert, pk in zip(new_alerts, ids, strict=True):
            alert.pk = pk
            alert._state.adding = False
        bulk.insert_rows(MonitoringAlert, new_alerts, with_pk=True)
    events = [
        _event(
            alert=a,
            kind=EventKind.RECEIVED,
            by=None,
            at=now,
            text=f"{a.get_vendor_display()}: {a.rule} ({a.get_severity_display()})",
            data={
                "channel": channel,
                "external_id": a.external_id,
                "activity_at": a.activity_at.isoformat(),
                "severity": a.severity,
                "vendor_severity": a.vendor_severity,
                "pupil": a.pupil_id,
                "captured_sha256": _sha(a.captured_text),
                "screenshot_sha256": a.screenshot_sha256,
                "imagery_withheld": a.imagery_withheld,
                "message": message.pk if message else None,
                "import_run": import_run.pk if import_run else None,
            },
        )
        for a in new_alerts
    ]
    for head, row in repeats:
        withheld = is_suspected_imagery(row)
        events.append(
            _event(
                alert=head,
                kind=EventKind.REPEATED,
                by=None,
                at=now,
                text="" if withheld else row.captured_text[:MAX_CAPTURE_CHARS],
                data={
                    "channel": channel,
                    "external_id": row.external_id.strip()[:120],
                    "activity_at": row.activity_at.isoformat(),
                    "severity": row.severity,
                    "imagery_withheld": withheld,
                    "count": head.repeat_count,
                },
            )
        )
    if touched:
        MonitoringAlert.objects.bulk_update(list(touched.values()), ["repeat_count", "last_repeat_at", "severity"])
    result.created = new_alerts
    result.folded = list({id(h): h for h, _ in repeats}.values())
    if page:
        from . import paging  # why: a cycle (monitoring.paging imports this module)

        # Pages (who is on duty, the email and texts in the outbox) are written here, in the same transaction
        # as the alerts, so a critical alert is never stored unpaged; their "paged" events join the batch's.
        paging.page_critical_many(
            alerts=[a for a in [*new_alerts, *touched.values()] if a.severity == Severity.CRITICAL],
            at=now,
            events=events,
        )
    if before_chain is not None:
        before_chain(result)
    chain.append_many(events)
    return result


def _about_the_same_people(rows: Sequence[IncomingAlert], pupils: dict[str, int]) -> Q | None:
    """Which stored alerts can have an incoming row's ``_identity`` (None: no row has one). A superset: the
    fold itself compares identities exactly. Names are compared with SQL's LOWER, as ``match_pupils`` does;
    both case-foldings of each name are asked for."""
    pupil_ids: set[int] = set()
    names: set[str] = set()
    devices: set[str] = set()
    for row in rows:
        pupil_id = pupils.get(_fold(row.username)) or pupils.get(_fold(row.user_email))
        ident = _identity(row, pupil_id)
        if ident.startswith("pupil:"):
            pupil_ids.add(pupil_id)  # type: ignore[arg-type]  # set: the identity names it
        elif ident.startswith("user:"):
            raw = (row.username or row.user_email).strip()
            names |= {raw.lower(), raw.casefold()}
        elif ident.startswith("device:"):
            devices |= {row.device.strip().lower(), row.device.strip().casefold()}
    about = Q(pk__in=[])
    if pupil_ids:
        about |= Q(pupil_id__in=pupil_ids)
    if names:
        about |= Q(pupil__isnull=True) & (Q(lu__in=names) | Q(le__in=names))
    if devices:
        about |= Q(pupil__isnull=True, ld__in=devices)
    return about if (pupil_ids or names or devices) else None


# --- Triage -------------------------------------------------------------------------------------------


def _locked(alert: MonitoringAlert) -> MonitoringAlert:
    return MonitoringAlert.objects.select_for_update().select_related("school").get(pk=alert.pk)


@transaction.atomic
def alert_pick_up(*, alert: MonitoringAlert, by: User, at: datetime.datetime | None = None) -> MonitoringAlert:
    """The first time a member of the DSL team opens the alert: the time to pick up stops."""
    alert = _locked(alert)
    if alert.picked_up_at is not None:
        return alert
    now = at or timezone.now()
    alert.picked_up_at, alert.picked_up_by = now, by
    fields = ["picked_up_at", "picked_up_by"]
    if alert.state == State.NEW:
        alert.state = State.REVIEWED
        fields.append("state")
    alert.save(update_fields=fields)
    minutes = round((now - alert.received_at).total_seconds() / 60, 1)
    chain.append(
        _event(
            alert=alert,
            kind=EventKind.PICKED_UP,
            by=by,
            at=now,
            text=f"Picked up {minutes} minutes after it arrived",
            data={"minutes": minutes},
        )
    )
    return alert


@transaction.atomic
def alert_close(
    *, alert: MonitoringAlert, by: User, outcome: str, reason: str, at: datetime.datetime | None = None
) -> MonitoringAlert:
    """Close as no further action or as a false positive, with the reason written down (KCSiE)."""
    if outcome not in (Outcome.NFA, Outcome.FALSE_POSITIVE):
        raise ValidationError({"outcome": "Choose no further action or false positive."})
    reason = reason.strip()
    if len(reason) < CLOSE_REASON_MIN_CHARS:
        raise ValidationError({"reason": "Say why, so the next reader can check the decision."})
    now = at or timezone.now()
    alert = alert_pick_up(alert=alert, by=by, at=now)
    if not alert.is_open:
        raise ValidationError("This alert has already been decided.")
    alert.state, alert.outcome, alert.decided_at, alert.decided_by = State.CLOSED, outcome, now, by
    alert.save(update_fields=["state", "outcome", "decided_at", "decided_by"])
    chain.append(_event(alert=alert, kind=EventKind.CLOSED, by=by, at=now, text=reason, data={"outcome": outcome}))
    return alert


INCIDENT_CATEGORY_HINTS = (
    # Words in a vendor's rule -> the policy's category, as the escalation form's first choice.
    (re.compile(r"self[- ]?harm|suicid|wellbeing|eating", re.I), "harmful_content_deliberate"),
    (re.compile(r"bully|harass|insult|abuse", re.I), "cyberbullying"),
    (re.compile(r"radical|extrem|terror|prevent", re.I), "radicalisation"),
    (re.compile(r"groom|exploit|stranger|contact", re.I), "sexual_abuse_exploitation"),
    (re.compile(r"indecent|iioc|nude|sexting|youth", re.I), "youth_produced_imagery"),
    (re.compile(r"hate|racis|homophob", re.I), "online_hate"),
    (re.compile(r"gambl", re.I), "gambling_spending"),
    (re.compile(r"phish|scam|fraud", re.I), "phishing_scams"),
    (re.compile(r"adult|porn|violen|weapon|drug", re.I), "harmful_content_accidental"),
)


def suggested_category(alert: MonitoringAlert) -> str:
    return next(
        (cat for pattern, cat in INCIDENT_CATEGORY_HINTS if pattern.search(alert.rule)), "harmful_content_accidental"
    )


def _evidence_text(alert: MonitoringAlert) -> str:
    lines = [
        f"Monitoring alert {alert.reference} from {alert.get_vendor_display()} ({alert.get_channel_display()}).",
        f"Rule or category: {alert.rule}. Severity: {alert.get_severity_display()}"
        + (f" (the vendor's level: {alert.vendor_severity})" if alert.vendor_severity else "")
        + ".",
        f"Activity at {timezone.localtime(alert.activity_at):%d %b %Y %H:%M}; received "
        f"{timezone.localtime(alert.received_at):%d %b %Y %H:%M}"
        + (f"; {alert.repeat_count} times within the window" if alert.repeat_count > 1 else "")
        + ".",
    ]
    if alert.device or alert.username:
        lines.append(f"Device: {alert.device or 'not given'}; user name: {alert.username or alert.user_email}.")
    if alert.imagery_withheld:
        lines.append(IMAGERY_WITHHELD)
    elif alert.captured_text:
        lines.append(f"Captured text: {alert.captured_text}")
    return "\n".join(lines)


def _received_hash(alert: MonitoringAlert) -> str:
    return alert.events.filter(kind=EventKind.RECEIVED).values_list("hash", flat=True).first() or ""


@transaction.atomic
def alert_escalate(
    *,
    alert: MonitoringAlert,
    by: User,
    incident=None,
    category: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
):
    """Escalate to a new case (through incidents.services, so it is a case like any other) or to an existing
    case the person may act on. The alert goes on the case's timeline as evidence; its pupil joins the case."""
    now = at or timezone.now()
    alert = alert_pick_up(alert=alert, by=by, at=now)
    if not alert.is_open:
        raise ValidationError("This alert has already been decided.")
    evidence = _evidence_text(alert)
    if note.strip():
        evidence = f"{note.strip()}\n\n{evidence}"
    pupil = alert.pupil
    if incident is None:
        category = category or suggested_category(alert)
        if category not in Category.values or category == Category.STAFF_CONDUCT:
            raise ValidationError({"category": "Choose the kind of concern."})
        pupils = [incident_services.PupilInvolvement(pupil_id=pupil.pk, role=PupilRole.INVOLVED)] if pupil else []
        incident = incident_services.incident_report(
            school=alert.school,
            reporter=by,
            occurred_at=min(alert.activity_at, now),
            location=Location.ON_SITE,
            category=category,
            device=Device.SCHOOL,
            immediate_risk=alert.severity == Severity.CRITICAL,
            description=evidence,
            action_taken=f"Escalated from monitoring alert {alert.reference} by the DSL team.",
            pupils=pupils,
            submission_token=uuid.uuid5(uuid.NAMESPACE_URL, f"monitoring-alert:{alert.pk}"),
            # notify: the case's own alert goes as for any report, so its "alert sent" entry is true.
            reported_at=now,
            notify=True,
        )
        # The person escalating is of the DSL team the case's alert goes to: they have seen it.
        incident_services.case_acknowledge(incident=incident, by=by)
    else:
        if not access.can_act_on_case(acting_as(user=by, school=alert.school), incident):
            raise ValidationError("You cannot add to that case.")
        if incident.school_id != alert.school_id or not incident.is_open:
            raise ValidationError("Choose an open case at this school.")
        if pupil is not None and not incident.pupil_links.current().filter(pupil=pupil).exists():
            incident_services.case_pupil_add(
                incident=incident,
                by=by,
                pupil=pupil,
                role=PupilRole.INVOLVED,
                reason=f"Named by monitoring alert {alert.reference}",
            )
    incident_services.case_record(
        incident=incident,
        by=by,
        kind=EntryKind.NOTE,
        text=f"Monitoring alert attached as evidence.\n\n{evidence}",
        data={
            "monitoring_alert": alert.pk,
            "reference": alert.reference,
            "vendor": alert.vendor,
            "received_hash": _received_hash(alert),
            "imagery_withheld": alert.imagery_withheld,
        },
    )
    alert.state, alert.outcome, alert.decided_at, alert.decided_by = State.ESCALATED, Outcome.ESCALATED, now, by
    alert.incident = incident
    alert.save(update_fields=["state", "outcome", "decided_at", "decided_by", "incident"])
    chain.append(
        _event(
            alert=alert,
            kind=EventKind.ESCALATED,
            by=by,
            at=now,
            text=note.strip(),
            data={"incident": incident.reference},
        )
    )
    return incident


@transaction.atomic
def username_map(*, school: School, by: User, username: str, pupil: Pupil) -> int:
    """Match a user name the MIS import does not know to a pupil, once; alerts waiting with it follow.
    Returns how many alerts were matched."""
    name = _fold(username)
    if not name:
        raise ValidationError({"username": "Give the user name."})
    if pupil.school_id != school.pk:
        raise ValidationError({"pupil": "Choose a pupil at this school."})
    mapping, created = UsernameMapping.objects.get_or_create(
        school=school, username=name, defaults={"pupil": pupil, "created_by": by, "created_at": timezone.now()}
    )
    if not created and mapping.pupil_id != pupil.pk:
        raise ValidationError({"username": "That user name is already matched to another pupil."})
    waiting = list(
        MonitoringAlert.objects.select_for_update()
        .filter(school=school, pupil__isnull=True)
        .annotate(lu=Lower("username"), le=Lower("user_email"))
        .filter(Q(lu=name) | Q(le=name))
    )
    now = timezone.now()
    for alert in waiting:
        alert.pupil = pupil
    MonitoringAlert.objects.bulk_update(waiting, ["pupil"])
    chain.append_many(
        [
            _event(
                alert=a,
                kind=EventKind.PUPIL_MATCHED,
                by=by,
                at=now,
                text=f"User name {name} matched to pupil {pupil.upn}",
                data={"pupil": pupil.pk},
            )
            for a in waiting
        ]
    )
    return len(waiting)
