"""Agreements test data: published versions, a family, a campaign and a signed invitation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from aup import services
from aup.models import Agreement, AgreementVersion, Audience, Campaign, Invitation, Signature

from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory, UserFactory

EVIDENCE = services.SignerEvidence(
    typed_name="Hannah Morgan", drawn_signature="", ip_address="203.0.113.9", user_agent="pytest browser"
)


def published(
    school, audience: str = Audience.PARENT, *, by=None, text: str | None = None, requires_resign: bool = False
) -> AgreementVersion:
    """The current published version; with ``text``, a new version published over it."""
    agreement = services.ensure_agreement(school=school, audience=audience)
    by = by or UserFactory(email=f"publisher.{school.pk}@oak.example")
    if text is None and agreement.current_version is not None:
        return agreement.current_version
    if text is None:
        return services.publish(version=agreement.draft, by=by)
    base = agreement.current_version or agreement.draft
    draft = services.save_draft(
        agreement=agreement,
        text=text,
        consent_items=base.consent_items if audience == Audience.PARENT else None,
        requires_resign=requires_resign,
    )
    return services.publish(version=draft, by=by)


@dataclass
class Family:
    guardian: object
    other_guardian: object
    children: list = field(default_factory=list)


def family(school, *, children: int = 2, email: str = "hannah@home.example", class_name: str = "5B") -> Family:
    guardian = GuardianFactory(school=school, full_name="Hannah Morgan", email=email)
    other = GuardianFactory(school=school, full_name="Mark Morgan", email=f"other.{email}")
    kids = []
    for i in range(children):
        pupil = PupilFactory(
            school=school,
            legal_forename=["Oliver", "Isla", "Freddie"][i],
            surname="Morgan",
            year_group="5",
            registration_group=class_name,
        )
        PupilGuardianFactory(pupil=pupil, guardian=guardian, relationship="Mother")
        PupilGuardianFactory(pupil=pupil, guardian=other, relationship="Father", contact_priority=2)
        kids.append(pupil)
    return Family(guardian, other, kids)


def campaign(
    school,
    *,
    by=None,
    scope: str = Campaign.Scope.SCHOOL,
    value: str = "",
    notify: bool = True,
    audience: str = Audience.PARENT,
    closes_in_days: int = 14,
) -> Campaign:
    version = published(school, audience)
    by = by or UserFactory(email=f"office.{school.pk}@oak.example")
    return services.create_campaign(
        school=school,
        version=version,
        scope=scope,
        scope_value=value,
        closes_on=timezone.localdate() + datetime.timedelta(days=closes_in_days),
        by=by,
        notify=notify,
    )


def invitation_of(campaign_obj: Campaign, guardian) -> Invitation:
    return Invitation.objects.get(campaign=campaign_obj, guardian=guardian)


def yes_to_everything(invitation: Invitation) -> dict[int, dict[str, bool]]:
    items = invitation.campaign.version.consent_items
    return {r.pupil_id: {i["key"]: True for i in items} for r in invitation.requests.all()}


def sign_invitation(invitation: Invitation) -> list[Signature]:
    return services.sign_for_children(
        invitation=invitation, answers=yes_to_everything(invitation), evidence=EVIDENCE, issue_certificates=False
    )


def sign_form(invitation: Invitation, *, answer: str = "yes", name: str = "Hannah Morgan", **extra) -> dict:
    data = {"full_name": name, "agree": "on", "action": "sign", "drawn_signature": ""}
    for r in invitation.requests.all():
        for item in invitation.campaign.version.consent_items:
            data[f"consent-{r.pupil_id}-{item['key']}"] = answer
    data.update(extra)
    return data


def agreement(school, audience: str) -> Agreement:
    return services.ensure_agreement(school=school, audience=audience)


POLISH_TEXT = "Będę korzystać z internetu w szkole bezpiecznie i z szacunkiem dla innych."
URDU_TEXT = "میں اسکول میں انٹرنیٹ محفوظ طریقے سے اور دوسروں کے احترام کے ساتھ استعمال کروں گا۔"  # noqa: RUF001 (Urdu full stop)


def offer_languages(school, *codes: str) -> None:
    school.parent_languages = list(codes)
    school.save(update_fields=["parent_languages"])


def translated(school, language: str, text: str, *, by=None, labels: list[str] | None = None):
    """The school offers ``language`` and the parents' current version has ``text`` as its translation."""
    offer_languages(school, *sorted({*(school.parent_languages or []), language}))
    version = published(school, Audience.PARENT)
    return services.add_translation(
        version=version,
        language=language,
        title=f"Umowa ({language})" if language == "pl" else "",
        text=text,
        consent_labels=labels or [],
        by=by or UserFactory(email=f"translator.{language}@oak.example"),
    )
