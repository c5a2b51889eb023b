from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .calendar import academic_year_bounds, academic_year_label, academic_year_of
from .search import search_text_for

UPN_VALIDATOR = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$",
    "A UPN is 13 characters: a letter, eleven digits, then a digit or (for a temporary UPN) a letter.",
)
URN_VALIDATOR = RegexValidator(r"^[0-9]{6}$", "A URN is six digits.")


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=6, unique=True, validators=[URN_VALIDATOR])
    local_authority = models.CharField(max_length=120)
    reference_prefix = models.CharField(
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", "Two to six capital letters.")],
        help_text="Starts every incident reference, for example OAK-2026-0042.",
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The languages besides English the parents' pages and emails are offered in (schools/languages.py codes).
    parent_languages = models.JSONField(
        "languages offered to parents",
        default=list,
        blank=True,
        help_text="Besides English. Parents see these on the signing and consent pages, and get emails in them.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_term(self, on: datetime.date | None = None) -> Term | None:
        day = on or timezone.localdate()
        return self.terms.filter(starts_on__lte=day, ends_on__gte=day).first()


class Term(models.Model):
    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.PositiveSmallIntegerField(help_text="The calendar year the academic year starts in.")
    name = models.CharField(max_length=6, choices=Name.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "name"], name="term_unique_per_year"),
            models.CheckConstraint(name="term_ends_after_it_starts", condition=Q(ends_on__gt=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.academic_year_label}"

    @property
    def academic_year_label(self) -> str:
        return academic_year_label(self.academic_year)

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "A term must end after it starts."})
        if (
            self.starts_on
            and self.academic_year
            and not (
                academic_year_bounds(self.academic_year)[0]
                <= self.starts_on
                <= academic_year_bounds(self.academic_year)[1]
            )
        ):
            raise ValidationError({"starts_on": f"That date is not in the {self.academic_year_label} academic year."})
        if self.school_id and self.starts_on and self.ends_on:
            overlapping = Term.objects.filter(
                school_id=self.school_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(f"These dates overlap {overlapping.first()}.")


class SafeguardingContact(models.Model):
    """An agency the school turns to. The DSL and deputies are memberships, not contacts."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "Emergency services (child at immediate risk)"
        MASH = "mash", "Children's social care / MASH"
        LADO = "lado", "LADO (allegations about staff)"
        POLICE = "police", "Police non-emergency"
        EDUCATION_SAFEGUARDING = "est", "Education Safeguarding Team"
        OUT_OF_HOURS = "out_of_hours", "Out-of-hours social care"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40)
    email = models.EmailField(blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["school", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.phone}"


class YearGroup(models.TextChoices):
    RECEPTION = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"


YEAR_GROUP_ORDER = {value: index for index, value in enumerate(YearGroup.values)}


def year_group_shifted(year_group: str, years: int) -> str:
    """``year_group`` moved ``years`` school years on (back when negative); "" outside Reception to Year 13."""
    index = YEAR_GROUP_ORDER.get(year_group)
    if index is None or not 0 <= index + years < len(YearGroup.values):
        return ""
    return YearGroup.values[index + years]


SEARCHED_NAME_FIELDS = frozenset(
    {"legal_forename", "preferred_forename", "surname", "preferred_surname", "former_surname", "upn"}
)


class PupilQuerySet(models.QuerySet):
    def on_roll(self) -> PupilQuerySet:
        return self.filter(left_on__isnull=True)

    # The MIS import, the demo and the benches write pupils in bulk, which skips save(): keep the names
    # searched by (schools.search) in step here too.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for pupil in objs:
            pupil.search_text = pupil.names_for_search()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if SEARCHED_NAME_FIELDS & set(fields):
            for pupil in objs:
                pupil.search_text = pupil.names_for_search()
            fields = [*fields, "search_text"] if "search_text" not in fields else fields
        return super().bulk_update(objs, fields, *args, **kwargs)


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, validators=[UPN_VALIDATOR])
    legal_forename = models.CharField(max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100)
    preferred_surname = models.CharField(max_length=100, blank=True)
    former_surname = models.CharField(max_length=100, blank=True, help_text="A surname the pupil was known by.")
    # How school systems know the pupil (the MIS import fills them): monitoring products report alerts by
    # network user name or school email, which match an alert to the pupil.
    network_username = models.CharField(max_length=150, blank=True)
    school_email = models.EmailField(blank=True)
    # The family's home language from the MIS (a schools/languages.py code; "" for English or one not offered):
    # the parents' emails and pages are in it when the school offers it.
    home_language = models.CharField(max_length=8, blank=True)
    # Every name the pupil may be searched by, folded (schools.search): kept by save() and by the importer.
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    date_of_birth = models.DateField()
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    registration_group = models.CharField("class", max_length=40, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True, help_text="Empty while the pupil is on roll.")
    # A move the school knows of ahead of the MIS (incidents.transfers.pupil_mark_leaving): the DSL team is
    # prompted to send the essential information ahead of the file (KCSiE 2026), and records when they did.
    leaving_on = models.DateField(null=True, blank=True)
    destination_school = models.CharField(max_length=200, blank=True)
    destination_urn = models.CharField("destination school's URN", max_length=6, blank=True)
    early_notice_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "legal_forename"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="pupil_upn_unique_per_school"),
        ]
        indexes = [
            models.Index(fields=["school", "surname", "legal_forename"]),
            models.Index(fields=["school", "year_group"]),
            models.Index(Lower("network_username"), "school", name="pupil_username_idx"),
            models.Index(Lower("school_email"), "school", name="pupil_school_email_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.names_for_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def names_for_search(self) -> str:
        return search_text_for(
            self.legal_forename,
            self.preferred_forename,
            self.surname,
            self.preferred_surname,
            self.former_surname,
            self.upn,
        )

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.preferred_surname or self.surname}"

    @property
    def on_roll(self) -> bool:
        return self.left_on is None

    def year_group_on(self, day: datetime.date) -> str:
        """The pupil's year group on ``day``: "" before Reception or after Year 13.

        ``year_group`` is what the MIS said when the pupil was last updated; year groups move up on
        1 September, so a day in another academic year is that many years up or down from it. Records keep
        the year group of the day they happened (``IncidentPupil.year_group``), so figures grouped by year
        do not shift when pupils move up or leave.
        """
        as_of = timezone.localdate(self.updated_at) if self.updated_at else timezone.localdate()
        return year_group_shifted(self.year_group, academic_year_of(day) - academic_year_of(as_of))


class Guardian(models.Model):
    """A parent or carer. They sign agreements from emailed links; an account only if they ask for one."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="guardians")
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="guardianships"
    )
    children = models.ManyToManyField(Pupil, through="PupilGuardian", related_name="guardians")

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                "school",
                Lower("email"),
                condition=~Q(email=""),
                name="guardian_email_unique_per_school",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class PupilGuardian(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(max_length=60, blank=True)
    contact_priority = models.PositiveSmallIntegerField(default=1)
    has_parental_responsibility = models.BooleanField(default=True)

    class Meta:
        ordering = ["contact_priority"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "guardian"], name="pupil_guardian_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.relationship or 'contact'}) of {self.pupil}"


class ImportRun(models.Model):
    """One upload of a CSV exported from the school's MIS, kept whether it was applied or rejected.

    A rejected run changed nothing; its per-row error report is kept so the person who uploaded it can
    fix the file, and so the school can see who tried what.
    """

    class Kind(models.TextChoices):
        PUPILS = "pupils", "Pupils and their parents or carers"
        STAFF = "staff", "Staff"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected: nothing was changed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="import_runs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    rows = models.PositiveIntegerField("data rows read", default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0, help_text="Pupils marked as left, or staff roles ended.")
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Row, column, value and message of each problem.")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="importrun_applied_has_no_errors",
                condition=Q(status="rejected") | Q(error_count=0),
            ),
            models.CheckConstraint(
                name="importrun_rejected_has_errors_and_no_changes",
                condition=Q(status="applied") | Q(error_count__gt=0, created=0, updated=0, left=0),
            ),
        ]
        indexes = [models.Index(fields=["school", "-uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.filename or 'a file'} ({self.get_status_display()})"

    @property
    def applied(self) -> bool:
        return self.status == self.Status.APPLIED


class VulnerabilityFlag(models.TextChoices):
    """What schools already keep in the MIS about a pupil's vulnerability, each with its dates."""

    CP_PLAN = "cp_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked after"
    PREVIOUSLY_LOOKED_AFTER = "previously_looked_after", "Previously looked after"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHCP = "ehcp", "SEND with an EHCP"
    YOUNG_CARER = "young_carer", "Young carer"
    FREE_SCHOOL_MEALS = "fsm", "Free school meals"
    PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
    EAL = "eal", "English as an additional language"


class FlagGroup(models.TextChoices):
    """How figures group the flags (trends, the governor report, the heatmap): kinds close enough to count
    together, so that fewer pupils fall under "fewer than 3"."""

    CP_PLAN = "cp_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked after or previously looked after"
    SEND = "send", "SEND (SEN support or an EHCP)"
    YOUNG_CARER = "young_carer", "Young carer"
    DISADVANTAGED = "disadvantaged", "Free school meals or pupil premium"
    EAL = "eal", "English as an additional language"


FLAG_GROUP_OF: dict[str, str] = {
    VulnerabilityFlag.CP_PLAN: FlagGroup.CP_PLAN,
    VulnerabilityFlag.CHILD_IN_NEED: FlagGroup.CHILD_IN_NEED,
    VulnerabilityFlag.LOOKED_AFTER: FlagGroup.LOOKED_AFTER,
    VulnerabilityFlag.PREVIOUSLY_LOOKED_AFTER: FlagGroup.LOOKED_AFTER,
    VulnerabilityFlag.SEN_SUPPORT: FlagGroup.SEND,
    VulnerabilityFlag.EHCP: FlagGroup.SEND,
    VulnerabilityFlag.YOUNG_CARER: FlagGroup.YOUNG_CARER,
    VulnerabilityFlag.FREE_SCHOOL_MEALS: FlagGroup.DISADVANTAGED,
    VulnerabilityFlag.PUPIL_PREMIUM: FlagGroup.DISADVANTAGED,
    VulnerabilityFlag.EAL: FlagGroup.EAL,
}


def flag_kinds_in(group: str) -> list[str]:
    return [kind for kind, of in FLAG_GROUP_OF.items() if of == group]


class PupilFlagQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> PupilFlagQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class PupilFlag(models.Model):
    """One period of one flag: from ``starts_on`` to ``ends_on`` (both days included; open while empty).

    Only the DSL team reads these (policy: Cap.VIEW_VULNERABILITY_FLAGS); everyone else sees counts. The MIS
    import keeps the periods it brought in; the DSL team may add, correct or remove any, each change in the
    audit log.
    """

    class Source(models.TextChoices):
        MIS = "mis", "MIS import"
        DSL = "dsl", "Entered by the DSL team"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=VulnerabilityFlag.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty while the flag applies.")
    source = models.CharField(max_length=3, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PupilFlagQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="pupilflag_ends_on_or_after_it_starts",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
            models.UniqueConstraint(fields=["pupil", "kind", "starts_on"], name="pupilflag_one_period_per_start"),
            models.UniqueConstraint(
                fields=["pupil", "kind"],
                condition=Q(ends_on__isnull=True),
                name="pupilflag_one_open_period",
            ),
        ]
        indexes = [models.Index(fields=["kind", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%d/%m/%Y}"

    @property
    def group(self) -> str:
        return FLAG_GROUP_OF[self.kind]

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "A flag cannot end before it starts."})
        if self.pupil_id and self.kind and self.starts_on:
            overlapping = PupilFlag.objects.filter(pupil_id=self.pupil_id, kind=self.kind).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
            if self.ends_on:
                overlapping = overlapping.filter(starts_on__lte=self.ends_on)
            if first := overlapping.first():
                raise ValidationError(
                    f"The pupil already has {first.get_kind_display().lower()} for some of these dates "
                    f"(from {first.starts_on:%d/%m/%Y}"
                    f"{f' to {first.ends_on:%d/%m/%Y}' if first.ends_on else ''}): change that one instead."
                )
