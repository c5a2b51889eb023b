"""Acceptable use agreements: versions with frozen text, campaigns, signing requests and signatures.

What someone signed never changes. ``Signature`` and ``SignatureEvent`` are append-only and hash-chained
per school (``audit.chain``), with database triggers refusing UPDATE and DELETE. The few things that do
change (a request's status, a child's current photo consents) are projections written by
``aup.services`` in the same transaction as the event that changes them.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from safeguarding_portal.audit.chain import AppendOnlyError, ChainedRecord


class Audience(models.TextChoices):
    STAFF = "staff", "Staff"
    PUPIL_YOUNGER = "pupil_ey_ks1", "Pupils in the early years and Key Stage 1"
    PUPIL_OLDER = "pupil_ks2", "Pupils in Key Stage 2 and above"
    PARENT = "parent", "Parents and carers"
    VISITOR = "visitor", "Visitors and guests"
    GOVERNOR = "governor", "Governors"
    SOCIAL_MEDIA = "social_media", "Staff who run official social media"


PUPIL_AUDIENCES = (Audience.PUPIL_YOUNGER, Audience.PUPIL_OLDER)
YOUNGER_YEAR_GROUPS = frozenset({"R", "1", "2"})

# The consent items of a new parents' agreement; each school edits them for its next version.
DEFAULT_CONSENT_ITEMS = [
    {"key": "website", "label": "Photos on the school website"},
    {"key": "prospectus", "label": "Photos in the prospectus and printed material"},
    {"key": "video", "label": "Video and webcam (for example recorded performances and remote lessons)"},
    {"key": "displays_in", "label": "Photos on displays in school"},
    {"key": "displays_out", "label": "Photos on displays outside school (for example at local events)"},
    {"key": "press", "label": "Press and media (newspapers, local news websites)"},
]


def pupil_audience(year_group: str) -> str:
    return Audience.PUPIL_YOUNGER if year_group in YOUNGER_YEAR_GROUPS else Audience.PUPIL_OLDER


class Agreement(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="agreements")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    title = models.CharField(max_length=200)
    # The QR code on the office tablet and the visitors' badge points at this; unguessable so the
    # visitors' page of one school cannot be found by counting.
    public_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Signatures of versions numbered below this one no longer count as current (a re-sign was required).
    current_from = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["school", "audience"]
        constraints = [models.UniqueConstraint(fields=["school", "audience"], name="agreement_one_per_audience")]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> AgreementVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()

    @property
    def draft(self) -> AgreementVersion | None:
        return self.versions.filter(published_at__isnull=True).order_by("-number").first()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AgreementVersion(models.Model):
    """A draft is edited freely; once published its text and consent items are frozen with their hash."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    consent_items = models.JSONField(default=list, blank=True)
    sha256 = models.CharField("SHA-256 of the text", max_length=64, blank=True)
    requires_resign = models.BooleanField(
        "everyone must sign again",
        default=False,
        help_text="Signatures of earlier versions stop counting as current when this version is published.",
    )
    summary_of_changes = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreementversion_number_unique"),
            models.CheckConstraint(
                name="agreementversion_published_has_hash", condition=Q(published_at__isnull=True) | ~Q(sha256="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.title}, version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def label(self) -> str:
        return f"version {self.number}"

    def clean(self) -> None:
        super().clean()
        keys = [item.get("key") for item in self.consent_items or []]
        if len(keys) != len(set(keys)):
            raise ValidationError({"consent_items": "Each consent item needs its own key."})

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and self.pk:
            stored = AgreementVersion.objects.filter(pk=self.pk).values("published_at", "text", "consent_items").first()
            if (
                stored
                and stored["published_at"] is not None
                and (stored["text"] != self.text or stored["consent_items"] != self.consent_items)
            ):
                raise AppendOnlyError("A published version is frozen: write a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise AppendOnlyError("A published version is never deleted.")
        return super().delete(*args, **kwargs)


class AgreementTranslation(models.Model):
    """A published version's text in another language, for the parents' pages. The English version is the
    original; a translation is frozen once uploaded (a correction is uploaded as a newer one, which is then
    shown), and a signature records the language and the hash of the text its signer was shown."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # The consent questions in this language, by the English item's key ({"photos_website": "..."}).
    consent_labels = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField("SHA-256 of the text", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "language", "-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="agreementtranslation_has_hash", condition=~Q(sha256="")),
            models.CheckConstraint(name="agreementtranslation_not_english", condition=~Q(language__startswith="en")),
            models.UniqueConstraint(fields=["version", "language", "sha256"], name="agreementtranslation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version}, {self.language}"

    def clean(self) -> None:
        super().clean()
        if self.sha256 != text_sha256(self.text):
            raise ValidationError({"text": "The fingerprint does not match the text."})

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A translation is frozen: upload a corrected one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A translation is never deleted: signatures name it.")


class Campaign(models.Model):
    class Scope(models.TextChoices):
        SCHOOL = "school", "Whole school"
        YEAR = "year", "A year group"
        CLASS = "class", "A class"
        JOINED_SINCE = "joined_since", "Pupils who joined since a date"
        STAFF = "staff", "All staff"
        GOVERNORS = "governors", "Governors"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="aup_campaigns")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    scope_value = models.CharField(max_length=40, blank=True, help_text="The year group, class or date.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closes_on = models.DateField(help_text="Links stop working and reminders stop after this day.")
    remind_every_days = models.PositiveSmallIntegerField(default=7)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["closes_on", "closed_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_label(self) -> str:
        if self.scope in (self.Scope.YEAR, self.Scope.CLASS, self.Scope.JOINED_SINCE):
            return f"{self.get_scope_display()}: {self.scope_value}"
        return self.get_scope_display()


class Invitation(models.Model):
    """One email to one parent (or carer) with one link, covering each of their children in the campaign.

    The link's token is never stored: it is an HMAC of the invitation with the site's secret (so a
    reminder can rebuild the same link), and only its SHA-256 is kept to find the invitation.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="invitations")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey("schools.Guardian", on_delete=models.PROTECT, related_name="aup_invitations")
    email = models.EmailField()
    nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    manage_token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # Opening the link writes only the two fields above (no lock on the school's evidence chain: a parent reading
    # the agreement must not queue behind others signing). The chained "opened" event follows with the parent's
    # signature or refusal, or the morning sweep for those who did neither; ``opened_chained`` says it is written.
    opened_ip = models.GenericIPAddressField(null=True, blank=True)
    opened_chained = models.BooleanField(default=False)
    bounced_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True, help_text="When the signing link was last used to sign.")
    # The language the parent chose on the page ("" until they choose one): reminders and receipts follow it.
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "guardian"], name="invitation_one_per_guardian")]
        indexes = [
            # The sweep's "opened, not yet chained": a handful among a campaign's thousands.
            models.Index(
                fields=["opened_at"],
                name="invitation_open_unchained",
                condition=Q(opened_at__isnull=False, opened_chained=False),
            )
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.campaign})"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Not signed yet"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"
    COVERED = "covered", "Signed by another parent or carer"


class SigningRequest(models.Model):
    """One signer (and, for parents, one child) asked to sign one version in one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="requests")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    guardian = models.ForeignKey("schools.Guardian", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "guardian", "pupil"],
                condition=Q(guardian__isnull=False),
                name="signingrequest_one_per_guardian_child",
            ),
            models.UniqueConstraint(
                fields=["campaign", "user"], condition=Q(user__isnull=False), name="signingrequest_one_per_user"
            ),
            models.CheckConstraint(
                name="signingrequest_has_one_signer",
                condition=Q(guardian__isnull=False, user__isnull=True) | Q(guardian__isnull=True, user__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["pupil", "status"]),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.get_status_display()})"


class SignMethod(models.TextChoices):
    ONLINE = "online", "Signed online"
    PAPER = "paper", "Signed on paper"


# A paper agreement's "drawn signature" is its scan, named by the scan's SHA-256: the field is in the chained
# hash, so the hash covers that it was on paper and which scan shows it (``method`` must agree with it).
PAPER_SIGNATURE_PREFIX = "paper-scan:sha256:"


def paper_scan_path(instance: PaperScan, filename: str) -> str:
    return f"aup/{instance.school_id}/paper/{uuid.uuid4().hex}"


class PaperScan(models.Model):
    """The scan of an agreement a parent signed on paper, stored through the storage API under an unguessable
    name. Never replaced or removed: a wrong scan is corrected by recording the agreement again."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=paper_scan_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Paper scan {self.sha256[:12]}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A paper agreement's scan is never replaced.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A paper agreement's scan is never deleted.")


class Signature(ChainedRecord):
    """Who signed which version (with its hash), for which child, when, from where, and what they consented to.

    Pupils' agreements recorded by a teacher carry the teacher as witness; visitors give an organisation. A
    parent's agreement signed on paper carries the member of staff who recorded it as witness, the recorder's
    address and browser, the date written on the paper (``agreed_on``) and its scan (``drawn_signature``).
    """

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    version_sha256 = models.CharField(max_length=64)
    request = models.OneToOneField(
        SigningRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="signature"
    )
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey("schools.Guardian", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField()
    agreed_on = models.DateField(null=True, blank=True, help_text="For pupils: the day they were talked through it.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    drawn_signature = models.TextField(blank=True, help_text="The drawn signature as a PNG data URL.")
    consents = models.JSONField(default=dict, blank=True)
    verification_code = models.CharField(max_length=24, unique=True)
    # A visitor's page has no request to lock: the form's own token makes a double submit one signature.
    submission_token = models.UUIDField(null=True, blank=True, unique=True)
    method = models.CharField(max_length=8, choices=SignMethod.choices, default=SignMethod.ONLINE)
    paper_scan = models.ForeignKey(
        PaperScan, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    # Which language version of the text the signer was shown, and its hash: set by the server from the text it
    # rendered (the English original: "en-gb" and the version's own hash). Empty on signatures made before
    # translations existed, which were all shown the English text.
    text_language = models.CharField(max_length=8, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)

    HASHED_FIELDS = (
        "school",
        "version",
        "audience",
        "version_sha256",
        "request",
        "pupil",
        "guardian",
        "user",
        "witness",
        "signer_name",
        "organisation",
        "signed_at",
        "agreed_on",
        "ip_address",
        "user_agent",
        "drawn_signature",
        "consents",
        "verification_code",
    )
    HASHED_IF_SET = ("text_language", "text_sha256")

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="signature_chain_seq_unique"),
            # Paper exactly when the hashed signature field names a scan, and a paper one has its scan.
            models.CheckConstraint(
                name="signature_paper_names_its_scan",
                condition=(
                    Q(method="paper")
                    & Q(drawn_signature__startswith=PAPER_SIGNATURE_PREFIX)
                    & Q(paper_scan__isnull=False)
                    & Q(witness__isnull=False)
                )
                | (Q(method="online") & ~Q(drawn_signature__startswith=PAPER_SIGNATURE_PREFIX)),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "audience", "user"]),
            models.Index(fields=["school", "audience", "pupil"]),
        ]

    def __str__(self) -> str:
        return f"Signature {self.verification_code}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"

    @property
    def signer_initials(self) -> str:
        return initials(self.signer_name)

    @property
    def on_paper(self) -> bool:
        return self.method == SignMethod.PAPER

    @property
    def drawn_image(self) -> str:
        """The drawn signature as an image URL, if it was drawn (a paper one's field names its scan instead)."""
        return self.drawn_signature if self.drawn_signature.startswith("data:image/") else ""


def initials(name: str) -> str:
    return " ".join(f"{part[0].upper()}." for part in name.split() if part and part[0].isalpha())


class EventKind(models.TextChoices):
    SENT = "sent", "Sent"
    OPENED = "opened", "Link opened"
    VIEWED = "viewed", "Signed record viewed"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"
    REMINDED = "reminded", "Reminder sent"
    BOUNCED = "bounced", "Email bounced"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    CONSENT_GIVEN = "consent_given", "Consent given"


class SignatureEvent(ChainedRecord):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SigningRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    signature = models.ForeignKey(Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    HASHED_FIELDS = ("school", "kind", "at", "campaign", "invitation", "request", "signature", "pupil", "actor", "data")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="signatureevent_chain_seq_unique")]
        indexes = [models.Index(fields=["signature", "at"]), models.Index(fields=["invitation", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}"


class Consent(models.Model):
    """A child's current answer to one consent item: a projection of signatures and consent events."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="aup_consents")
    key = models.CharField(max_length=32)
    label = models.CharField(max_length=200)
    given = models.BooleanField()
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "key"], name="consent_one_per_pupil_item")]
        indexes = [models.Index(fields=["school", "pupil"])]

    def __str__(self) -> str:
        return f"{self.key}: {'yes' if self.given else 'no'}"


def certificate_path(instance: Certificate, filename: str) -> str:
    return f"aup/{instance.signature.school_id}/certificates/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    """A signature's certificate PDF, built when first needed (``aup.certificate.certificate_for``), once.

    The row may come first, empty: the receipt email records itself here (``emailed_at``) before anyone has
    asked for the PDF. Once built, the PDF and its hash are set together and never change."""

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="certificate")
    pdf = models.FileField(upload_to=certificate_path, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Not built yet (neither), built (both), or disposed of under the retention schedule (aup/disposal.py:
            # the file deleted, its hash kept so the verify page still knows a copy someone kept): never a file
            # without its hash. The hash is what marks a certificate built, so a disposed one is never rebuilt.
            models.CheckConstraint(
                name="certificate_never_a_file_without_its_hash",
                condition=Q(pdf="") | ~Q(sha256=""),
            )
        ]

    @property
    def built(self) -> bool:
        return bool(self.sha256)

    def __str__(self) -> str:
        return f"Certificate for {self.signature_id}"
