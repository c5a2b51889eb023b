"""Builds many incidents fast, for benchmarks: ``build_incidents(schools=500, incidents=1_000_000)``.

Each school of a bench trust (``generator.build_trust``) gets ``incidents // schools`` cases spread over three
years, each with 1-3 pupils, its procedure's case steps, a handful of hash-chained timeline entries and, for
some, a task; the ``Incident`` projection columns (status, acknowledged_at, closed_at, open_mandatory_steps,
open_tasks, next_task_due_on) agree with those rows. Timeline entries are chained per school in Python with
``audit.chain.link_hash`` and the ``ChainHead`` rows written to match, so ``chain.verify`` passes.

Primary keys are taken up front (from the sequences on PostgreSQL), so rows can be written without reading
anything back: with ``COPY`` on PostgreSQL, ``bulk_create`` in batches of 5,000 elsewhere. Model ``save()``
is never called (``TimelineEntry.save`` would refuse a row it did not chain itself).

A data set is named after its size ("Bench Trust 500x250000 (incidents 1000000)") and reused when asked for
again, like the trusts themselves.
"""

from __future__ import annotations

import datetime
import io
import json
import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, connections, models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from incidents import counts as case_counts
from incidents.categories import Category, default_procedure
from incidents.models import (
    Alert,
    CaseCount,
    CaseStep,
    CaseTask,
    EntryKind,
    Incident,
    IncidentPupil,
    ReferenceCounter,
    Route,
    Severity,
    Status,
    TimelineEntry,
)
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.chain import GENESIS, ChainHead, link_hash
from safeguarding_portal.schools.calendar import academic_year_of
from safeguarding_portal.schools.models import Pupil, School, year_group_shifted

from .generator import BATCH_SIZE, PUPILS_PER_SCHOOL, BuildResult, build_trust

YEARS = 3
# Reporting is not uniform: most categories are everyday ones; the grave ones are rare.
CATEGORY_WEIGHTS: dict[str, int] = {
    Category.CYBERBULLYING: 30,
    Category.HARMFUL_CONTENT_ACCIDENTAL: 15,
    Category.PERSONAL_DEVICE_MISUSE: 12,
    Category.FILTERING_BREACH: 8,
    Category.EXCESSIVE_USE: 6,
    Category.HARMFUL_CONTENT_DELIBERATE: 6,
    Category.UNWANTED_CONTACT: 5,
    Category.PHISHING_SCAMS: 4,
    Category.GAMBLING_SPENDING: 3,
    Category.ONLINE_HATE: 3,
    Category.YOUTH_PRODUCED_IMAGERY: 3,
    Category.PERSONAL_DATA_LOSS: 2,
    Category.MISINFORMATION: 2,
    Category.COPYRIGHT: 2,
    Category.RADICALISATION: 1,
    Category.SEXUAL_ABUSE_EXPLOITATION: 1,
    Category.INDECENT_IMAGES: 1,
    Category.STAFF_CONDUCT: 1,
}
SYSTEM = "Safeguarding Portal"
SCHOOLS_PER_TRANSACTION = 10


# Bumped when the generator changes what it builds, so an older data set of the same size is not reused.
GENERATOR_VERSION = 2


def dataset_label(incidents: int, version: int = GENERATOR_VERSION) -> str:
    return f"incidents {incidents}" + (f" v{version}" if version > 1 else "")


@dataclass
class IncidentBuild:
    built: BuildResult
    incidents: int
    build_s: float  # wall-clock seconds for the incidents alone; 0 when reused
    reused: bool

    @property
    def schools(self) -> int:
        return self.built.schools

    def persona(self, key: str, school_index: int | None = None) -> User:
        return self.built.persona(key, school_index)

    def school(self, index: int | None = None) -> School:
        return self.built.school(self.built.middle if index is None else index)


def build_incidents(
    *,
    schools: int,
    incidents: int,
    pupils_per_school: int = PUPILS_PER_SCHOOL,
    seed: int = 0,
    workers: int | None = None,
    version: int = GENERATOR_VERSION,
    progress: Callable[[str], None] | None = None,
) -> IncidentBuild:
    """A trust of ``schools`` schools with ``incidents`` cases shared evenly, built once per database.

    Schools are built in groups of ``SCHOOLS_PER_TRANSACTION``, each group committed on its own, so a build
    that was stopped carries on where it stopped. On PostgreSQL, groups are built by ``workers`` processes
    (default: one per CPU), as generating and hashing the rows in Python is most of the work.
    """
    if incidents < 0:
        raise ValueError("A negative number of incidents cannot be built.")
    say = progress or (lambda message: None)
    built = build_trust(
        schools=schools,
        pupils=schools * pupils_per_school,
        guardians=False,
        label=dataset_label(incidents, version),
        progress=say,
    )
    school_ids = built.school_ids()
    per_school, extra = divmod(incidents, len(school_ids))
    counts = {sid: per_school + (1 if i < extra else 0) for i, sid in enumerate(school_ids)}
    done = set(Incident.objects.filter(school_id__in=school_ids).values_list("school_id", flat=True).distinct())
    todo = [sid for sid in school_ids if sid not in done and counts[sid]]
    if not todo:
        say(f"reusing {incidents:,} incidents")
        if case_counts.drift(school_ids):  # loaded by a build that did not count them (an older checkout's)
            say("  recounting the kept case counts")
            case_counts.recount(school_ids)
        return IncidentBuild(built, incidents, 0.0, reused=True)
    say(f"building {incidents:,} incidents in {schools} schools ({len(todo)} still to build)")
    started = time.perf_counter()
    groups = [todo[i : i + SCHOOLS_PER_TRANSACTION] for i in range(0, len(todo), SCHOOLS_PER_TRANSACTION)]
    jobs = [({sid: counts[sid] for sid in group}, seed + school_ids.index(group[0])) for group in groups]
    workers = workers or os.cpu_count() or 1
    finished = 0
    if connection.vendor == "postgresql" and len(jobs) > 1 and workers > 1:
        # Each process opens its own connection: close ours so the children do not share its socket.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for n in pool.imap_unordered(_build_group, jobs):
                finished += n
                say(f"  {finished:,} incidents: {time.perf_counter() - started:.1f}s")
    else:
        for job in jobs:
            finished += _build_group(job)
            say(f"  {finished:,} incidents: {time.perf_counter() - started:.1f}s")
    # The rows went in by COPY, past Incident.save(): count them as the portal keeps them.
    case_counts.recount(school_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Incident, IncidentPupil, TimelineEntry, CaseStep, CaseTask, Alert, CaseCount):
                # VACUUM as well: a school's years of cases are long since vacuumed by autovacuum, so its
                # visibility map lets counts read an index alone (the dashboard's closed-case counts); rows
                # copied in a moment ago are not, and every index-only scan would read the table too.
                table = f'"{model._meta.db_table}"'
                cursor.execute(f"VACUUM (ANALYZE) {table}" if connection.get_autocommit() else f"ANALYZE {table}")
    build_s = round(time.perf_counter() - started, 2)
    say(f"built {incidents:,} incidents in {build_s:.1f}s")
    return IncidentBuild(built, incidents, build_s, reused=False)


def _build_group(job: tuple[dict[int, int], int]) -> int:
    counts, seed = job
    with override_settings(DEBUG=False), transaction.atomic():
        _Builder(counts, seed=seed).run()
    return sum(counts.values())


# --- writing rows -------------------------------------------------------------------------------------------


def _take_ids(model: type[models.Model], count: int, taken: dict) -> list[int]:
    """``count`` fresh primary keys for ``model``: from its sequence on PostgreSQL, after the largest elsewhere.

    ``taken`` remembers, off PostgreSQL, the ids handed out but perhaps not yet written.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite and friends: the build holds the write lock for its whole transaction.
        if model not in taken:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - table name from the model
            taken[model] = cursor.fetchone()[0]
        start = taken[model] + 1
        taken[model] += count
        return list(range(start, start + count))


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in COPY's text format; the common types are looked up by type, as this runs for every cell."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if value is None:
        return r"\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is dict or kind is list:
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()
    return str(value).translate(_ESCAPES)


class _Writer:
    """Rows (tuples in column order, primary key first) written with COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model: type[models.Model], *, with_pk: bool):
        self.model = model
        # Without a primary key, rows leave it out and the database numbers them.
        self.fields = list(model._meta.concrete_fields)[0 if with_pk else 1 :]
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_SIZE * 4:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            buffer = io.StringIO("".join("\t".join(map(_copy_value, row)) + "\n" for row in self.rows))
            columns = ", ".join(f'"{f.column}"' for f in self.fields)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN', buffer)
        else:
            names = [f.attname for f in self.fields]
            pk_name = self.model._meta.pk.attname
            new = self.model.__new__
            objs = []
            for row in self.rows:
                obj = new(self.model)
                obj.__dict__[pk_name] = None
                obj.__dict__.update(zip(names, row, strict=True))
                obj._state = models.base.ModelState()
                objs.append(obj)
            self.model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self.written += len(self.rows)
        self.rows = []


def _row(model: type[models.Model], values: dict) -> tuple:
    return tuple(values[f.attname] for f in model._meta.concrete_fields if f.attname in values)


# --- one school's cases ---------------------------------------------------------------------------------------


@dataclass
class _School:
    pk: int
    prefix: str
    pupils: Sequence[int]
    year_groups: dict[int, str]  # pupil id -> year group now (moved back for earlier academic years)
    reporters: Sequence[int]
    team: Sequence[tuple[int, str]]  # (user id, full name) of the DSL, deputy and head
    teachers: Sequence[tuple[int, str]]


class _Builder:
    def __init__(self, counts: dict[int, int], *, seed: int):
        self.counts = counts
        self.school_ids = list(counts)
        self.rng = random.Random(seed)
        self.taken: dict = {}
        self.now = timezone.now().replace(microsecond=0)
        self.writers = {
            m: _Writer(m, with_pk=m in (Incident, TimelineEntry))
            for m in (Incident, IncidentPupil, TimelineEntry, CaseStep, CaseTask, Alert)
        }
        self.categories = list(CATEGORY_WEIGHTS)
        self.weights = list(CATEGORY_WEIGHTS.values())
        self.procedures = {c: default_procedure(c) for c in Category.values}

    def run(self) -> None:
        chain_heads, counters = [], []
        for school in self._schools():
            seq, last_hash, numbers = self._school(school, self.counts[school.pk])
            chain_heads.append(
                ChainHead(
                    model_label=TimelineEntry._meta.label, chain=f"school:{school.pk}", seq=seq, last_hash=last_hash
                )
            )
            counters += [ReferenceCounter(school_id=school.pk, year=y, last_number=n) for y, n in numbers.items()]
        for writer in self.writers.values():
            writer.flush()
        ChainHead.objects.bulk_create(chain_heads, batch_size=BATCH_SIZE)
        ReferenceCounter.objects.bulk_create(counters, batch_size=BATCH_SIZE)

    def _schools(self) -> list[_School]:
        pupils: dict[int, list[int]] = {sid: [] for sid in self.school_ids}
        year_groups: dict[int, str] = {}
        rows = (
            Pupil.objects.filter(school_id__in=self.school_ids)
            .order_by("pk")
            .values_list("school_id", "pk", "year_group")
        )
        for sid, pk, year_group in rows:
            pupils[sid].append(pk)
            year_groups[pk] = year_group
        reporters: dict[int, list[int]] = {sid: [] for sid in self.school_ids}
        team: dict[int, list[tuple[int, str]]] = {sid: [] for sid in self.school_ids}
        teachers: dict[int, list[tuple[int, str]]] = {sid: [] for sid in self.school_ids}
        members = (
            Membership.objects.filter(school_id__in=self.school_ids)
            .exclude(role=Role.PARENT)
            .order_by("pk")
            .values_list("school_id", "role", "user_id", "user__full_name", "job_title")
        )
        for sid, role, uid, name, job in members:
            if role in (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER):
                team[sid].append((uid, name))
            if role not in (Role.GOVERNOR,):
                reporters[sid].append(uid)
            if role == Role.STAFF and job == "Teacher":
                teachers[sid].append((uid, name))
        prefixes = dict(School.objects.filter(pk__in=self.school_ids).values_list("pk", "reference_prefix"))
        return [
            _School(
                sid,
                prefixes[sid],
                pupils[sid],
                year_groups,
                reporters[sid],
                team[sid] or [(reporters[sid][0], "")],
                teachers[sid] or [(reporters[sid][0], "")],
            )
            for sid in self.school_ids
        ]

    def _status(self, age_days: float) -> str:
        r = self.rng.random()
        if age_days > 90:
            return Status.CLOSED if r < 0.96 else (Status.REOPENED if r < 0.98 else Status.AWAITING_AGENCY)
        if age_days > 14:
            return (
                Status.CLOSED
                if r < 0.6
                else Status.IN_PROGRESS
                if r < 0.8
                else Status.AWAITING_AGENCY
                if r < 0.95
                else Status.ACKNOWLEDGED
            )
        return (
            Status.REPORTED
            if r < 0.25
            else Status.ACKNOWLEDGED
            if r < 0.5
            else Status.IN_PROGRESS
            if r < 0.75
            else Status.AWAITING_AGENCY
            if r < 0.85
            else Status.CLOSED
        )

    def _school(self, school: _School, count: int) -> tuple[int, str, dict[int, int]]:
        rng = self.rng
        span = YEARS * 365 * 86400
        this_year = academic_year_of(timezone.localdate(self.now))
        # Newest last, so reference numbers and the chain both run in time order; a little denser in recent
        # months, as a school reports more once staff know the portal.
        offsets = sorted((rng.random() ** 1.5 * span for _ in range(count)), reverse=True)
        if offsets:
            # Every school has one concern from the last few hours that nobody has picked up yet, so the
            # "not yet acknowledged" queue is never empty (an empty list would skip the page's own queries).
            offsets[-1] = rng.uniform(600, 6 * 3600)
        incident_ids = _take_ids(Incident, count, self.taken)
        numbers: dict[int, int] = {}
        entries: list[tuple] = []  # (at, incident_id, kind, author_id, author_name, text, data, step_or_task)
        steps_rows, task_rows, involvements = [], [], []
        for offset, incident_id in zip(offsets, incident_ids, strict=True):
            reported_at = self.now - datetime.timedelta(seconds=offset, microseconds=rng.randrange(1_000_000))
            year = timezone.localtime(reported_at).year
            numbers[year] = number = numbers.get(year, 0) + 1
            category = rng.choices(self.categories, self.weights)[0]
            status = Status.REPORTED if incident_id == incident_ids[-1] else self._status(offset / 86400)
            immediate = rng.random() < 0.04
            reporter = rng.choice(school.reporters)
            subject = None
            route = Route.DSL
            if category == Category.STAFF_CONDUCT:
                route, subject = Route.HEADTEACHER, rng.choice(school.teachers)[0]
                if subject == reporter:
                    reporter = school.team[0][0]
            dsl_id = school.team[0][0]
            assigned = dsl_id if status != Status.REPORTED and rng.random() < 0.8 else None
            age = datetime.timedelta(seconds=offset)

            def later(fraction: float, at=reported_at, age=age) -> datetime.datetime:
                return min(self.now, at + age * fraction + datetime.timedelta(minutes=rng.randint(5, 600)))

            mine = [
                (
                    reported_at,
                    EntryKind.REPORTED,
                    reporter,
                    "",
                    {"immediate_risk": immediate, "route": route, "category": category},
                ),
                (
                    reported_at,
                    EntryKind.ALERT,
                    None,
                    "New concern: 2 people alerted",
                    {"kind": Alert.Kind.URGENT if immediate else Alert.Kind.NEW_REPORT, "recipients": []},
                ),
            ]
            acknowledged_at = closed_at = None
            if status != Status.REPORTED:
                acknowledged_at = later(0.01)
                mine.append((acknowledged_at, EntryKind.STATUS, dsl_id, "", {"from": "reported", "to": "acknowledged"}))
                if rng.random() < 0.5:
                    mine.append((later(0.05), EntryKind.NOTE, dsl_id, "Spoke to the pupils involved; notes below.", {}))
            if status in (Status.IN_PROGRESS, Status.AWAITING_AGENCY):
                mine.append((later(0.1), EntryKind.STATUS, dsl_id, "", {"from": "acknowledged", "to": status}))
            if status in (Status.CLOSED, Status.REOPENED):
                closed_at = later(0.3)
                mine.append(
                    (
                        closed_at,
                        EntryKind.STATUS,
                        dsl_id,
                        "",
                        {"from": "acknowledged", "to": "closed", "outcome": "Resolved in school.", "lessons": ""},
                    )
                )
            if status == Status.REOPENED:
                mine.append(
                    (later(0.6), EntryKind.STATUS, dsl_id, "New information", {"from": "closed", "to": "reopened"})
                )
                closed_at = None
            procedure = self.procedures[category]
            done_steps = 0 if status == Status.REPORTED else min(len(procedure), rng.randint(1, 3))
            if status in (Status.CLOSED, Status.REOPENED):
                done_steps = len(procedure)  # a case closes only with every required step done
            open_mandatory = 0
            case_steps = []
            for order, step in enumerate(procedure, 1):
                text, mandatory = step.text, step.mandatory
                done = order <= done_steps
                if done:
                    mine.append(
                        (
                            later(0.02 * order),
                            EntryKind.STEP_DONE,
                            dsl_id,
                            text,
                            {"step": order, "step_text": text, "_step": len(case_steps)},
                        )
                    )
                elif mandatory:
                    open_mandatory += 1
                case_steps.append((order, text, mandatory, list(step.completed_by)))
            task = None
            if status != Status.REPORTED and rng.random() < 0.15:
                owner = rng.choice(school.teachers)
                due = (later(0.1)).date() + datetime.timedelta(days=rng.randint(-5, 14))
                task = [owner[0], due, None]
                set_at = later(0.08)
                mine.append(
                    (
                        set_at,
                        EntryKind.TASK,
                        dsl_id,
                        "Speak to parents",
                        {"owner": owner[0], "owner_name": owner[1], "due_on": due.isoformat(), "_task": 1},
                    )
                )
                if status in (Status.CLOSED, Status.REOPENED) or rng.random() < 0.3:
                    mine.append(
                        (later(0.09, set_at), EntryKind.TASK_DONE, dsl_id, "Speak to parents", {"_task_done": 1})
                    )
            mine.sort(key=lambda e: e[0])
            last_activity = mine[-1][0]
            open_tasks = 1 if task and not any(e[1] == EntryKind.TASK_DONE for e in mine) else 0
            occurred_at = reported_at - datetime.timedelta(minutes=rng.randint(0, 2880))
            years_back = academic_year_of(timezone.localdate(occurred_at)) - this_year
            self.writers[Incident].add(
                _row(
                    Incident,
                    {
                        "id": incident_id,
                        "school_id": school.pk,
                        "reference": f"{school.prefix}-{year}-{number:04d}",
                        "year": year,
                        "number": number,
                        "submission_token": uuid.uuid4(),
                        "reported_by_id": reporter,
                        "reported_at": reported_at,
                        "occurred_at": occurred_at,
                        "location": rng.choice(("on_site", "off_site", "unknown")),
                        "location_detail": "",
                        "category": category,
                        "description": "A pupil told me about messages and images shared in a group chat after school.",
                        "device": rng.choice(("school", "personal", "unknown", "none")),
                        "device_detail": "",
                        "action_taken": "Reassured the pupil and passed it on.",
                        "immediate_risk": immediate,
                        "others_involved": "",
                        "route": route,
                        "subject_staff_id": subject,
                        "status": status,
                        "severity": Severity.HIGH if immediate else rng.choice(("", "low", "medium")),
                        "assigned_to_id": assigned,
                        "concern_type": "unclassified",
                        "acknowledged_at": acknowledged_at,
                        "closed_at": closed_at,
                        "shared_with_dsl_team": False,
                        "last_activity_at": last_activity,
                        "open_mandatory_steps": open_mandatory,
                        "open_tasks": open_tasks,
                        "next_task_due_on": task[1] if open_tasks else None,
                        "source": "staff",
                        "raised_by_name": "",
                        "still_happening": None,
                        "moderation": "",
                    },
                )
            )
            chosen = rng.sample(school.pupils, min(len(school.pupils), rng.choice((1, 1, 1, 2, 2, 3))))
            for i, pupil in enumerate(chosen):
                # Written once the report's entry has its id (in _chain): the link points at it.
                involvements.append(
                    (
                        incident_id,
                        pupil,
                        "harmed" if i == 0 else rng.choice(("harming", "witness", "involved")),
                        year_group_shifted(school.year_groups[pupil], years_back),
                    )
                )
            self.writers[Alert].add(
                (incident_id, Alert.Kind.URGENT if immediate else Alert.Kind.NEW_REPORT, reported_at, [])
            )
            for at, kind, author, text, data in mine:
                entries.append((at, incident_id, kind, author, text, data))
            steps_rows.append((incident_id, case_steps))
            if task:
                task_rows.append((incident_id, task))
        return (*self._chain(school, entries, steps_rows, task_rows, involvements), numbers)

    def _chain(
        self, school: _School, entries: list[tuple], steps_rows: list, task_rows: list, involvements: list[tuple]
    ) -> tuple[int, str]:
        """Chain the school's entries in time order, then write the steps and tasks that point at them."""
        entries.sort(key=lambda e: e[0])
        ids = _take_ids(TimelineEntry, len(entries), self.taken)
        names = {uid: name for uid, name in (*school.team, *school.teachers)}
        chain, prev = f"school:{school.pk}", GENESIS
        step_done: dict[tuple[int, int], int] = {}
        reported: dict[int, int] = {}
        task_entry: dict[int, int] = {}
        task_done: dict[int, int] = {}
        writer = self.writers[TimelineEntry]
        for seq, ((at, incident_id, kind, author, text, data), pk) in enumerate(zip(entries, ids, strict=True), 1):
            if "_step" in data:
                step_done[(incident_id, data["step"])] = pk
                data = {k: v for k, v in data.items() if k != "_step"}
            elif "_task" in data:
                task_entry[incident_id] = pk
                data = {k: v for k, v in data.items() if k != "_task"}
            elif "_task_done" in data:
                task_done[incident_id] = pk
                data = {}
            if kind == EntryKind.REPORTED:
                reported[incident_id] = pk
            author_name = SYSTEM if author is None else names.get(author, "Member of staff")
            payload = {
                "school": school.pk,
                "incident": incident_id,
                "kind": kind,
                "author": author,
                "author_name": author_name,
                "at": at,
                "text": text,
                "data": data,
                "corrects": None,
            }
            digest = link_hash(prev, seq, chain, payload)
            writer.add(
                _row(
                    TimelineEntry,
                    {
                        "id": pk,
                        "chain": chain,
                        "seq": seq,
                        "prev_hash": prev,
                        "hash": digest,
                        "school_id": school.pk,
                        "incident_id": incident_id,
                        "kind": kind,
                        "author_id": author,
                        "author_name": author_name,
                        "at": at,
                        "text": text,
                        "data": data,
                        "corrects_id": None,
                    },
                )
            )
            prev = digest
        step_writer = self.writers[CaseStep]
        for incident_id, case_steps in steps_rows:
            for order, text, mandatory, completed_by in case_steps:
                step_writer.add(
                    _row(
                        CaseStep,
                        {
                            "incident_id": incident_id,
                            "order": order,
                            "text": text,
                            "mandatory": mandatory,
                            "completed_by": completed_by,
                            "done_entry_id": step_done.get((incident_id, order)),
                        },
                    )
                )
        for incident_id, pupil, role, year_group in involvements:
            self.writers[IncidentPupil].add(
                _row(
                    IncidentPupil,
                    {
                        "incident_id": incident_id,
                        "pupil_id": pupil,
                        "role": role,
                        "year_group": year_group,
                        "added_entry_id": reported[incident_id],
                        "removed_entry_id": None,
                    },
                )
            )
        for incident_id, (owner, due, _) in task_rows:
            self.writers[CaseTask].add(
                _row(
                    CaseTask,
                    {
                        "incident_id": incident_id,
                        "entry_id": task_entry[incident_id],
                        "title": "Speak to parents",
                        "owner_id": owner,
                        "due_on": due,
                        "done_entry_id": task_done.get(incident_id),
                    },
                )
            )
        # Entries must be in the table before the rows that point at them are checked at commit; COPY order
        # within one transaction is enough because the foreign keys are deferred.
        return len(entries), prev


# --- what the benches open ---------------------------------------------------------------------------------


def busiest_surname(school: School) -> str:
    """A surname of pupils in this school's cases, as a DSL would type it into the search box."""
    row = (
        IncidentPupil.objects.filter(incident__school=school)
        .values_list("pupil__surname", flat=True)
        .order_by("pupil_id")
        .first()
    )
    return row or "Smith"


def typical_cases(
    school: School, *, statuses: Sequence[str] = (Status.IN_PROGRESS, Status.CLOSED, Status.AWAITING_AGENCY)
) -> list[Incident]:
    """One DSL-route case per status, with the median number of timeline entries among a sample of them."""
    chosen = []
    for status in statuses:
        sample = list(
            Incident.objects.filter(school=school, route=Route.DSL, status=status)
            .order_by("-reported_at")
            .values_list("pk", flat=True)[:50]
        )
        if not sample:
            continue
        sizes = sorted(
            (n, pk)
            for pk, n in TimelineEntry.objects.filter(incident_id__in=sample)
            .values_list("incident_id")
            .annotate(n=models.Count("pk"))
            .values_list("incident_id", "n")
        )
        chosen.append(Incident.objects.get(pk=sizes[len(sizes) // 2][1]))
    return chosen
