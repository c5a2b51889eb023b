"""Disposal under the retention schedule: the monthly sweep, legal holds, four eyes, and tombstones in the chain.

The design
==========

1. **The sweep lists, it never disposes.** Once a month (``SweepRun`` makes a daily beat entry work once per
   month, and catch up if a day was missed) every kind with a ``Disposal`` lists, per school, the records due
   under the school's schedule (a pupil's date of birth + 25 years for child protection records, and so on) into
   one ``DisposalBatch`` per school and month. Each kind's ``due`` is a handful of set-based queries per distinct
   period (schools grouped by the years they keep the kind), never a loop over pupils or cases. Records under a
   standing legal hold, records already disposed of, and records already listed in a batch awaiting review are
   left out by the same queries.

2. **Legal holds.** A hold (an inquiry, a claim, a police request) names a pupil, one record (a case) or a whole
   kind at the school; it has a reason, who placed it and when, and may end on a date. Placing and lifting are
   written to the hash-chained audit log, and the database freezes what was placed (only the lifting columns
   change, once). A hold stops disposal twice over: the sweep does not list what it covers, and disposal checks
   again, item by item, so a hold placed after the sweep keeps the record (the item's outcome says so).

3. **Four eyes.** A batch is disposed of only when two standing approvals exist: one by the school's DSL, one by
   its headteacher, two different people (partial unique constraints on the approvals: one per role, one per
   person). Either may take items off, with a reason; taking one off withdraws the approvals already given, since
   they approved a different list. The second approval runs the disposal in the same transaction.

4. **Tombstones, and the chain still verifies.** A disposed row is not deleted: its links (chain, seq, prev_hash,
   hash), ids and dates stay, and only its personal content is blanked (a timeline entry's text and details, a
   case's description, the names of others involved, an attachment's file and name). Before each row is blanked a
   ``Tombstone`` is appended to the school's tombstone chain (itself hash-chained and append-only): which table
   and row, the kind of record, when it was made, when disposed, under which rule, approved by whom, the hash the
   row had, and the hash of what is left at the same place in its chain (the residue). ``audit.chain.verify``
   checks a tombstoned link by its stored hash (it must equal the tombstone's), by its link to the row before
   and the row after (unchanged), and by the residue (so writing into a disposed row later is a break too).
   ``manage.py verify_chains`` and the audit log's verify link therefore pass after disposal, and fail if any of
   it is touched.

5. **The database lets only this path through.** The append-only triggers on PostgreSQL (and SQLite's) refuse
   every UPDATE of a frozen row as before, except one that ``Guard.allow_disposal`` permits: a row whose
   tombstone exists (same table, id and hash) and whose kept columns (ids, links, dates) are unchanged. The ORM
   still refuses (``ChainedRecord.save``, ``ChainedQuerySet.update``, ``Incident.save``); ``blank`` below is the
   only code that writes to such a row, with raw SQL, and it refuses a row without its tombstone. Tombstones are
   written only by ``_dispose``, which only the second of two approvals reaches.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.schools.models import School

from .models import (
    ApprovalRole,
    BatchStatus,
    DisposalApproval,
    DisposalBatch,
    DisposalItem,
    HoldScope,
    ItemOutcome,
    LegalHold,
    SweepRun,
    Tombstone,
)
from .registry import KINDS, RecordKind, Trigger
from .selectors import schedules

BATCH_LISTED = "retention.batch_listed"
BATCH_APPROVED = "retention.batch_approved"
ITEM_REMOVED = "retention.item_removed"
BATCH_DISPOSED = "retention.batch_disposed"

_FROM = {Trigger.BIRTH: "date of birth", Trigger.LEFT: "leaving", Trigger.MADE: "the date it was made"}


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def staff_gone(*, cutoff: datetime.date, school: str = "school_id", user: str = "user_id") -> tuple[Any, Any]:
    """For a kind whose trigger is a member of staff leaving (``Trigger.LEFT``): ``(standing, left_on)``, two
    expressions over the outer row's ``school`` and ``user`` columns. ``standing``: the person still holds a role
    at the school that had not ended by ``cutoff`` (exclude those rows); ``left_on``: the day their last role
    there ended (None if they never held one, so never due on leaving)."""
    from safeguarding_portal.accounts.models import Membership

    roles = Membership.objects.filter(school_id=OuterRef(school), user_id=OuterRef(user))
    standing = Exists(roles.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=cutoff)))
    left_on = Subquery(roles.filter(ended_on__isnull=False).order_by("-ended_on").values("ended_on")[:1])
    return standing, left_on


def rule_words(kind: RecordKind, years: int) -> str:
    return f"{kind.label}: {_FROM[Trigger(kind.trigger)]} + {years} years"


def disposable_kinds() -> list[RecordKind]:
    return [k for k in sorted(KINDS.values(), key=lambda k: k.name) if k.disposal is not None]


# --- holds, as subqueries the sweep and the disposal share ---------------------------------------------------


def _standing(kind: str, today: datetime.date):
    # A pupil's hold names no kind (""): it keeps every record about them.
    return LegalHold.objects.standing(today).filter(Q(kind=kind) | Q(kind=""))


def held_pupils(kind: str, today: datetime.date, school_ids: list[int] | None = None):
    holds = _standing(kind, today).filter(scope=HoldScope.PUPIL)
    if school_ids is not None:
        holds = holds.filter(school_id__in=school_ids)
    return holds.values("pupil_id")


def held_records(kind: str, today: datetime.date):
    return _standing(kind, today).filter(scope=HoldScope.RECORD).values("record_id")


def held_schools(kind: str, today: datetime.date) -> set[int]:
    return set(_standing(kind, today).filter(scope=HoldScope.KIND).values_list("school_id", flat=True))


def _taken(kind: str):
    """Records already disposed of, or listed in a batch still under review: not listed again."""
    return (
        DisposalItem.objects.filter(kind=kind)
        .filter(Q(outcome=ItemOutcome.DISPOSED) | Q(outcome=ItemOutcome.LISTED, batch__status=BatchStatus.REVIEW))
        .values("record_id")
    )


# --- the monthly sweep ---------------------------------------------------------------------------------------


def sweep(*, today: datetime.date, force: bool = False) -> int:
    """List what is due at every school into this month's batches; once a month (``force``: again)."""
    month = today.replace(day=1)
    with transaction.atomic():
        # The month's row first: a second beat process running at the same moment waits on it, then finds it.
        run, created = SweepRun.objects.get_or_create(month=month, defaults={"ran_at": timezone.now()})
        if not created and not force:
            return 0
        run.listed = list_due(today=today, school_ids=list(School.objects.values_list("pk", flat=True)))
        run.ran_at = timezone.now()
        run.save(update_fields=["listed", "ran_at"])
    return run.listed


@transaction.atomic
def list_due(*, today: datetime.date, school_ids: list[int]) -> int:
    month = today.replace(day=1)
    done = set(DisposalBatch.objects.filter(month=month, school_id__in=school_ids).values_list("school_id", flat=True))
    school_ids = [sid for sid in school_ids if sid not in done]
    periods = schedules(school_ids=school_ids)
    found: dict[int, list[tuple[RecordKind, int, Any]]] = defaultdict(list)
    for kind in disposable_kinds():
        kind_held = held_schools(kind.name, today)
        by_years: dict[int, list[int]] = defaultdict(list)
        for sid in school_ids:
            if sid not in kind_held:
                by_years[periods[sid].get(kind.name, kind.years)].append(sid)
        disposal = kind.disposal
        assert disposal is not None  # disposable_kinds() lists only kinds with one
        for years, sids in sorted(by_years.items()):
            for due in disposal.due(
                school_ids=sids,
                years=years,
                today=today,
                excluded=[held_records(kind.name, today), _taken(kind.name)],
                held_pupils=held_pupils(kind.name, today, None),
            ):
                found[due.school_id].append((kind, years, due))
    if not found:
        return 0
    now = timezone.now()
    batches = DisposalBatch.objects.bulk_create(
        [DisposalBatch(school_id=sid, month=month, made_at=now) for sid in sorted(found)], batch_size=1000
    )
    by_school = {b.school_id: b for b in batches}
    if any(b.pk is None for b in batches):  # bulk_create on a database that returns no ids
        by_school = {b.school_id: b for b in DisposalBatch.objects.filter(month=month, school_id__in=list(found))}
    items = [
        DisposalItem(
            batch=by_school[sid],
            kind=kind.name,
            record_id=due.record_id,
            label=due.label[:100],
            made_at=due.made_at,
            due_on=due.due_on,
            rule=rule_words(kind, years),
        )
        for sid, rows in found.items()
        for kind, years, due in rows
    ]
    DisposalItem.objects.bulk_create(items, batch_size=2000)
    # One audit event per school's batch (filed in that school's chain), in one bulk append per chain.
    chain.append_many(
        [
            _event(
                BATCH_LISTED,
                school_id=sid,
                obj=by_school[sid],
                summary=f"{len(rows)} record(s) due for disposal listed for review",
                detail={"month": month.isoformat(), "items": len(rows)},
            )
            for sid, rows in sorted(found.items())
        ]
    )
    return len(items)


def _event(action: str, *, school_id: int, obj: models.Model, summary: str, detail: dict):
    from safeguarding_portal.audit.models import AuditEvent

    return AuditEvent(
        at=timezone.now(),
        school_id=school_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary,
        detail=detail,
    )


# --- review and approval -------------------------------------------------------------------------------------


def _roles_at(user, school, today: datetime.date) -> set[str]:
    from safeguarding_portal.accounts.models import Membership

    return set(
        Membership.objects.current(today)
        .filter(user=user, school=school, role__in=ApprovalRole.values)
        .values_list("role", flat=True)
    )


def _locked(batch: DisposalBatch, school) -> DisposalBatch:
    batch = DisposalBatch.objects.select_for_update().get(pk=batch.pk, school=school)
    if batch.status != BatchStatus.REVIEW:
        raise ValidationError("This batch has already been disposed of.")
    return batch


@transaction.atomic
def item_remove(
    *, school, user, batch: DisposalBatch, item_id: int, reason: str, origin: Origin | None = None
) -> DisposalItem:
    """Take a record off the batch (it is kept; the next month's sweep lists it again if still due)."""
    batch = _locked(batch, school)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this record is kept."})
    if not _roles_at(user, school, timezone.localdate()):
        raise ValidationError("Only the DSL or the headteacher reviews disposal.")
    item = DisposalItem.objects.select_for_update().get(pk=item_id, batch=batch)
    if item.outcome != ItemOutcome.LISTED:
        raise ValidationError("That record is no longer on the list.")
    now = timezone.now()
    item.outcome, item.removed_at, item.removed_by, item.removed_reason = ItemOutcome.REMOVED, now, user, reason[:500]
    item.full_clean()
    item.save(update_fields=["outcome", "removed_at", "removed_by", "removed_reason"])
    withdrawn = batch.approvals.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    audit_record(
        action=ITEM_REMOVED,
        origin=origin,
        actor=user,
        school=school,
        obj=batch,
        summary=f"{item.label} taken off the disposal batch of {batch.month:%B %Y}",
        detail={"item": item.pk, "label": item.label, "reason": item.removed_reason, "approvals_withdrawn": withdrawn},
    )
    return item


@transaction.atomic
def batch_approve(*, school, user, batch: DisposalBatch, origin: Origin | None = None) -> DisposalApproval:
    """Approve the batch as the DSL or the headteacher; the second approval (the other role, another person)
    disposes of it."""
    batch = _locked(batch, school)
    standing = list(batch.approvals.filter(withdrawn_at__isnull=True))
    if any(a.user_id == user.pk for a in standing):
        raise ValidationError("You have already approved this batch: the other approval must come from someone else.")
    open_roles = [r for r in (ApprovalRole.DSL, ApprovalRole.HEADTEACHER) if r not in {a.role for a in standing}]
    mine = [r for r in open_roles if r in _roles_at(user, school, timezone.localdate())]
    if not mine:
        raise ValidationError(
            "This batch needs the approval of the DSL and of the headteacher; the approval "
            "still needed is not one you can give."
        )
    if not batch.items.filter(outcome=ItemOutcome.LISTED).exists():
        raise ValidationError("Every record has been taken off this batch: there is nothing to approve.")
    approval = DisposalApproval.objects.create(
        batch=batch, role=mine[0], user=user, at=timezone.now(), name=(user.get_full_name() or user.email)[:200]
    )
    audit_record(
        action=BATCH_APPROVED,
        origin=origin,
        actor=user,
        school=school,
        obj=batch,
        summary=f"Disposal batch of {batch.month:%B %Y} approved as {approval.get_role_display()}",
        detail={"role": approval.role, "items": batch.items.filter(outcome=ItemOutcome.LISTED).count()},
    )
    if len(standing) + 1 == 2:
        _dispose(batch=batch, school=school, approvals=[*standing, approval], by=user, origin=origin)
    return approval


# --- disposal ------------------------------------------------------------------------------------------------


def _dispose(*, batch: DisposalBatch, school, approvals: list[DisposalApproval], by, origin: Origin | None) -> None:
    roles = {a.role for a in approvals}
    people = {a.user_id for a in approvals}
    if roles != {ApprovalRole.DSL, ApprovalRole.HEADTEACHER} or len(people) != 2:
        raise ValidationError("Disposal needs the DSL's and the headteacher's approvals, by two people.")
    approved_by = [
        {"role": a.role, "name": a.name, "email": a.user.email, "at": a.at.isoformat()}
        for a in sorted(approvals, key=lambda a: a.role)
    ]
    today, now = timezone.localdate(), timezone.now()
    counts = {"disposed": 0, "held": 0, "rows": 0}
    items = list(batch.items.filter(outcome=ItemOutcome.LISTED).order_by("kind", "record_id"))
    by_kind: dict[str, list[DisposalItem]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    for kind_name, kind_items in by_kind.items():
        kind = KINDS[kind_name]
        held = _held_now(kind, school, [i.record_id for i in kind_items], today)
        for item in kind_items:
            if item.record_id in held:
                item.outcome = ItemOutcome.HELD
                counts["held"] += 1
            else:

                def tombstone(
                    row: models.Model, *, residue: str = "", made_at=None, item=item, kind_name=kind_name
                ) -> Tombstone:
                    return chain.append(
                        Tombstone(
                            school=school,
                            kind=kind_name,
                            record_model=row._meta.label,
                            record_table=row._meta.db_table,
                            record_chain=getattr(row, "chain", "") or "",
                            record_id=row.pk,
                            record_label=item.label,
                            record_hash=getattr(row, "hash", "") or "",
                            residue_hash=residue,
                            made_at=made_at or item.made_at,
                            disposed_at=now,
                            rule=item.rule,
                            approved_by=approved_by,
                            batch=batch,
                        )
                    )

                counts["rows"] += kind.disposal.dispose(school=school, record_id=item.record_id, tombstone=tombstone)
                item.outcome = ItemOutcome.DISPOSED
                counts["disposed"] += 1
        DisposalItem.objects.bulk_update(kind_items, ["outcome"])
    batch.status, batch.disposed_at = BatchStatus.DISPOSED, now
    batch.save(update_fields=["status", "disposed_at"])
    audit_record(
        action=BATCH_DISPOSED,
        origin=origin,
        actor=by,
        school=school,
        obj=batch,
        summary=f"Disposal batch of {batch.month:%B %Y}: {counts['disposed']} record(s) disposed of, "
        f"{counts['held']} kept under a legal hold",
        detail={**counts, "approved_by": approved_by},
    )


def _held_now(kind: RecordKind, school, record_ids: list[int], today: datetime.date) -> set[int]:
    """Of these records, those a hold standing today covers (placed after the sweep, say)."""
    if LegalHold.objects.standing(today).filter(school=school, kind=kind.name, scope=HoldScope.KIND).exists():
        return set(record_ids)
    held = set(
        held_records(kind.name, today)
        .filter(school=school, record_id__in=record_ids)
        .values_list("record_id", flat=True)
    )
    pupils = set(held_pupils(kind.name, today, [school.pk]).values_list("pupil_id", flat=True))
    if pupils and kind.disposal is not None:
        held |= {rid for rid, about in kind.disposal.pupils_of(record_ids=record_ids).items() if about & pupils}
    return held


def blank(row: models.Model, values: dict[str, Any]) -> None:
    """Write ``values`` over an append-only row: the one write the triggers allow, and only once its tombstone
    exists. Raw SQL, since the models refuse every update of such a row (as they should, everywhere else)."""
    if not Tombstone.objects.filter(record_table=row._meta.db_table, record_id=row.pk).exists():
        raise chain.AppendOnlyError("A record is blanked only after its tombstone is written.")
    # Concrete columns only: a relation's reverse side or a generic key has no column to blank.
    fields = [f for f in (row._meta.get_field(name) for name in values) if isinstance(f, models.Field)]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    table = connection.ops.quote_name(row._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*params, row.pk])  # noqa: S608 (names only)


def residue_of(row: chain.ChainedRecord, values: dict[str, Any]) -> str:
    """The hash the blanked row has at its place in its chain: the tombstone keeps it for ``verify``."""
    payload = row.payload()
    for name, value in values.items():
        payload[name] = value  # payload() is keyed by field name, as verify's rows are
    # JSON columns come back from the database as parsed values; hash what will be read back.
    payload = {k: (json.loads(json.dumps(v)) if isinstance(v, (dict, list)) else v) for k, v in payload.items()}
    return chain.link_hash(row.prev_hash, row.seq, row.chain, payload)
