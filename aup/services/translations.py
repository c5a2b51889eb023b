"""The agreement's text as each parent is shown it: translations of a published version, and the language of
each parent's pages and emails (their choice, else their child's MIS home language, else English)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.schools import languages

from ..models import AgreementTranslation, AgreementVersion, Campaign, Invitation, SigningRequest, text_sha256


@dataclass(frozen=True)
class ShownText:
    """The text a parent's page shows: the English original or a translation, with the hash of that text."""

    language: str
    title: str
    text: str
    sha256: str
    consent_labels: dict

    def label_of(self, item: dict) -> str:
        return self.consent_labels.get(item["key"]) or item["label"]


def shown_text(*, version: AgreementVersion, language: str) -> ShownText:
    """The newest translation of ``version`` into ``language``; the English original when there is none."""
    translation_row = None
    if language != languages.ENGLISH:
        translation_row = (
            AgreementTranslation.objects.filter(version=version, language=language)
            .order_by("-uploaded_at", "-pk")
            .first()
        )
    if translation_row is None:
        return ShownText(
            language=languages.ENGLISH,
            title=version.agreement.title,
            text=version.text,
            sha256=version.sha256,
            consent_labels={},
        )
    return ShownText(
        language=translation_row.language,
        title=translation_row.title or version.agreement.title,
        text=translation_row.text,
        sha256=translation_row.sha256,
        consent_labels=translation_row.consent_labels or {},
    )


@transaction.atomic
def add_translation(
    *,
    version: AgreementVersion,
    language: str,
    title: str,
    text: str,
    consent_labels: list[str],
    by: User,
    origin: Origin | None = None,
) -> AgreementTranslation:
    """A published version's text in one of the school's languages; the newest one of a language is shown.

    ``consent_labels`` are the consent questions in that language, in the English questions' order.
    """
    if not version.is_published:
        raise ValidationError("Publish the version first: a translation is of a frozen text.")
    school = version.agreement.school
    if language not in languages.CODES:
        raise ValidationError({"language": "Choose one of the languages the portal translates into."})
    if language not in (school.parent_languages or []):
        raise ValidationError({"language": "The school does not offer this language to parents (School details)."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Paste the translated text."})
    items = version.consent_items or []
    labels = [label.strip() for label in consent_labels if label.strip()]
    if labels and len(labels) != len(items):
        raise ValidationError(
            {
                "consent_labels": f"Give all {len(items)} consent questions, one a line, in the "
                "order of the English ones (or none, to show them in English)."
            }
        )
    digest = text_sha256(text)
    if AgreementTranslation.objects.filter(version=version, language=language, sha256=digest).exists():
        raise ValidationError({"text": "This exact translation is already uploaded."})
    row = AgreementTranslation.objects.create(
        version=version,
        language=language,
        title=title.strip(),
        text=text,
        consent_labels={item["key"]: label for item, label in zip(items, labels, strict=False)},
        sha256=digest,
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=by,
        school=school,
        origin=origin,
        obj=version,
        summary=f"Agreement translation uploaded ({languages.ENGLISH_NAMES[language]})",
        detail={"version": version.pk, "language": language, "sha256": digest},
    )
    return row


def invitation_language(invitation: Invitation, *, homes: list[str] | None = None) -> str:
    """The language of a parent's emails: their choice on the page, else their child's MIS home language,
    else English; always one the school offers now. ``homes``: the children's home languages, if known."""
    offered = languages.offered(invitation.campaign.school.parent_languages)
    if homes is None and invitation.language not in offered:
        homes = list(
            SigningRequest.objects.filter(invitation=invitation)
            .exclude(pupil__home_language="")
            .order_by("pk")
            .values_list("pupil__home_language", flat=True)
        )
    return language_among(offered=offered, chosen=invitation.language, homes=homes or [])


def language_among(*, offered: list[str], chosen: str, homes: list[str]) -> str:
    """``invitation_language`` from what is already read: the school's offered languages (``languages.offered``),
    the parent's recorded choice and their children's MIS home languages (a sweep reads these for a whole
    campaign at once)."""
    if chosen in offered:
        return chosen
    return next((code for code in homes if code in offered), languages.ENGLISH)


def home_languages_by_invitation(campaign: Campaign) -> dict[int, list[str]]:
    """Each invitation's children's MIS home languages, in one query for the whole campaign."""
    homes: dict[int, list[str]] = defaultdict(list)
    rows = (
        SigningRequest.objects.filter(campaign=campaign, invitation__isnull=False)
        .exclude(pupil__home_language="")
        .order_by("pk")
        .values_list("invitation_id", "pupil__home_language")
    )
    for invitation_id, code in rows:
        homes[invitation_id].append(code)
    return homes


def remember_language(*, invitation: Invitation, language: str) -> None:
    """The parent chose a language on the page: later emails to them follow it."""
    if invitation.language != language and language in languages.offered(invitation.campaign.school.parent_languages):
        Invitation.objects.filter(pk=invitation.pk).update(language=language)
        invitation.language = language
