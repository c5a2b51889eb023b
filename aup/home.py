"""The agreements panel on the home page (see ``core.selectors.home_panels``).

A parent sees each child and whether their agreement is signed; staff and governors see their own
signature; the office (holders of MANAGE_AGREEMENTS) sees the latest open campaign's progress.
"""

from __future__ import annotations

from django.db.models import Count, Q

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from . import selectors, services
from .figures import agreement_coverage
from .models import Audience, Campaign, RequestStatus, SigningRequest


def panel(*, portal, term_view) -> dict | None:
    if not portal.can(Cap.SIGN_OWN_AGREEMENTS) or portal.school is None:
        return None
    school = portal.school
    own = []
    for audience in services.audiences_for_roles(portal.roles):
        version = selectors.published_version(school=school, audience=audience)
        if version is None:
            continue
        signature = selectors.current_signature(school=school, user=portal.user, audience=audience)
        own.append(
            {
                "title": version.agreement.title,
                "signed": signature is not None,
                "signed_at": signature.signed_at if signature else None,
            }
        )
    children = selectors.parent_overview(user=portal.user, school=school) if "parent" in portal.roles else []
    campaign = progress = coverage = None
    if portal.can(Cap.MANAGE_AGREEMENTS):
        # The school's figure, as the governor report and the trust report show it (aup.figures).
        coverage = agreement_coverage(school_ids=[school.pk])[school.pk][Audience.PARENT]
        campaign = Campaign.objects.filter(school=school, closed_at__isnull=True).order_by("-created_at").first()
        if campaign is not None:
            progress = SigningRequest.objects.filter(campaign=campaign, pupil__isnull=False).aggregate(
                children=Count("pupil", distinct=True),
                signed=Count(
                    "pupil", distinct=True, filter=Q(status__in=[RequestStatus.SIGNED, RequestStatus.COVERED])
                ),
            )
    return {
        "is_parent_only": portal.roles == {"parent"},
        "own": own,
        "children": children,
        "campaign": campaign,
        "progress": progress,
        "coverage": coverage,
    }


plugins.register("home_panel", "aup", HomePanel(panel, template="aup/_home_panel.html"), order=20)
