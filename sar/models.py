"""Subject access requests (UK GDPR article 15): the request and its deadline, the DSL's redaction marks on the
review pack, and each disclosure PDF built from it.

The request row keeps its state (deadline, extension, closing) as a projection, like a CP file transfer; every
change of it is in the audit log. Redaction marks are evidence of what was withheld and why, so they are
append-only and hash-chained: a mark is withdrawn by a later mark, never edited away.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safeguarding_portal.audit.chain import ChainedRecord
from safeguarding_portal.core.builds import BackgroundBuild


class Relationship(models.TextChoices):
    PUPIL = "pupil", "The pupil themself"
    PARENT = "parent", "Parent or carer"
    STAFF = "staff", "Staff member (about themself)"
    FORMER_PUPIL = "former_pupil", "Former pupil"
    OTHER = "other", "Someone else acting for the person (solicitor, advocate...)"


class Exemption(models.TextChoices):
    """Why a passage is withheld: the UK GDPR / DPA 2018 grounds a school meets in safeguarding records."""

    THIRD_PARTY = "third_party", "Third-party information (DPA 2018 Sch. 2 para. 16)"
    SERIOUS_HARM = "serious_harm", "Serious harm to the physical or mental health of any person (DPA 2018 Sch. 3)"
    CHILD_ABUSE = "child_abuse", "Child abuse data not in the child's best interests (DPA 2018 Sch. 3 para. 21)"
    CRIME = "crime", "Crime and taxation: prevention or detection of crime (DPA 2018 Sch. 2 para. 2)"
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (DPA 2018 Sch. 2 para. 19)"
    REFERENCE = "reference", "Confidential reference (DPA 2018 Sch. 2 para. 24)"


# What the disclosure PDF prints in place of a withheld passage: the ground, never the words.
EXEMPTION_MARKERS = {
    Exemption.THIRD_PARTY: "third-party information",
    Exemption.SERIOUS_HARM: "serious harm",
    Exemption.CHILD_ABUSE: "child abuse data",
    Exemption.CRIME: "crime and taxation",
    Exemption.LEGAL_PRIVILEGE: "legal professional privilege",
    Exemption.REFERENCE: "confidential reference",
}


class SubjectAccessRequest(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField("who asked", max_length=200)
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    # About whom: one pupil (on roll or left) or one member of staff.
    subject_pupil = models.ForeignKey(
        "schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField()
    identity_check = models.TextField("how identity was verified")
    due_on = models.DateField()  # one calendar month from receipt (services.deadline_for)
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["school", "closed_at", "due_on"], name="sar_open_due_idx")]
        constraints = [
            models.CheckConstraint(
                name="sar_one_subject",
                condition=(
                    Q(subject_pupil__isnull=False, subject_staff__isnull=True)
                    | Q(subject_pupil__isnull=True, subject_staff__isnull=False)
                ),
            ),
            models.CheckConstraint(name="sar_due_after_receipt", condition=Q(due_on__gt=F("received_on"))),
            models.CheckConstraint(
                name="sar_extension_later_with_reason",
                condition=Q(extended_to__isnull=True) | (Q(extended_to__gt=F("due_on")) & ~Q(extension_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def subject_name(self) -> str:
        return self.subject_pupil.full_name if self.subject_pupil_id else self.subject_staff.full_name

    @property
    def deadline(self):
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class MarkAction(models.TextChoices):
    REDACT = "redact", "Redacted"
    WITHDRAW = "withdraw", "Redaction withdrawn"


class RedactionMark(ChainedRecord):
    """The DSL's decision to withhold a passage (or a whole record, or every occurrence of a phrase in it) from
    the disclosure, with the ground and the reason; or the withdrawal of an earlier one."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="marks")
    action = models.CharField(max_length=8, choices=MarkAction.choices)
    # A record's or a passage's key in the pack (sar.sources), e.g. "incidents.case:12" or "incidents.entry:40".
    target = models.CharField(max_length=120)
    # Empty: the whole target; else each occurrence of these words in it (a third party's name).
    phrase = models.CharField(max_length=300, blank=True)
    exemption = models.CharField(max_length=16, choices=Exemption.choices, blank=True)
    reason = models.TextField()
    withdraws = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawn_by"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    HASHED_FIELDS = ("school", "request", "action", "target", "phrase", "exemption", "reason", "withdraws", "by", "at")

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="redactionmark_chain_seq"),
            models.CheckConstraint(
                name="redactionmark_redact_names_a_ground",
                condition=(Q(action="redact", withdraws__isnull=True) & ~Q(exemption=""))
                | Q(action="withdraw", withdraws__isnull=False),
            ),
        ]

    def chain_key(self) -> str:
        return f"sar:{self.school_id}"


def disclosure_path(instance: Disclosure, filename: str) -> str:
    # Unguessable and never the person's name: the path can end up in logs and backups.
    return f"sar/{instance.school_id}/{uuid.uuid4().hex}.pdf"


class Disclosure(BackgroundBuild):
    """A disclosure PDF as built from the pack and its marks, kept with its SHA-256; the one sent closes the
    request. Built in the background (``core.builds``): "being prepared" until its task stores the PDF."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="disclosures")
    # When asked for, then when built; built_by is who asked (the pack as they may see it).
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=disclosure_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    redactions = models.PositiveIntegerField(default=0)
    # The last redaction mark the build took into account: what was decided when this PDF was made.
    marks_up_to = models.PositiveBigIntegerField(default=0)
    sent_on = models.DateField(null=True, blank=True)
    sent_how = models.CharField(max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-built_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(sent_on__isnull=False), name="sar_one_disclosure_sent"
            ),
            models.CheckConstraint(name="sar_sent_says_how", condition=Q(sent_on__isnull=True) | ~Q(sent_how="")),
            models.CheckConstraint(
                name="sar_disclosure_ready_has_file", condition=~Q(build_state="ready") | (~Q(pdf="") & ~Q(sha256=""))
            ),
            models.CheckConstraint(
                name="sar_disclosure_sent_once_ready", condition=Q(sent_on__isnull=True) | Q(build_state="ready")
            ),
            # A double click asks once: one disclosure being prepared per request at a time.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(build_state__in=["queued", "building"]),
                name="sar_one_disclosure_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk} for request {self.request_id}"
