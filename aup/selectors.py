"""Reads about agreements. Every function takes the school it is scoped to."""

from __future__ import annotations

import contextlib
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import STAFF_ROLES, Role
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.schools.models import YEAR_GROUP_ORDER, Pupil, School
from safeguarding_portal.schools.selectors import children_of

from .models import (
    PUPIL_AUDIENCES,
    YOUNGER_YEAR_GROUPS,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    Consent,
    Invitation,
    RequestStatus,
    Signature,
    SigningRequest,
    SignMethod,
)
from .reminders import KIND


def agreements(*, school: School) -> list[Agreement]:
    return list(Agreement.objects.filter(school=school).prefetch_related("versions").order_by("audience"))


GATE_STAMP_KEY = "aup:gate-stamp:{school_id}"
GATE_STAMP_SECONDS = 60


def gate_stamp(*, school_id: int) -> str:
    """Changes whenever the school publishes a version, so the agreement gate checks everyone again at once
    (a version that requires re-signing takes effect mid-session, not at the next sign-in). Kept in the shared
    cache and recomputed from the database when missing; ``publish`` clears it when its transaction commits.
    It also expires after a minute, for a cache that is not shared (the embedded default's per-process one,
    when a management command publishes): there the gate catches up within a minute."""
    key = GATE_STAMP_KEY.format(school_id=school_id)
    try:
        stamp = cache.get(key)
    except Exception:  # the cache is down: check against the database on every page rather than never
        stamp = None
    if stamp is None:
        latest = AgreementVersion.objects.filter(agreement__school_id=school_id, published_at__isnull=False).aggregate(
            latest=Max("published_at"), versions=Count("pk")
        )
        stamp = f"{latest['versions']}:{latest['latest'].timestamp() if latest['latest'] else 0}"
        with contextlib.suppress(Exception):
            cache.set(key, stamp, GATE_STAMP_SECONDS)
    return stamp


def forget_gate_stamp(*, school_id: int) -> None:
    with contextlib.suppress(Exception):  # a cache that is down has nothing to forget
        cache.delete(GATE_STAMP_KEY.format(school_id=school_id))


def published_version(*, school: School, audience: str) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.filter(
            agreement__school=school, agreement__audience=audience, published_at__isnull=False
        )
        .select_related("agreement")
        .order_by("-number")
        .first()
    )


def current_signature(*, school: School, user, audience: str) -> Signature | None:
    agreement = Agreement.objects.filter(school=school, audience=audience).first()
    if agreement is None:
        return None
    return (
        Signature.objects.filter(
            school=school, user=user, version__agreement=agreement, version__number__gte=agreement.current_from
        )
        .select_related("version")
        .order_by("-signed_at")
        .first()
    )


def campaigns(*, school: School) -> QuerySet[Campaign]:
    return Campaign.objects.filter(school=school).select_related("version__agreement").order_by("-created_at")


def campaign_progress(*, campaign: Campaign) -> dict:
    """Per class and overall: invitations sent, opened and bounced; children signed, declined, waiting."""
    children = (
        SigningRequest.objects.filter(campaign=campaign, pupil__isnull=False)
        .values("pupil_id", "pupil__registration_group", "pupil__year_group")
        .annotate(
            signed=Count("pk", filter=Q(status__in=[RequestStatus.SIGNED, RequestStatus.COVERED])),
            declined=Count("pk", filter=Q(status=RequestStatus.DECLINED)),
        )
    )
    classes: dict[str, dict] = defaultdict(lambda: {"children": 0, "signed": 0, "declined": 0, "waiting": 0})
    for row in children:
        label = row["pupil__registration_group"] or f"Year {row['pupil__year_group']}"
        c = classes[label]
        c["year"] = row["pupil__year_group"]
        c["children"] += 1
        if row["signed"]:
            c["signed"] += 1
        elif row["declined"]:
            c["declined"] += 1
        else:
            c["waiting"] += 1
    invites = (
        Invitation.objects.filter(campaign=campaign)
        .values("requests__pupil__registration_group", "requests__pupil__year_group")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False), distinct=True),
            opened=Count("pk", filter=Q(opened_at__isnull=False), distinct=True),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False), distinct=True),
        )
    )
    for row in invites:
        label = row["requests__pupil__registration_group"] or f"Year {row['requests__pupil__year_group']}"
        c = classes[label]
        for key in ("sent", "opened", "bounced"):
            c[key] = c.get(key, 0) + row[key]
    overall_inv = Invitation.objects.filter(campaign=campaign).aggregate(
        invitations=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
    )
    rows = sorted(classes.items(), key=lambda kv: (YEAR_GROUP_ORDER.get(kv[1].get("year", ""), 99), kv[0]))
    total = {k: sum(c.get(k, 0) for c in classes.values()) for k in ("children", "signed", "declined", "waiting")}
    people = SigningRequest.objects.filter(campaign=campaign, user__isnull=False).aggregate(
        people=Count("pk"),
        signed=Count("pk", filter=Q(status=RequestStatus.SIGNED)),
    )
    return {"classes": rows, "total": total, "invitations": overall_inv, "people": people}


def to_chase(*, campaign: Campaign) -> list[dict]:
    """Parents and carers with a child still waiting; each line says which children and whether the email bounced."""
    requests = (
        SigningRequest.objects.filter(campaign=campaign, status=RequestStatus.PENDING)
        .select_related("guardian", "pupil", "invitation", "user")
        .order_by("pupil__registration_group", "pupil__surname", "guardian__full_name", "user__full_name")
    )
    lines: dict[tuple, dict] = {}
    for r in requests:
        key = ("g", r.guardian_id) if r.guardian_id else ("u", r.user_id)
        line = lines.setdefault(
            key,
            {
                "name": r.guardian.full_name if r.guardian_id else r.user.full_name,
                "email": r.invitation.email if r.invitation_id else r.user.email,
                "phone": r.guardian.phone if r.guardian_id else "",
                "children": [],
                "classes": set(),
                "invitation": r.invitation,
                "request": None if r.invitation_id else r,
                # The reminder's once-a-day key (aup.reminders): the page offers a resend only without one today.
                "reminder_key": f"invitation:{r.invitation_id}" if r.invitation_id else f"request:{r.pk}",
            },
        )
        if r.pupil_id:
            line["children"].append(r.pupil)
            line["classes"].add(r.pupil.registration_group)

    keys = [line["reminder_key"] for line in lines.values()]
    reminded = set()
    for start in range(0, len(keys), 1000):
        reminded |= set(
            Reminder.objects.filter(kind=KIND, on=timezone.localdate(), key__in=keys[start : start + 1000]).values_list(
                "key", flat=True
            )
        )
    for line in lines.values():
        line["reminded_today"] = line["reminder_key"] in reminded
    return list(lines.values())


def can_chase(*, campaign: Campaign) -> bool:
    return campaign.closed_at is None and campaign.closes_on >= timezone.localdate()


STATE_CURRENT, STATE_OLD, STATE_NONE = "current", "old", "none"
STATE_LABELS = {STATE_CURRENT: "Current version", STATE_OLD: "Older version only", STATE_NONE: "Not signed"}


def _state(signature_numbers: list[int], agreement: Agreement | None) -> tuple[str, int | None]:
    if not signature_numbers or agreement is None:
        return STATE_NONE, None
    best = max(signature_numbers)
    return (STATE_CURRENT if best >= agreement.current_from else STATE_OLD), best


def register(*, school: School, audience: str) -> list[dict]:
    """Who holds a current signature, who signed only an old version, and who has none."""
    agreement = Agreement.objects.filter(school=school, audience=audience).first()
    signed: dict[int, list[int]] = defaultdict(list)
    last_at: dict[int, object] = {}
    rows = []
    if audience in (Audience.STAFF, Audience.GOVERNOR, Audience.SOCIAL_MEDIA):
        roles = [Role.GOVERNOR] if audience == Audience.GOVERNOR else list(STAFF_ROLES)
        people = {
            m.user_id: m.user
            for m in Membership.objects.current().filter(school=school, role__in=roles).select_related("user")
        }
        if agreement:
            for uid, number, at in Signature.objects.filter(school=school, version__agreement=agreement).values_list(
                "user_id", "version__number", "signed_at"
            ):
                signed[uid].append(number)
                last_at[uid] = max(at, last_at.get(uid, at))
        for uid, user in sorted(people.items(), key=lambda kv: kv[1].full_name):
            state, number = _state(signed.get(uid, []), agreement)
            rows.append(
                {
                    "name": user.full_name,
                    "detail": user.email,
                    "state": state,
                    "version": number,
                    "signed_at": last_at.get(uid),
                }
            )
        return rows
    if audience == Audience.VISITOR:
        if agreement:
            for s in Signature.objects.filter(school=school, version__agreement=agreement).select_related("version")[
                :500
            ]:
                state = STATE_CURRENT if s.version.number >= agreement.current_from else STATE_OLD
                rows.append(
                    {
                        "name": s.signer_name,
                        "detail": s.organisation,
                        "state": state,
                        "version": s.version.number,
                        "signed_at": s.signed_at,
                    }
                )
        return rows
    pupils = Pupil.objects.filter(school=school).on_roll()
    if audience in PUPIL_AUDIENCES:
        pupils = (
            pupils.filter(year_group__in=YOUNGER_YEAR_GROUPS)
            if audience == Audience.PUPIL_YOUNGER
            else pupils.exclude(year_group__in=YOUNGER_YEAR_GROUPS)
        )
    # How the latest signature of the best version was made (a paper copy has its scan).
    how: dict[int, tuple[int, object, str, int | None]] = {}
    if agreement:
        for pid, number, at, method, scan_id in Signature.objects.filter(
            school=school, version__agreement=agreement
        ).values_list("pupil_id", "version__number", "signed_at", "method", "paper_scan_id"):
            signed[pid].append(number)
            last_at[pid] = max(at, last_at.get(pid, at))
            if pid not in how or (number, at) > how[pid][:2]:
                how[pid] = (number, at, method, scan_id)
    for p in pupils.order_by("year_group", "registration_group", "surname", "legal_forename"):
        state, number = _state(signed.get(p.pk, []), agreement)
        _, _, method, scan_id = how.get(p.pk, (None, None, "", None))
        rows.append(
            {
                "name": p.full_name,
                "detail": p.registration_group or p.get_year_group_display(),
                "state": state,
                "version": number,
                "signed_at": last_at.get(p.pk),
                "pupil_id": p.pk,
                "paper": method == SignMethod.PAPER,
                "scan_id": scan_id,
            }
        )
    return rows


def class_names(*, school: School) -> list[str]:
    return sorted(
        set(
            Pupil.objects.filter(school=school)
            .on_roll()
            .exclude(registration_group="")
            .values_list("registration_group", flat=True)
        )
    )


def class_consents(*, school: School, class_name: str) -> dict:
    """Each pupil of a class with their current photo consents: can this class photo be published, and where?"""
    agreement = Agreement.objects.filter(school=school, audience=Audience.PARENT).first()
    version = agreement.current_version if agreement else None
    items = version.consent_items if version else []
    pupils = list(
        Pupil.objects.filter(school=school, registration_group=class_name)
        .on_roll()
        .order_by("surname", "legal_forename")
    )
    consents: dict[int, dict[str, bool]] = defaultdict(dict)
    for c in Consent.objects.filter(pupil__in=pupils):
        consents[c.pupil_id][c.key] = c.given
    rows = [{"pupil": p, "answers": [consents[p.pk].get(i["key"]) for i in items]} for p in pupils]
    for r in rows:  # each answer with its question, for the phone layout's labels
        r["cells"] = [(item["label"], answer) for item, answer in zip(items, r["answers"], strict=True)]
    # Per use: can it be published (everyone said yes), and if not, how many pupils must be left out.
    without = [sum(1 for r in rows if r["answers"][n] is not True) for n in range(len(items))]
    publishable = [(item, n == 0, n) for item, n in zip(items, without, strict=True)]
    return {"items": items, "rows": rows, "publishable": publishable}


def parent_overview(*, user, school: School) -> list[dict]:
    """A signed-in parent's children at this school, each with whether the current agreement is signed."""
    children = children_of(user=user, school=school)
    agreement = Agreement.objects.filter(school=school, audience=Audience.PARENT).first()
    numbers: dict[int, list[int]] = defaultdict(list)
    if agreement:
        for pid, number in Signature.objects.filter(pupil__in=children, version__agreement=agreement).values_list(
            "pupil_id", "version__number"
        ):
            numbers[pid].append(number)
    return [{"pupil": c, "state": _state(numbers.get(c.pk, []), agreement)[0]} for c in children]


def bundle_records(*, school: School, pupil) -> list[dict]:
    """Registered with incidents.bundles: the agreements and consents signed for the pupil and their events
    (withdrawals...), each with its chain link, for a transfer bundle."""
    from incidents.bundles import item

    from .disposal import disposed_ids
    from .models import SignatureEvent

    out = []
    signatures = list(
        Signature.objects.filter(school=school, pupil=pupil)
        .select_related("version__agreement")
        .order_by("signed_at", "pk")
    )
    # One disposed of under the retention schedule goes as a tombstone: no origin link (its content is blanked at
    # this school too, so a reader could not recompute the link's hash), what it was and when and under which rule
    # it was disposed of. The bundle's own chain covers it like any record; its events are left out.
    gone = disposed_ids(s.pk for s in signatures)
    for s in signatures:
        if s.pk in gone:
            t = gone[s.pk]
            data = {
                "agreement": s.version.agreement.title,
                "version": s.version.number,
                "signed_at": s.signed_at,
                "method": s.get_method_display(),
                "verification_code": s.verification_code,
                "disposed_at": t.disposed_at,
                "rule": t.rule,
            }
            out.append(item("signature", s.pk, data))
            continue
        out.append(
            item(
                "signature",
                s.pk,
                {
                    "agreement": s.version.agreement.title,
                    "version": s.version.number,
                    "signer": s.signer_name,
                    "signed_at": s.signed_at,
                    "consents": s.consents,
                    "method": s.get_method_display(),
                    "verification_code": s.verification_code,
                },
                s,
            )
        )
    kinds = ["withdrawn", "consent_given", "signed", "declined"]
    events = SignatureEvent.objects.filter(school=school, pupil=pupil, kind__in=kinds).exclude(
        signature_id__in=list(gone)
    )
    for e in events.order_by("at", "pk"):
        out.append(
            item(
                "signature_event", e.pk, {"kind": e.get_kind_display(), "at": e.at, "actor": e.actor, "data": e.data}, e
            )
        )
    return out
