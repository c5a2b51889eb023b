"""Demo agreements at Oakfield: every agreement published, staff and governors signed, and a parents'
campaign half-way through, so parent@demo.example has one child to sign for and another already signed.

Isla (Year 1) was signed for in the entry campaign for the youngest classes; the whole-school campaign
that followed skips children who already hold a current signature, so it asks Hannah Morgan for Oliver
only. About half the other families have signed; a few declined or their email bounced.

Idempotent: campaigns are found by title and signatures by signer, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.core import plugins
from safeguarding_portal.schools.models import Pupil, PupilGuardian

from . import services
from .models import Agreement, Audience, Campaign, RequestStatus, Signature, SigningRequest

ENTRY_TITLE = "Parents' agreement: Reception and Year 1 entry"
WHOLE_TITLE = "Parents' agreement 2026/27: whole school"
DEMO_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def _evidence(name: str, rng: random.Random) -> services.SignerEvidence:
    return services.SignerEvidence(
        typed_name=name, drawn_signature="", ip_address=f"203.0.113.{rng.randint(2, 250)}", user_agent=DEMO_UA
    )


def _sign_invitations(campaign: Campaign, invitations, rng: random.Random) -> int:
    signed = 0
    items = campaign.version.consent_items
    for invitation in invitations:
        requests = services.pending_requests(invitation)
        if not requests:
            continue
        answers = {r.pupil_id: {i["key"]: rng.random() > 0.12 for i in items} for r in requests}
        services.sign_for_children(
            invitation=invitation,
            answers=answers,
            issue_certificates=False,
            evidence=_evidence(invitation.guardian.full_name, rng),
        )
        signed += 1
    return signed


@transaction.atomic
def _parent_languages(*, school, version, by) -> str:
    """Oakfield offers its parents every language, with the draft translations of the parents' agreement, and some
    families have a home language from the MIS (their invitations go in it)."""
    from safeguarding_portal.schools import languages

    from .models import AgreementTranslation
    from .texts import DRAFT_PARENT_TRANSLATIONS

    codes = [code for code, _en, _own in languages.PARENT_LANGUAGES]
    if school.parent_languages != codes:
        school.parent_languages = codes
        school.save(update_fields=["parent_languages"])
    for code, (title, text, labels) in DRAFT_PARENT_TRANSLATIONS.items():
        if not AgreementTranslation.objects.filter(version=version, language=code).exists():
            services.add_translation(
                version=version, language=code, title=title, text=text, consent_labels=labels, by=by
            )
    pupils = (
        []
        if Pupil.objects.filter(school=school).exclude(home_language="").exists()
        else list(Pupil.objects.filter(school=school).on_roll().order_by("upn"))
    )
    for i, pupil in enumerate(pupils[::9]):
        pupil.home_language = codes[i % len(codes)]
        pupil.save(update_fields=["home_language"])
    return (
        f"Parents' pages in English and {', '.join(languages.ENGLISH_NAMES[c] for c in codes)} "
        "(draft translations awaiting native review); some families' home languages come from the MIS."
    )


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    head = demo.users["head"]
    parent = demo.users["parent"]
    rng = random.Random(2026)
    for audience in Audience.values:
        agreement = services.ensure_agreement(school=school, audience=audience)
        if agreement.current_version is None and agreement.draft is not None:
            services.publish(version=agreement.draft, by=head)
    # Staff and governors have signed (the demo personas would otherwise meet the gate at every sign-in).
    staff_versions = {
        a: Agreement.objects.get(school=school, audience=a).current_version for a in (Audience.STAFF, Audience.GOVERNOR)
    }
    for m in Membership.objects.current().filter(school=school).select_related("user").order_by("user_id", "role"):
        for audience in services.audiences_for_roles({m.role}):
            version = staff_versions[audience]
            if not Signature.objects.filter(school=school, user=m.user, version=version).exists():
                services.sign_own(
                    school=school,
                    user=m.user,
                    version=version,
                    issue_certificate=False,
                    evidence=_evidence(m.user.full_name, rng),
                )
    version = Agreement.objects.get(school=school, audience=Audience.PARENT).current_version
    languages_line = _parent_languages(school=school, version=version, by=head)
    closes = timezone.localdate() + datetime.timedelta(days=21)
    entry = Campaign.objects.filter(school=school, title=ENTRY_TITLE).first()
    if entry is None:
        entry = services.create_campaign(
            school=school,
            version=version,
            scope=Campaign.Scope.YEAR,
            scope_value="1",
            closes_on=closes,
            by=head,
            title=ENTRY_TITLE,
            notify=False,
        )
        services.record_sent(
            campaign=entry, invitation_ids=list(entry.invitations.values_list("pk", flat=True)), at=timezone.now()
        )
        # Hannah Morgan signs for Isla, and most Year 1 families sign too.
        invitations = list(entry.invitations.select_related("guardian").order_by("pk"))
        ours = [i for i in invitations if i.guardian.user_id == parent.pk]
        others = [i for i in invitations if i.guardian.user_id != parent.pk]
        _sign_invitations(entry, ours + others[: int(len(others) * 0.8)], rng)
    whole = Campaign.objects.filter(school=school, title=WHOLE_TITLE).first()
    if whole is None:
        whole = services.create_campaign(
            school=school,
            version=version,
            scope=Campaign.Scope.SCHOOL,
            closes_on=closes,
            by=head,
            title=WHOLE_TITLE,
            notify=False,
        )
        services.record_sent(
            campaign=whole, invitation_ids=list(whole.invitations.values_list("pk", flat=True)), at=timezone.now()
        )
        # Nobody of the demo parent's family answers: Oliver stays waiting for Hannah Morgan to sign.
        family = set(
            PupilGuardian.objects.filter(pupil__guardian_links__guardian__user=parent).values_list(
                "guardian_id", flat=True
            )
        )
        invitations = [
            i for i in whole.invitations.select_related("guardian").order_by("pk") if i.guardian_id not in family
        ]
        rng.shuffle(invitations)
        half = int(len(invitations) * 0.4)  # with partners covered, about half the children
        _sign_invitations(whole, invitations[:half], rng)
        for invitation in invitations[half : half + 3]:
            services.decline(
                invitation=invitation,
                reason="I would like to talk to the class teacher first.",
                evidence=_evidence(invitation.guardian.full_name, rng),
            )
        for invitation in invitations[half + 3 : half + 10]:
            services.record_opened(invitation=invitation, ip="198.51.100.7")
        for invitation in invitations[half + 10 : half + 12]:
            services.mark_bounced(invitation=invitation, by=head)
    # Pupils: Year 3 Ash class was talked through its agreement by Emma Clarke.
    ash = list(Pupil.objects.filter(school=school, year_group="3").on_roll().order_by("upn")[:12])
    staff = demo.users["staff"]
    if ash and not Signature.objects.filter(school=school, witness=staff).exists():
        services.record_pupil_agreements(school=school, pupils=ash, agreed_on=timezone.localdate(), witness=staff)
    children = SigningRequest.objects.filter(campaign=whole, pupil__isnull=False)
    signed = (
        children.filter(status__in=[RequestStatus.SIGNED, RequestStatus.COVERED]).values("pupil").distinct().count()
    )
    total = children.values("pupil").distinct().count()
    visitors = Agreement.objects.get(school=school, audience=Audience.VISITOR)
    waiting = sorted(
        r.pupil.forename
        for r in SigningRequest.objects.filter(
            campaign=whole, guardian__user=parent, status=RequestStatus.PENDING
        ).select_related("pupil")
    )
    done = sorted(
        p.forename
        for p in Pupil.objects.filter(guardian_links__guardian__user=parent).distinct()
        if Signature.objects.filter(pupil=p, version__agreement__audience=Audience.PARENT).exists()
    )
    return [
        f"Agreements: every audience published at {school.name}; staff and governors have signed.",
        languages_line,
        f"Parents' campaign half-way: {signed} of {total} children signed for "
        f"(parent@demo.example: signed for {', '.join(done) or 'nobody'}; "
        f"to sign for {', '.join(waiting) or 'nobody'}).",
        f"Visitors sign at /agreements/visit/{visitors.public_key}/",
    ]


plugins.register("demo", "aup", seed, order=30)
