"""The school (or trust) a signed-in user is working in, and what they may do there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from django.http import HttpRequest

from safeguarding_portal.schools.models import School, Trust

from . import policy
from .models import Membership
from .services import TWO_FACTOR_CHOSEN_SESSION_KEY
from .sso import MFA_SESSION_KEY

SESSION_KEY = "portal_context"


@dataclass(frozen=True)
class ContextChoice:
    key: str  # "school:12" or "trust:3"
    label: str
    kind: str  # "school" or "trust"
    roles: tuple[str, ...]

    @property
    def role_labels(self) -> str:
        return ", ".join(str(policy.Role(r).label) for r in self.roles)


class PersonAtSchool(Protocol):
    """What the access rules read about a person at a school (``incidents.access``, the chronology and its
    sections, the subject access pack and its sources). The request's ``PortalContext`` is one; a service, which
    has no request, builds the other with ``acting_as``."""

    @property
    def user(self) -> Any: ...

    @property
    def school(self) -> School | None: ...

    @property
    def trust(self) -> Trust | None: ...

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def caps(self) -> frozenset[str]: ...

    @property
    def is_chair(self) -> bool: ...

    @property
    def is_safeguarding_governor(self) -> bool: ...

    def can(self, capability: policy.Cap | str) -> bool: ...


def _caps(roles: Iterable[str], at_school: Iterable[Membership]) -> frozenset[str]:
    """The capabilities of ``roles``, with those a flag on a membership at the school adds (chair, safeguarding
    governor...). Strings, so templates can test ``"incidents.report" in portal.caps``."""
    at_school = list(at_school)
    caps = set(policy.capabilities_for(frozenset(roles)))
    for flag, extra in policy.FLAG_CAPABILITIES.items():
        if any(getattr(m, flag) for m in at_school):
            caps |= extra
    return frozenset(c.value for c in caps)


def _has(caps: frozenset[str], capability: policy.Cap | str) -> bool:
    return (capability.value if isinstance(capability, policy.Cap) else capability) in caps


@dataclass(frozen=True)
class ActingAs:
    """A person at a school, without a request: what a service (or a task, a command) builds to ask the access
    rules what that person may see there. The same answers as the ``PortalContext`` of their request at that
    school (a test holds the two together)."""

    user: Any
    school: School
    roles: frozenset[str]
    caps: frozenset[str]
    is_chair: bool
    is_safeguarding_governor: bool

    @property
    def trust(self) -> Trust | None:
        return self.school.trust

    def can(self, capability: policy.Cap | str) -> bool:
        return _has(self.caps, capability)


def acting_as(*, user: Any, school: School) -> ActingAs:
    """``user`` at ``school`` by their current memberships there (none: no roles, so nothing to see)."""
    at_school = list(Membership.objects.current().filter(user=user, school=school)) if user.is_authenticated else []
    roles = frozenset(m.role for m in at_school)
    return ActingAs(
        user=user,
        school=school,
        roles=roles,
        caps=_caps(roles, at_school),
        is_chair=any(m.is_chair for m in at_school),
        is_safeguarding_governor=any(m.is_safeguarding_governor for m in at_school),
    )


class PortalContext:
    """Built lazily once per request: one query for the user's current memberships."""

    def __init__(self, request: HttpRequest):
        self._request = request

    @property
    def user(self):
        return self._request.user

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.current().filter(user=self.user).select_related("school__trust", "trust"))

    @cached_property
    def choices(self) -> list[ContextChoice]:
        grouped: dict[str, dict] = {}
        for m in self.memberships:
            if m.school is not None:
                key, label, kind = f"school:{m.school_id}", m.school.name, "school"
            elif m.trust is not None:
                key, label, kind = f"trust:{m.trust_id}", f"{m.trust.name} (trust overview)", "trust"
            else:
                continue  # a membership holds a school or a trust (a constraint): never reached
            entry = grouped.setdefault(key, {"label": label, "kind": kind, "roles": []})
            entry["roles"].append(m.role)
        choices = [ContextChoice(k, v["label"], v["kind"], tuple(sorted(v["roles"]))) for k, v in grouped.items()]
        return sorted(choices, key=lambda c: (c.kind != "school", c.label))

    @cached_property
    def current(self) -> ContextChoice | None:
        if not self.choices:
            return None
        wanted = self._request.session.get(SESSION_KEY)
        for choice in self.choices:
            if choice.key == wanted:
                return choice
        return self.choices[0]

    @cached_property
    def school(self):
        if self.current is None or self.current.kind != "school":
            return None
        school_id = int(self.current.key.split(":")[1])
        return next(m.school for m in self.memberships if m.school_id == school_id)

    @cached_property
    def trust(self):
        if self.current is None:
            return None
        if self.current.kind == "trust":
            trust_id = int(self.current.key.split(":")[1])
            return next(m.trust for m in self.memberships if m.trust_id == trust_id)
        return self.school.trust

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.current.roles) if self.current else frozenset()

    @cached_property
    def _at_school(self) -> list[Membership]:
        return [m for m in self.memberships if self.school and m.school_id == self.school.pk]

    @cached_property
    def caps(self) -> frozenset[str]:
        return _caps(self.roles, self._at_school)

    @cached_property
    def is_chair(self) -> bool:
        return any(m.is_chair for m in self._at_school)

    @cached_property
    def is_safeguarding_governor(self) -> bool:
        return any(m.is_safeguarding_governor for m in self._at_school)

    @cached_property
    def all_roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    @cached_property
    def needs_two_factor(self) -> bool:
        if not self.user.is_authenticated:
            return False

        return policy.requires_two_factor(self.all_roles, is_superuser=self.user.is_superuser) or bool(
            # Chosen at enrolment although no role requires it (set at password sign-in).
            self._request.session.get(TWO_FACTOR_CHOSEN_SESSION_KEY, False)
        )

    @property
    def two_factor_passed(self) -> bool:
        if getattr(self.user, "is_verified", lambda: False)():
            return True

        # Signed in through a school provider whose multi-factor claim the school accepts (accounts/sso.py).
        return bool(self.user.is_authenticated and self._request.session.get(MFA_SESSION_KEY, False))

    @property
    def awaiting_two_factor(self) -> bool:
        """Signed in with a password only, in a role that needs a code: show no navigation yet."""
        return self.needs_two_factor and not self.two_factor_passed

    def can(self, capability: policy.Cap | str) -> bool:
        return _has(self.caps, capability)


class PortalRequest(HttpRequest):
    """A request once ``SchoolContextMiddleware`` has set ``portal``: what a view annotates its request with, so the
    type checker knows ``request.portal``. Never built: Django makes the requests, the middleware adds the context."""

    portal: PortalContext


if TYPE_CHECKING:
    # The type checker holds both to the protocol the access rules are written against.
    _REQUEST_CONTEXT: type[PersonAtSchool] = PortalContext
    _SERVICE_CONTEXT: type[PersonAtSchool] = ActingAs
