"""Curriculum writes: training records and briefings, requirements, units, events, lessons, the gap map,
the policy register and the trust's standards. Each is one transaction, with its audit event where it has one."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from incidents.categories import Category
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.core.words import counted
from safeguarding_portal.reminders.services import remind
from safeguarding_portal.schools.models import School, YearGroup
from safeguarding_portal.schools.selectors import term_in_view

# A module import, as selectors imports this one: either may be imported first.
from . import selectors
from .constants import (
    CERTIFICATE_TYPES,
    DEFAULT_GAP_THRESHOLD,
    DOCUMENT_TYPES,
    KCSIE_DEFAULTS,
    STRAND_ORDER,
    DefaultRequirement,
    Strand,
)
from .models import (
    BriefingSession,
    CategoryStrand,
    CurriculumSettings,
    Event,
    Gap,
    Lesson,
    LessonStrand,
    Policy,
    TrainingRecord,
    TrainingRequirement,
    TrustTrainingStandard,
    Unit,
)
from .standards import _fields
from .uploads import check_upload


def requirements_ensure_defaults(*, school) -> None:
    """Give a school the KCSiE defaults the first time anyone looks (idempotent, never overwrites edits)."""
    if TrainingRequirement.objects.filter(school=school).exists():
        return
    TrainingRequirement.objects.bulk_create(
        [
            TrainingRequirement(
                school=school,
                key=key,
                name=str(DefaultRequirement(key).label),
                roles=list(roles),
                renew_months=months,
                guidance=why,
                order=i,
            )
            for i, (key, roles, months, why) in enumerate(KCSIE_DEFAULTS)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def training_record(
    *,
    school,
    user: User,
    requirement: TrainingRequirement,
    course: str,
    provider: str,
    completed_on: datetime.date,
    hours: Decimal,
    recorded_by: User,
    certificate: UploadedFile | None = None,
) -> TrainingRecord:
    if requirement.school_id != school.pk:
        raise ValidationError("That requirement belongs to another school.")
    if not selectors.is_trained_member(school=school, user_id=user.pk):
        raise ValidationError("That person does not work at this school.")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "That date is in the future."})
    record = TrainingRecord(
        school=school,
        user=user,
        requirement=requirement,
        course=course.strip(),
        provider=provider.strip(),
        completed_on=completed_on,
        hours=hours,
        recorded_by=recorded_by,
    )
    if certificate is not None:
        content_type = check_upload(certificate, allowed=CERTIFICATE_TYPES)
        record.certificate_type = content_type
        record.certificate_name = (certificate.name or "certificate")[:200]
        record.certificate.save(f"x{CERTIFICATE_TYPES[content_type]}", certificate, save=False)
    record.full_clean()
    record.save()
    audit_record(
        action="curriculum.training_recorded",
        actor=recorded_by,
        school=school,
        obj=record,
        summary=f"Training recorded: {requirement.name} for {user.full_name}",
        detail={"user_id": user.pk, "requirement_id": requirement.pk, "completed_on": completed_on.isoformat()},
    )
    return record


@transaction.atomic
def briefing_record(
    *,
    school,
    requirement: TrainingRequirement,
    title: str,
    provider: str,
    delivered_on: datetime.date,
    hours: Decimal,
    attendee_ids: Iterable[int],
    recorded_by: User,
    notes: str = "",
) -> BriefingSession:
    """One briefing, one record per attendee (each keeps their own expiry)."""
    if requirement.school_id != school.pk:
        raise ValidationError("That requirement belongs to another school.")
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "That date is in the future."})
    attendee_ids = set(attendee_ids)
    if not attendee_ids:
        raise ValidationError({"attendees": "Tick at least one person who attended."})
    members = set(selectors.trained_people(school=school, today=timezone.localdate()))
    if not attendee_ids <= members:
        raise ValidationError({"attendees": "One of the people ticked does not work at this school."})
    session = BriefingSession.objects.create(
        school=school,
        requirement=requirement,
        title=title.strip(),
        provider=provider.strip(),
        delivered_on=delivered_on,
        hours=hours,
        notes=notes,
        recorded_by=recorded_by,
    )
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                school=school,
                user_id=uid,
                requirement=requirement,
                course=session.title,
                provider=session.provider,
                completed_on=delivered_on,
                hours=hours,
                briefing=session,
                recorded_by=recorded_by,
            )
            for uid in sorted(attendee_ids)
        ]
    )
    return session


def _settings(*, school) -> CurriculumSettings:
    found = CurriculumSettings.objects.filter(school=school).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CurriculumSettings.objects.create(school=school, gap_threshold=DEFAULT_GAP_THRESHOLD)
    except IntegrityError:
        return CurriculumSettings.objects.get(school=school)


@transaction.atomic
def category_map_save(*, school, mapping: dict[str, list[str]], threshold: int) -> list[Gap]:
    """Save the category map and the threshold, then raise the gaps they now call for (returned): one
    transaction, so a map is never saved without the gaps it raises."""
    if not 1 <= threshold <= 50:
        raise ValidationError({"threshold": "Choose a threshold between 1 and 50."})
    for category, strands in mapping.items():
        if category not in Category.values or set(strands) - set(Strand.values):
            raise ValidationError("Unknown category or strand.")
        CategoryStrand.objects.update_or_create(
            school=school, category=category, defaults={"strands": sorted(strands, key=STRAND_ORDER.get)}
        )
    settings = _settings(school=school)
    settings.gap_threshold = threshold
    settings.save(update_fields=["gap_threshold"])
    return gaps_check(school=school)


@transaction.atomic
def lesson_log(
    *,
    school,
    taught_by,
    taught_on: datetime.date,
    year_group: str,
    strands: Iterable[str],
    unit: Unit | None = None,
    class_name: str = "",
    notes: str = "",
) -> tuple[Lesson, list[Gap]]:
    """Record a lesson and close the open gaps it answers. Returns the lesson and the gaps it closed."""
    strands = sorted(set(strands), key=STRAND_ORDER.get)
    if not strands:
        raise ValidationError({"strands": "Choose at least one strand the lesson covered."})
    if set(strands) - set(Strand.values):
        raise ValidationError({"strands": "Unknown strand."})
    if year_group not in YearGroup.values:
        raise ValidationError({"year_group": "Choose a year group."})
    if taught_on > timezone.localdate():
        raise ValidationError({"taught_on": "That date is in the future: log a lesson once it has been taught."})
    if unit is not None and unit.school_id != school.pk:
        raise ValidationError({"unit": "That unit belongs to another school."})
    lesson = Lesson.objects.create(
        school=school,
        taught_by=taught_by,
        taught_on=taught_on,
        year_group=year_group,
        class_name=class_name.strip(),
        unit=unit,
        notes=notes.strip(),
    )
    LessonStrand.objects.bulk_create(
        [
            LessonStrand(lesson=lesson, school=school, year_group=year_group, taught_on=taught_on, strand=s)
            for s in strands
        ]
    )
    closing = list(
        Gap.objects.select_for_update().filter(
            school=school, year_group=year_group, strand__in=strands, status=Gap.Status.OPEN
        )
    )
    for gap in closing:
        gap.status, gap.closed_on, gap.closed_by_lesson = Gap.Status.CLOSED, taught_on, lesson
        gap.save(update_fields=["status", "closed_on", "closed_by_lesson"])
    return lesson, closing


def _gap_recipients(school) -> list:
    """Who hears that a gap was raised: the online safety lead(s), or the DSL if there is none."""
    members = list(
        Membership.objects.current()
        .filter(school=school, role__in=[Role.ONLINE_SAFETY_LEAD, Role.DSL])
        .select_related("user")
    )
    leads = [m.user for m in members if m.role == Role.ONLINE_SAFETY_LEAD]
    return leads or [m.user for m in members]


def gaps_check(*, school, on: datetime.date | None = None, incident_id: int | None = None) -> list[Gap]:
    """Raise the gaps the term's incidents call for. Idempotent: a gap is raised once a term per strand.

    With ``incident_id`` (the check after a report, or a pupil added to a case), only the strands that
    incident's category and year groups map to are looked at, and the term is counted only for those that
    have no gap yet: after a report this is usually two small queries and no count at all. Without it (the
    daily sweep, the mapping page), every category and year group is counted.
    """
    on = on or timezone.localdate()
    # Out of term, the term that ended last (term_in_view), so a run in its last week still counts.
    term = term_in_view(school=school, today=on).term
    if term is None:
        return []
    mapping = selectors.category_map(school=school)
    # A gap raised this term, or one still open from before, stops the same strand being raised again.
    blocked = set(
        Gap.objects.filter(Q(term=term) | Q(status=Gap.Status.OPEN), school=school)
        .values_list("year_group", "strand")
        .order_by()
    )
    if incident_id is not None:
        since, until = day_bounds(term.starts_on, term.ends_on)
        wanted = {
            (category, year_group)
            for category, year_group in selectors.incident_touches(
                school=school, incident_id=incident_id, since=since, until=until
            )
            if any((year_group, strand) not in blocked for strand in mapping.get(category, []))
        }
        if not wanted:
            return []
        threshold = _settings(school=school).gap_threshold
        counts = selectors.incident_counts(
            school=school,
            starts=term.starts_on,
            ends=term.ends_on,
            categories={c for c, _ in wanted},
            year_groups={yg for _, yg in wanted},
        )
        counts = {pair: n for pair, n in counts.items() if pair in wanted}
    else:
        threshold = _settings(school=school).gap_threshold
        counts = selectors.incident_counts(school=school, starts=term.starts_on, ends=term.ends_on)
    raised: list[Gap] = []
    # Biggest runs first, so a strand two categories call for names the bigger one.
    for (category, year_group), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < threshold or not year_group:
            continue
        for strand in mapping.get(category, []):
            if (year_group, strand) in blocked:
                continue
            try:
                with transaction.atomic():
                    gap = Gap.objects.create(
                        school=school,
                        term=term,
                        year_group=year_group,
                        strand=strand,
                        category=category,
                        incident_count=n,
                        threshold=threshold,
                        raised_on=on,
                    )
            except IntegrityError:  # raised by a concurrent check
                continue
            blocked.add((year_group, strand))
            raised.append(gap)
    if raised:
        url = reverse("curriculum:gaps")
        for user in _gap_recipients(school):
            for gap in raised:
                remind(
                    recipient_email=user.email,
                    recipient_user=user,
                    school=school,
                    kind="curriculum.gap_raised",
                    key=f"gap:{gap.pk}",
                    url=url,
                    on=on,
                    text=f"Curriculum gap: {gap.get_year_group_display()} need teaching on "
                    f"{gap.get_strand_display().lower()} after {counted(gap.incident_count, 'incident')} this term.",
                )
    return raised


@transaction.atomic
def policy_save(*, policy: Policy, by, document: UploadedFile | None = None) -> Policy:
    """Create or update a register entry; a new document replaces the current one (the old file stays stored)."""
    if document is not None:
        content_type = check_upload(document, allowed=DOCUMENT_TYPES)
        policy.document_type = content_type
        policy.document_name = (document.name or "policy")[:200]
        policy.document.save(f"x{DOCUMENT_TYPES[content_type]}", document, save=False)
    if (
        policy.responsible_id is not None
        and not Membership.objects.current().filter(school=policy.school, user_id=policy.responsible_id).exists()
    ):
        raise ValidationError({"responsible": "The responsible officer must work at this school."})
    creating = policy.pk is None
    policy.full_clean()
    policy.save()
    audit_record(
        action="curriculum.policy_created" if creating else "curriculum.policy_updated",
        actor=by,
        school=policy.school,
        obj=policy,
        summary=f"Policy register: {policy.title}" + (" (new document)" if document is not None else ""),
    )
    return policy


@transaction.atomic
def standard_publish(
    *,
    trust,
    by,
    name: str,
    roles: list[str],
    renew_months: int | None,
    guidance: str = "",
    standard: TrustTrainingStandard | None = None,
) -> TrustTrainingStandard:
    """A new standard, or a changed one as its next version (unchanged: nothing new is published)."""
    if standard is None:
        standard = TrustTrainingStandard(trust=trust, version=1)
        changed = True
    else:
        standard = TrustTrainingStandard.objects.select_for_update().get(pk=standard.pk, trust=trust)
        changed = (name.strip(), tuple(sorted(roles)), renew_months, guidance) != (
            *_fields(standard),
            standard.guidance,
        )
        if changed:
            standard.version += 1
    if not changed:
        return standard
    standard.name, standard.roles = name.strip(), roles
    standard.renew_months, standard.guidance = renew_months, guidance
    standard.published_at, standard.published_by = timezone.now(), by
    standard.full_clean()
    standard.save()
    audit_record(
        action="curriculum.trust_standard_published",
        actor=by,
        obj=standard,
        summary=f"Trust training standard published: {standard.name} (version {standard.version})",
    )
    return standard


@transaction.atomic
def standard_adopt(*, school: School, standard: TrustTrainingStandard, by) -> TrainingRequirement:
    """Take the trust's current version into the school's own requirement (the school's records keep counting:
    a requirement of the same name is updated, not replaced)."""
    if standard.trust_id != school.trust_id:
        raise ValidationError("That standard belongs to another trust.")
    req = (
        TrainingRequirement.objects.select_for_update().filter(school=school, trust_standard=standard).first()
        or TrainingRequirement.objects.select_for_update().filter(school=school, name=standard.name).first()
        or TrainingRequirement(school=school, order=99)
    )
    req.name, req.roles, req.renew_months = standard.name, list(standard.roles), standard.renew_months
    req.guidance = standard.guidance or req.guidance
    req.trust_standard, req.standard_version, req.active = standard, standard.version, True
    req.full_clean()
    req.save()
    audit_record(
        action="curriculum.trust_standard_adopted",
        actor=by,
        school=school,
        obj=req,
        summary=f"Took the trust's training standard {standard.name} (version {standard.version})",
    )
    return req


# --- Forms the pages save: each checked against the school it is saved for --------------------------------


def _for_school(school, instance) -> None:
    # A form bound to another school's row would write there; the views scope their lookups, this says so too.
    if instance.school_id != school.pk:
        raise ValidationError("That belongs to another school.")


@transaction.atomic
def requirement_save(*, school, form) -> TrainingRequirement:
    """A training requirement (``RequirementForm``); every record's expiry follows its cycle."""
    _for_school(school, form.instance)
    return form.save()


@transaction.atomic
def unit_save(*, school, form) -> Unit:
    """A planned unit (``UnitForm``), its strands kept in the curriculum's order."""
    _for_school(school, form.instance)
    form.instance.strands = sorted(form.cleaned_data["strands"], key=STRAND_ORDER.get)
    return form.save()


@transaction.atomic
def event_record(*, school, user: User, form) -> Event:
    """An event held (``EventForm``), recorded by ``user``."""
    _for_school(school, form.instance)
    form.instance.recorded_by = user
    return form.save()
