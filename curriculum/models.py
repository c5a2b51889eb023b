"""Training, the online-safety curriculum, curriculum gaps raised by incidents, and the policy register."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from incidents.categories import Category
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import YearGroup

from .constants import DEFAULT_GAP_THRESHOLD, Strand
from .dates import add_months


def certificate_path(instance, filename: str) -> str:
    # Unguessable, never the uploaded name (a certificate's name can carry a person's details).
    return f"curriculum/certificates/{instance.school_id}/{uuid.uuid4().hex}"


def policy_document_path(instance, filename: str) -> str:
    return f"curriculum/policies/{instance.school_id}/{uuid.uuid4().hex}"


# --- Training -----------------------------------------------------------------------------------------


class TrainingRequirement(models.Model):
    """What a role must have done, and how often. Each school keeps its own copy of the KCSiE defaults."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="training_requirements")
    key = models.CharField(max_length=40, blank=True, help_text="The KCSiE default this came from, if any.")
    name = models.CharField(max_length=160)
    roles = models.JSONField(default=list, help_text="Roles that must have this training.")
    renew_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Renew every this many months. Empty: once, at induction.",
    )
    guidance = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # Taken from the trust's standard (TrustTrainingStandard) at this version; the school may adapt it after.
    trust_standard = models.ForeignKey(
        "curriculum.TrustTrainingStandard", null=True, blank=True, on_delete=models.SET_NULL, related_name="adoptions"
    )
    standard_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["school", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="training_requirement_name_unique"),
            models.UniqueConstraint(
                fields=["school", "key"], condition=~Q(key=""), name="training_requirement_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        unknown = set(self.roles or []) - set(Role.values)
        if unknown or not self.roles:
            raise ValidationError({"roles": "Choose at least one role."})

    def expiry_for(self, completed_on: datetime.date) -> datetime.date | None:
        if self.renew_months is None:
            return None
        return add_months(completed_on, self.renew_months)

    @property
    def cycle_label(self) -> str:
        if self.renew_months is None:
            return "Once, at induction"
        if self.renew_months % 12 == 0:
            years = self.renew_months // 12
            return "Every year" if years == 1 else f"Every {years} years"
        return f"Every {self.renew_months} months"

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class BriefingSession(models.Model):
    """A whole-staff briefing recorded once; each attendee gets a training record pointing back to it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="briefings")
    requirement = models.ForeignKey(TrainingRequirement, on_delete=models.PROTECT, related_name="briefings")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=160)
    delivered_on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.delivered_on:%-d %b %Y})"


class TrainingRecord(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="training_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records")
    requirement = models.ForeignKey(TrainingRequirement, on_delete=models.PROTECT, related_name="records")
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=160)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])
    certificate = models.FileField(upload_to=certificate_path, blank=True)
    certificate_name = models.CharField(max_length=200, blank=True)
    certificate_type = models.CharField(max_length=100, blank=True)
    briefing = models.ForeignKey(
        BriefingSession, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "user"], condition=Q(briefing__isnull=False), name="training_briefing_once"
            ),
        ]
        indexes = [models.Index(fields=["school", "user", "requirement", "-completed_on"])]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on})"

    @property
    def expires_on(self) -> datetime.date | None:
        return self.requirement.expiry_for(self.completed_on)


# --- Curriculum ---------------------------------------------------------------------------------------


class Unit(models.Model):
    """A planned unit of teaching (Kapow, a PSHE programme, the school's own) and what it covers."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="curriculum_units")
    title = models.CharField(max_length=200)
    programme = models.CharField(
        max_length=120, blank=True, help_text="For example Kapow, Jigsaw PSHE, Project EVOLVE."
    )
    year_groups = models.JSONField(default=list)
    strands = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["school", "title"]
        constraints = [models.UniqueConstraint(fields=["school", "title"], name="curriculum_unit_title_unique")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if not self.strands or set(self.strands) - set(Strand.values):
            raise ValidationError({"strands": "Choose at least one strand."})
        if not self.year_groups or set(self.year_groups) - set(YearGroup.values):
            raise ValidationError({"year_groups": "Choose at least one year group."})

    def strand_labels(self) -> list[str]:
        return [str(Strand(s).label) for s in self.strands if s in Strand.values]

    def year_group_labels(self) -> list[str]:
        return [str(YearGroup(y).label) for y in self.year_groups if y in YearGroup.values]


class Lesson(models.Model):
    """What a teacher taught: one row per lesson, and one ``LessonStrand`` per strand it covered."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="lessons")
    taught_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons_taught")
    taught_on = models.DateField()
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    class_name = models.CharField("class", max_length=40, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons")
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taught_on", "-pk"]
        indexes = [
            models.Index(fields=["school", "taught_on"]),
            models.Index(fields=["taught_by", "-taught_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_year_group_display()} on {self.taught_on}"


class LessonStrand(models.Model):
    # Denormalised school, year group and date: the heatmap and gap closing read this table alone.
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="strand_links")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    taught_on = models.DateField()
    strand = models.CharField(max_length=20, choices=Strand.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "strand"], name="lesson_strand_unique")]
        indexes = [models.Index(fields=["school", "taught_on", "year_group", "strand"])]

    def __str__(self) -> str:
        return f"{self.get_strand_display()} ({self.lesson_id})"


class Event(models.Model):
    class Kind(models.TextChoices):
        SAFER_INTERNET_DAY = "sid", "Safer Internet Day"
        PARENT_WORKSHOP = "parent_workshop", "Parent and carer workshop"
        ASSEMBLY = "assembly", "Assembly"
        VISITOR = "visitor", "Visiting speaker or theatre group"
        OTHER = "other", "Other"

    class Audience(models.TextChoices):
        PUPILS = "pupils", "Pupils"
        PARENTS = "parents", "Parents and carers"
        STAFF = "staff", "Staff"
        FAMILIES = "families", "Pupils and their families"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="curriculum_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    year_groups = models.JSONField(default=list, blank=True)
    strands = models.JSONField(default=list, blank=True)
    attendance = models.PositiveIntegerField(help_text="How many attended.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["school", "held_on"])]

    def __str__(self) -> str:
        return self.title


# --- From incidents to teaching -----------------------------------------------------------------------


class CurriculumSettings(models.Model):
    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="curriculum_settings")
    gap_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_GAP_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Raise a gap when a year group has this many incidents in one category within a term.",
    )

    class Meta:
        verbose_name_plural = "curriculum settings"

    def __str__(self) -> str:
        return f"Curriculum settings of {self.school}"


class CategoryStrand(models.Model):
    """The school's map from an incident category to the strands that teach about it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="category_strands")
    category = models.CharField(max_length=40, choices=Category.choices)
    strands = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "category"], name="category_strand_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {', '.join(self.strands)}"


class Gap(models.Model):
    """A strand a year group needs teaching, raised by a run of incidents; closed by a lesson on it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open: not yet taught"
        CLOSED = "closed", "Closed: taught"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="curriculum_gaps")
    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+")
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    strand = models.CharField(max_length=20, choices=Strand.choices)
    # What tripped it: the category and count at the time (no pupil is stored here).
    category = models.CharField(max_length=40, choices=Category.choices)
    incident_count = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField()
    raised_on = models.DateField()
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    closed_by_lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["status", "-raised_on", "year_group"]
        constraints = [
            # One gap per strand and year group a term: a closed one is not raised again that term.
            models.UniqueConstraint(fields=["school", "term", "year_group", "strand"], name="gap_once_a_term"),
            models.UniqueConstraint(
                fields=["school", "year_group", "strand"], condition=Q(status="open"), name="gap_one_open"
            ),
            models.CheckConstraint(name="gap_closed_has_date", condition=Q(status="open") | Q(closed_on__isnull=False)),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.get_year_group_display()}: {self.get_strand_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


# --- Policy register ----------------------------------------------------------------------------------


class Policy(models.Model):
    class Kind(models.TextChoices):
        ONLINE_SAFETY = "online_safety", "Online safety"
        SAFEGUARDING = "safeguarding", "Safeguarding and child protection"
        AUP = "aup", "Acceptable use"
        FILTERING = "filtering", "Filtering and monitoring"
        BEHAVIOUR = "behaviour", "Behaviour and anti-bullying"
        DATA = "data", "Data protection"
        IMAGES = "images", "Images and photographs"
        OTHER = "other", "Other"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="policies")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    approved_by = models.CharField(max_length=160, help_text="Who approved it, e.g. the full governing board.")
    approved_on = models.DateField()
    review_months = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(12, "Every 12 months"), (24, "Every 24 months")]
    )
    review_by = models.DateField(null=True, blank=True, help_text="A set review date instead of a cycle.")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsible officer",
    )
    document = models.FileField(upload_to=policy_document_path, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school", "title"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="policy_title_unique"),
            models.CheckConstraint(
                name="policy_has_a_review_cycle_or_date",
                condition=Q(review_months__isnull=False) | Q(review_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.review_months is None and self.review_by is None:
            raise ValidationError("Choose a review cycle or a review date.")
        if self.review_by and self.approved_on and self.review_by <= self.approved_on:
            raise ValidationError({"review_by": "The review date must be after the approval date."})

    @property
    def next_review_due(self) -> datetime.date:
        if self.review_by is not None:
            return self.review_by
        return add_months(self.approved_on, self.review_months)


class TrustTrainingStandard(models.Model):
    """A training requirement the trust sets once for its schools (issue 18, "set the standard once"). Schools
    adopt it into their own TrainingRequirement and may adapt it; each change the trust publishes is a new
    ``version``, so a school that took an earlier one is "behind" (curriculum.standards)."""

    trust = models.ForeignKey("schools.Trust", on_delete=models.CASCADE, related_name="training_standards")
    name = models.CharField(max_length=160)
    roles = models.JSONField(default=list)
    renew_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    guidance = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trust", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="trust_training_standard_name_unique"),
            models.CheckConstraint(name="trust_training_standard_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.name} (trust standard, version {self.version})"
