"""Writes for subject access requests: log, extend, mark and withdraw redactions, build the disclosure, record
it as sent (which closes the request). Each takes the user, the school and an audit ``Origin``; what the pack holds
is what that user may see at that school (``accounts.context.acting_as``), as on the page."""

from __future__ import annotations

import datetime
import hashlib

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.context import acting_as
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.core import builds
from safeguarding_portal.core.builds import BuildState
from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools.models import Pupil, School

from . import pack
from .models import Disclosure, Exemption, MarkAction, RedactionMark, Relationship, SubjectAccessRequest

# UK GDPR art. 12(3): one month from receipt, extendable by up to two further months where requests are complex
# or numerous. The ICO counts calendar months: a request received on 31 January is due on 28 (or 29) February.
MONTHS_TO_ANSWER = 1
MAX_MONTHS_WITH_EXTENSION = 3


def deadline_for(received_on: datetime.date) -> datetime.date:
    return received_on + relativedelta(months=MONTHS_TO_ANSWER)


def latest_extension(received_on: datetime.date) -> datetime.date:
    return received_on + relativedelta(months=MAX_MONTHS_WITH_EXTENSION)


def _audit(
    *, action: str, origin: Origin | None, by: User, school: School, obj, summary: str, detail: dict | None = None
) -> None:
    audit_record(action=action, origin=origin, actor=by, school=school, obj=obj, summary=summary, detail=detail)


@transaction.atomic
def request_log(
    *,
    school: School,
    by: User,
    requester_name: str,
    relationship: str,
    received_on: datetime.date,
    identity_check: str,
    subject_pupil: Pupil | None = None,
    subject_staff: User | None = None,
    origin: Origin | None = None,
) -> SubjectAccessRequest:
    if (subject_pupil is None) == (subject_staff is None):
        raise ValidationError("Choose the pupil or the member of staff the request is about (one of them).")
    if subject_pupil is not None and subject_pupil.school_id != school.pk:
        raise ValidationError({"subject_pupil": "That pupil is not at this school."})
    if subject_staff is not None and not Membership.objects.filter(school=school, user=subject_staff).exists():
        raise ValidationError({"subject_staff": "That person has never worked at this school."})
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": "Choose who is asking."})
    if not requester_name.strip():
        raise ValidationError({"requester_name": "Name the person who asked."})
    if not identity_check.strip():
        raise ValidationError({"identity_check": "Say how the requester's identity (and authority) was checked."})
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError({"received_on": "That day is in the future."})
    sar = SubjectAccessRequest(
        school=school,
        requester_name=requester_name.strip(),
        relationship=relationship,
        subject_pupil=subject_pupil,
        subject_staff=subject_staff,
        received_on=received_on,
        identity_check=identity_check.strip(),
        due_on=deadline_for(received_on),
        logged_by=by,
        logged_at=timezone.now(),
    )
    sar.full_clean(exclude=["school", "subject_pupil", "subject_staff", "logged_by"])
    sar.save()
    _audit(
        action="sar.logged",
        origin=origin,
        by=by,
        school=school,
        obj=sar,
        summary=f"Subject access request {sar.pk} logged (due {sar.due_on:%-d %b %Y})",
        detail={"relationship": relationship, "received_on": received_on.isoformat(), "due_on": sar.due_on.isoformat()},
    )
    return sar


def _locked(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)


def _pack(*, school: School, sar: SubjectAccessRequest, by: User) -> list[pack.Section]:
    """The request's pack as ``by`` sees it at ``school``: the request must be that school's."""
    if sar.school_id != school.pk:
        raise ValidationError("That request is not at this school.")
    portal = acting_as(user=by, school=school)
    # The access policy's object rule, asked here too: a task or a command reaches the pack without a view.
    if not policy.can_review_subject_access(portal, sar):
        raise ValidationError("Only the DSL team reviews a pupil's pack, and the headteacher a member of staff's.")
    return pack.gather(portal=portal, request=sar)


def _open(sar: SubjectAccessRequest) -> None:
    if sar.closed_at is not None:
        raise ValidationError("This request is closed: its disclosure was sent.")


@transaction.atomic
def request_extend(
    *, sar: SubjectAccessRequest, by: User, to: datetime.date, reason: str, origin: Origin | None = None
) -> SubjectAccessRequest:
    """Extend the deadline once, by up to two further months, with the reason (told to the requester)."""
    sar = _locked(sar)
    _open(sar)
    if sar.extended_to is not None:
        raise ValidationError("The deadline was already extended once; it cannot be extended again.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the extension (the requester must be told it)."})
    if to <= sar.due_on:
        raise ValidationError({"to": f"An extension ends after the deadline ({sar.due_on:%-d %b %Y})."})
    if to > latest_extension(sar.received_on):
        raise ValidationError(
            {
                "to": "The deadline can be extended by two further months at most "
                f"(to {latest_extension(sar.received_on):%-d %b %Y})."
            }
        )
    sar.extended_to, sar.extension_reason = to, reason.strip()
    sar.extended_by, sar.extended_at = by, timezone.now()
    sar.save(update_fields=["extended_to", "extension_reason", "extended_by", "extended_at"])
    _audit(
        action="sar.extended",
        origin=origin,
        by=by,
        school=sar.school,
        obj=sar,
        summary=f"Subject access request {sar.pk} extended to {to:%-d %b %Y}",
        detail={"to": to.isoformat(), "reason": sar.extension_reason},
    )
    return sar


def redaction_mark(
    *,
    school: School,
    sar: SubjectAccessRequest,
    by: User,
    target: str,
    exemption: str,
    reason: str,
    phrase: str = "",
    origin: Origin | None = None,
) -> RedactionMark:
    """Withhold a record, a passage, or each occurrence of ``phrase`` in it. ``target`` must be in the pack as the
    marker sees it now."""
    return redaction_marks(
        school=school,
        sar=sar,
        by=by,
        targets=[target],
        exemption=exemption,
        reason=reason,
        phrase=phrase,
        origin=origin,
    )[0]


@transaction.atomic
def redaction_marks(
    *,
    school: School,
    sar: SubjectAccessRequest,
    by: User,
    targets: list[str],
    exemption: str,
    reason: str,
    phrase: str = "",
    everywhere: bool = False,
    origin: Origin | None = None,
) -> list[RedactionMark]:
    """Withhold several targets on one ground, gathering the pack once (a large pack takes a second to gather: one
    request marks them all). With ``everywhere``, ``phrase`` is withheld in every passage of the pack holding it
    (a third party's name), each passage its own mark."""
    sar = _locked(sar)
    _open(sar)
    if exemption not in Exemption.values:
        raise ValidationError({"exemption": "Choose the exemption the redaction rests on."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the passage is withheld."})
    phrase = phrase.strip()
    if everywhere and not phrase:
        raise ValidationError({"phrase": "Give the words to withhold wherever they appear."})
    sections = _pack(school=school, sar=sar, by=by)
    if everywhere:
        targets = pack.passages_holding(sections, phrase)
        if not targets:
            raise ValidationError({"phrase": f"“{phrase}” is not in the pack: nothing would be withheld."})
    if not targets:
        raise ValidationError("Choose what to withhold.")
    marks = []
    for target in dict.fromkeys(targets):  # each once, in the order given
        texts = pack.texts_of(sections, target)
        if texts is None:
            raise ValidationError("That passage is not in this request's pack.")
        if phrase and not any(phrase.casefold() in t.casefold() for t in texts):
            raise ValidationError({"phrase": f"“{phrase}” is not in that passage: nothing would be withheld."})
        mark = RedactionMark(
            school=sar.school,
            request=sar,
            action=MarkAction.REDACT,
            target=target,
            phrase=phrase[:300],
            exemption=exemption,
            reason=reason.strip(),
            by=by,
            at=timezone.now(),
        )
        chain.append(mark)
        _audit(
            action="sar.redaction_marked",
            origin=origin,
            by=by,
            school=sar.school,
            obj=sar,
            summary=f"Redaction marked on subject access request {sar.pk}",
            detail={"mark": mark.pk, "target": target, "exemption": exemption, "phrase": bool(mark.phrase)},
        )
        marks.append(mark)
    return marks


@transaction.atomic
def redaction_withdraw(
    *, sar: SubjectAccessRequest, by: User, mark: RedactionMark, reason: str, origin: Origin | None = None
) -> RedactionMark:
    sar = _locked(sar)
    _open(sar)
    if mark.request_id != sar.pk or mark.action != MarkAction.REDACT:
        raise ValidationError("That redaction is not on this request.")
    if RedactionMark.objects.filter(withdraws=mark).exists():
        raise ValidationError("That redaction was already withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the redaction is withdrawn."})
    withdrawal = RedactionMark(
        school=sar.school,
        request=sar,
        action=MarkAction.WITHDRAW,
        target=mark.target,
        phrase=mark.phrase,
        reason=reason.strip(),
        withdraws=mark,
        by=by,
        at=timezone.now(),
    )
    chain.append(withdrawal)
    _audit(
        action="sar.redaction_withdrawn",
        origin=origin,
        by=by,
        school=sar.school,
        obj=sar,
        summary=f"Redaction withdrawn on subject access request {sar.pk}",
        detail={"mark": mark.pk, "withdrawal": withdrawal.pk},
    )
    return withdrawal


BUILD_TASK = "sar.build_disclosure"


@transaction.atomic
def disclosure_build(
    *, school: School, sar: SubjectAccessRequest, by: User, origin: Origin | None = None
) -> Disclosure:
    """Ask for the disclosure PDF (~14 s on a large pack): the row, "being prepared", and its build task through
    the outbox in this transaction; ``disclosure_make`` builds it in the background. Asking again while one is
    being prepared returns that one (a double click asks once)."""
    sar = _locked(sar)
    _open(sar)
    if sar.school_id != school.pk:
        raise ValidationError("That request is not at this school.")
    if not policy.can_review_subject_access(acting_as(user=by, school=school), sar):
        raise ValidationError("Only the DSL team reviews a pupil's pack, and the headteacher a member of staff's.")
    pending = Disclosure.objects.filter(request=sar).filter(builds.pending_q()).first()
    if pending is not None:
        builds.reclaim_if_stale(pending, task=BUILD_TASK, disclosure_id=pending.pk)  # its worker died: again
        return pending
    now = timezone.now()
    disclosure = Disclosure.objects.create(
        school=sar.school, request=sar, built_at=now, requested_at=now, built_by=by, build_state=BuildState.QUEUED
    )
    _audit(
        action="sar.disclosure_requested",
        origin=origin,
        by=by,
        school=sar.school,
        obj=sar,
        summary=f"Disclosure asked for, subject access request {sar.pk}",
        detail={"disclosure": disclosure.pk, "requested_at": now.isoformat()},
    )
    enqueue(BUILD_TASK, disclosure_id=disclosure.pk)
    return disclosure


def disclosure_make(*, disclosure_id: int) -> Disclosure:
    """The task's work: the pack as the person who asked sees it, with every redaction in force applied to the
    text itself, laid out, stored through the storage API with its SHA-256, and audited (who asked, when, when
    built). Idempotent (core.builds)."""
    return builds.run(Disclosure, disclosure_id, _make)


def _make(disclosure: Disclosure) -> None:
    sar, by, school = disclosure.request, disclosure.built_by, disclosure.school
    at = timezone.now()
    sections = _pack(school=school, sar=sar, by=by)
    marks = pack.current_marks(sar)
    shown, changed = pack.redacted(sections, marks)
    records = sum(len(s.records) for s in sections)
    pdf = render_pdf(
        template="sar/pdf/disclosure.html",
        context={
            "school": sar.school,
            "sar": sar,
            "sections": shown,
            "records": records,
            "redactions": changed,
            "generated_at": timezone.localtime(at),
            "generated_by": by.full_name or by.email,
        },
    )
    last_mark = RedactionMark.objects.filter(request=sar).order_by("-seq").values_list("seq", flat=True).first() or 0
    with transaction.atomic():
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if disclosure.build_state != BuildState.BUILDING:
            return  # reclaimed by another worker meanwhile: that build finishes it
        disclosure.built_at = at
        disclosure.sha256 = hashlib.sha256(pdf.content).hexdigest()
        disclosure.pages, disclosure.records, disclosure.redactions = pdf.pages, records, changed
        disclosure.marks_up_to = last_mark
        disclosure.pdf.save("disclosure.pdf", ContentFile(pdf.content), save=False)
        disclosure.build_state = BuildState.READY
        disclosure.save()
        _audit(
            action="sar.disclosure_built",
            origin=None,
            by=by,
            school=sar.school,
            obj=sar,
            summary=f"Disclosure built for subject access request {sar.pk}",
            detail={
                "disclosure": disclosure.pk,
                "sha256": disclosure.sha256,
                "records": records,
                "redactions": changed,
                "pages": pdf.pages,
                "requested_by": by.pk,
                "requested_at": disclosure.requested_at.isoformat() if disclosure.requested_at else None,
                "built_at": at.isoformat(),
                "builds": disclosure.builds,
            },
        )


@transaction.atomic
def disclosure_sent(
    *, disclosure: Disclosure, by: User, sent_on: datetime.date, sent_how: str, origin: Origin | None = None
) -> SubjectAccessRequest:
    """Record that this disclosure went to the requester; the request closes."""
    sar = _locked(disclosure.request)
    _open(sar)
    if not disclosure.is_ready:
        raise ValidationError("That disclosure is still being prepared (or could not be built).")
    if not sent_how.strip():
        raise ValidationError({"sent_how": "Say how the disclosure was sent (secure email, collected in person...)."})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "That day is in the future."})
    if sent_on < timezone.localdate(disclosure.built_at):
        raise ValidationError({"sent_on": "The disclosure cannot have been sent before it was built."})
    disclosure.sent_on, disclosure.sent_how, disclosure.sent_by = sent_on, sent_how.strip()[:200], by
    disclosure.save(update_fields=["sent_on", "sent_how", "sent_by"])
    sar.closed_at = timezone.now()
    sar.save(update_fields=["closed_at"])
    _audit(
        action="sar.disclosure_sent",
        origin=origin,
        by=by,
        school=sar.school,
        obj=sar,
        summary=f"Disclosure sent for subject access request {sar.pk}; request closed",
        detail={
            "disclosure": disclosure.pk,
            "sha256": disclosure.sha256,
            "sent_on": sent_on.isoformat(),
            "late": sent_on > sar.deadline,
        },
    )
    return sar
