"""Who may see and act on which case: the object rules of the access policy for incidents.

``case_visibility`` (a query filter, for lists) and ``can_view_case`` (for one case) say the same thing; a test
holds them together. The URL rules and capabilities stay in ``safeguarding_portal.accounts.policy``; these rules
live here because they read the incidents' own models, and the foundations import no domain app. The audit log
reads them through the ``record_access`` plugins registered at the end.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from safeguarding_portal.accounts.context import PersonAtSchool
from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins

from .figures import leavers_only
from .integrity import shared_on_timeline
from .models import Attachment, CaseShare, EntryKind, Incident, Route


def case_visibility(portal: PersonAtSchool) -> Q:
    if portal.school is None or not portal.can(Cap.OPEN_CASES):
        return Q(pk__in=[])
    visible = Q(pk__in=[])
    if portal.can(Cap.TRIAGE) or portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS):
        # The DSL team triages; the headteacher has oversight of pupils' cases.
        visible |= Q(route=Route.DSL)
    if portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS):
        visible |= Q(route=Route.HEADTEACHER)
    elif portal.can(Cap.TRIAGE):
        # Shared means a SHARED entry on the hash-chained timeline, not the projection column beside it, which
        # an UPDATE could tick without leaving a trace.
        visible |= Q(route=Route.HEADTEACHER) & Q(shared_on_timeline())
    if portal.is_chair:
        visible |= Q(route=Route.CHAIR)
    # Nobody sees a concern about themselves, whatever their role.
    return Q(school=portal.school) & visible & ~Q(subject_staff=portal.user)


def case_routes_seen_whole(portal: PersonAtSchool) -> frozenset[str]:
    """The routes every case of which at the school ``case_visibility`` shows (but one about the person
    asking): what counts kept per school and route (incidents.counts) may answer for. Allegations shared with
    the DSL team are seen case by case (a timeline entry decides), so their route is never here for the team."""
    if portal.school is None or not portal.can(Cap.OPEN_CASES):
        return frozenset()
    routes = set()
    if portal.can(Cap.TRIAGE) or portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS):
        routes.add(Route.DSL)
    if portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS):
        routes.add(Route.HEADTEACHER)
    if portal.is_chair:
        routes.add(Route.CHAIR)
    return frozenset(routes)


def shared_case_visibility(portal: PersonAtSchool) -> Q:
    """Cases shared with this person by name, while the share lasts (read-only: never can_act_on_case)."""
    if portal.school is None or not portal.can(Cap.VIEW_SHARED_CASES):
        return Q(pk__in=[])
    shared = CaseShare.objects.filter(user=portal.user, revoked_entry__isnull=True).values("incident_id")
    return Q(school=portal.school, route=Route.DSL, pk__in=shared) & ~Q(subject_staff=portal.user)


def can_view_case(portal: PersonAtSchool, incident: Incident) -> bool:
    if portal.school is None or incident.school_id != portal.school.pk or not portal.can(Cap.OPEN_CASES):
        return False
    if incident.subject_staff_id is not None and incident.subject_staff_id == portal.user.pk:
        return False
    if incident.route == Route.DSL:
        return portal.can(Cap.TRIAGE) or portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
    if incident.route == Route.HEADTEACHER:
        return portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS) or (portal.can(Cap.TRIAGE) and _shared_on_timeline(incident))
    return portal.is_chair


def _shared_on_timeline(incident) -> bool:
    return incident.entries.filter(kind=EntryKind.SHARED).exists()


def can_act_on_case(portal: PersonAtSchool, incident: Incident) -> bool:
    """Adding to the timeline: the DSL team for pupils' cases, the head or chair for their routes."""
    if not can_view_case(portal, incident):
        return False
    if not portal.can(Cap.TRIAGE) and Incident.objects.filter(pk=incident.pk).filter(leavers_only()).exists():
        # A case whose pupils have all left is read-only but for the DSL team, who keep the child's record.
        return False
    if incident.route == Route.DSL:
        return portal.can(Cap.TRIAGE)
    if incident.route == Route.HEADTEACHER:
        return portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS) or portal.can(Cap.TRIAGE)
    return portal.is_chair


def can_share_case(portal: PersonAtSchool, incident: Incident) -> bool:
    """Only the headteacher shares an allegation about staff with the DSL team, and only once."""
    return (
        incident.route == Route.HEADTEACHER
        and portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
        and not _shared_on_timeline(incident)
        and can_view_case(portal, incident)
    )


def _visible_cases(portal: PersonAtSchool) -> QuerySet:
    return Incident.objects.filter(case_visibility(portal))


def _visible_attachments(portal: PersonAtSchool) -> QuerySet:
    return Attachment.objects.filter(incident__in=_visible_cases(portal))


# Audit entries about a case or its attachments are listed only to those who may open the case.
plugins.register("record_access", "incidents.incident", _visible_cases)
plugins.register("record_access", "incidents.attachment", _visible_attachments)
