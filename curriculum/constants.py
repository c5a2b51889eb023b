"""Fixed vocabularies: UKCIS strands, KCSiE default training requirements, default category-to-strand map."""

from __future__ import annotations

from django.db import models

from incidents.categories import Category
from safeguarding_portal.accounts.policy import STAFF_ROLES, Role


class Strand(models.TextChoices):
    """UKCIS "Education for a Connected World" (2020 edition): its eight strands, in its order."""

    SELF_IMAGE = "self_image", "Self-image and identity"
    RELATIONSHIPS = "relationships", "Online relationships"
    REPUTATION = "reputation", "Online reputation"
    BULLYING = "bullying", "Online bullying"
    INFORMATION = "information", "Managing online information"
    HEALTH = "health", "Health, wellbeing and lifestyle"
    PRIVACY = "privacy", "Privacy and security"
    COPYRIGHT = "copyright", "Copyright and ownership"


STRAND_ORDER = {value: index for index, value in enumerate(Strand.values)}

# Everyone who works at the school, and governors; parents and the trust lead are not trained by the school.
TRAINED_ROLES = (*STAFF_ROLES, Role.GOVERNOR)

# The matrix calls training "due" this many days before it expires.
DUE_SOON_DAYS = 30


class DefaultRequirement(models.TextChoices):
    """Stable keys for the KCSiE defaults, so a school's edited copy can still be recognised."""

    INDUCTION = "induction", "Safeguarding and online safety induction (including filtering and monitoring roles)"
    ANNUAL = "annual_update", "Annual safeguarding and online safety update"
    DSL = "dsl_training", "Designated Safeguarding Lead training"
    DSL_REFRESHER = "dsl_refresher", "DSL annual refresher"
    PREVENT = "prevent", "Prevent duty training"
    GOVERNOR_INDUCTION = "governor_induction", "Governor safeguarding and online safety induction"
    GOVERNOR_UPDATE = "governor_update", "Governor safeguarding update"
    FILTERING = "filtering_monitoring", "Filtering and monitoring: roles, checks and reporting"


# key, roles, renew every N months (None: once, at induction), the KCSiE reason shown on the edit page.
KCSIE_DEFAULTS: tuple[tuple[str, tuple[str, ...], int | None, str], ...] = (
    (
        DefaultRequirement.INDUCTION,
        STAFF_ROLES,
        None,
        "KCSiE: all staff receive safeguarding and child protection training, including online safety and their "
        "role in filtering and monitoring, at induction.",
    ),
    (
        DefaultRequirement.ANNUAL,
        STAFF_ROLES,
        12,
        "KCSiE: updates (emails, bulletins, staff meetings) as required, and at least annually.",
    ),
    (
        DefaultRequirement.DSL,
        (Role.DSL, Role.DEPUTY_DSL),
        24,
        "KCSiE Annex C: the DSL and deputies undergo formal training at least every two years.",
    ),
    (
        DefaultRequirement.DSL_REFRESHER,
        (Role.DSL, Role.DEPUTY_DSL),
        12,
        "KCSiE Annex C: knowledge and skills refreshed at regular intervals, at least annually.",
    ),
    (
        DefaultRequirement.PREVENT,
        (Role.DSL, Role.DEPUTY_DSL),
        24,
        "KCSiE Annex C and the Prevent duty guidance: the DSL undertakes Prevent awareness training.",
    ),
    (
        DefaultRequirement.GOVERNOR_INDUCTION,
        (Role.GOVERNOR,),
        None,
        "KCSiE part two: governors receive safeguarding and child protection training (including online safety) "
        "at induction.",
    ),
    (
        DefaultRequirement.GOVERNOR_UPDATE,
        (Role.GOVERNOR,),
        12,
        "KCSiE part two: governors' training is regularly updated.",
    ),
    (
        DefaultRequirement.FILTERING,
        (Role.TECHNICIAN,),
        12,
        "DfE filtering and monitoring standards: IT staff know their role in applying and checking filtering.",
    ),
)

# Which strands a run of incidents in a category calls for. Schools edit their own copy.
DEFAULT_CATEGORY_STRANDS: dict[str, tuple[str, ...]] = {
    Category.HARMFUL_CONTENT_ACCIDENTAL: (Strand.INFORMATION, Strand.HEALTH),
    Category.HARMFUL_CONTENT_DELIBERATE: (Strand.HEALTH, Strand.SELF_IMAGE),
    Category.MISINFORMATION: (Strand.INFORMATION,),
    Category.RADICALISATION: (Strand.INFORMATION, Strand.RELATIONSHIPS),
    Category.ONLINE_HATE: (Strand.BULLYING, Strand.REPUTATION),
    Category.INDECENT_IMAGES: (Strand.RELATIONSHIPS, Strand.SELF_IMAGE),
    Category.FILTERING_BREACH: (Strand.INFORMATION,),
    Category.SEXUAL_ABUSE_EXPLOITATION: (Strand.RELATIONSHIPS,),
    Category.UNWANTED_CONTACT: (Strand.RELATIONSHIPS, Strand.PRIVACY),
    Category.CYBERBULLYING: (Strand.BULLYING,),
    Category.YOUTH_PRODUCED_IMAGERY: (Strand.RELATIONSHIPS, Strand.SELF_IMAGE, Strand.REPUTATION),
    Category.PERSONAL_DEVICE_MISUSE: (Strand.PRIVACY, Strand.REPUTATION),
    Category.EXCESSIVE_USE: (Strand.HEALTH,),
    Category.PERSONAL_DATA_LOSS: (Strand.PRIVACY,),
    Category.COPYRIGHT: (Strand.COPYRIGHT,),
    Category.STAFF_CONDUCT: (),  # about adults: nothing for pupils' lessons
    Category.PHISHING_SCAMS: (Strand.PRIVACY, Strand.INFORMATION),
    Category.GAMBLING_SPENDING: (Strand.HEALTH, Strand.INFORMATION),
    Category.AI_SEXUAL_IMAGERY: (Strand.RELATIONSHIPS, Strand.SELF_IMAGE, Strand.REPUTATION),
    Category.SEXTORTION: (Strand.RELATIONSHIPS, Strand.PRIVACY),
    Category.ONLINE_MISOGYNY: (Strand.RELATIONSHIPS, Strand.SELF_IMAGE, Strand.BULLYING),
    Category.COERCIVE_CONTROL: (Strand.RELATIONSHIPS,),
}

DEFAULT_GAP_THRESHOLD = 3

# Certificates and policy documents: what may be uploaded.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CERTIFICATE_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
