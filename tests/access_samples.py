"""The project's URLs and sample values for their keyword arguments, for the access walk tests.

The walk requests every URL of the project as every persona. To build a URL such as
``schools:pupil_detail`` it needs a ``pupil_id`` that names a real pupil of ``school`` (the persona's
"right school"), so that a member of the right school gets the page and a member of another school gets
404. Each kwarg name maps to a ``Sample``: a factory that makes the object and returns the value to put in
the URL, and whether that value names a record belonging to the school.

A URL with a kwarg that is not listed here fails the walk with a message naming it: when you add a URL
with a new kwarg, add a sample here (and, if the kwarg means something different at one URL only, an
entry in ``URL_SAMPLES``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from safeguarding_portal.accounts import policy
from safeguarding_portal.schools.models import ImportRun, School

from .factories import PupilFactory, UserFactory


@dataclass
class SampleContext:
    """What a sample factory may use. ``shared`` lets two kwargs of one URL agree (a uid and its token)."""

    school: School
    client: Client
    user: Any = None
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    make: Callable[[SampleContext], Any]
    # True when the value names a record of ``school``: a member of any other school must get 404.
    school_object: bool
    # An object rule on top of the URL's capability: only holders of one of these capabilities at the
    # right school may see the record; anyone else with the URL's capability gets 404.
    visible_with_any: frozenset = frozenset()


class MissingSample(LookupError):
    pass


def _pupil(ctx: SampleContext) -> int:
    return PupilFactory(school=ctx.school, legal_forename="Walkersample", surname="Pupil").pk


def _import_run(ctx: SampleContext) -> int:
    return ImportRun.objects.create(
        school=ctx.school, kind=ImportRun.Kind.PUPILS, status=ImportRun.Status.APPLIED, filename="sample.csv"
    ).pk


def _reset_user(ctx: SampleContext):
    return ctx.shared.setdefault("reset_user", UserFactory(email="reset.sample@oak.example"))


def _reset_uid(ctx: SampleContext) -> str:
    return urlsafe_base64_encode(force_bytes(_reset_user(ctx).pk))


def _reset_token(ctx: SampleContext) -> str:
    return default_token_generator.make_token(_reset_user(ctx))


def _resume_token(ctx: SampleContext) -> str:
    """A form kept for the requesting persona, in the requesting client's session (a kept form is its
    author's alone: anyone else gets the friendly "nothing waiting" page)."""
    from django.test import RequestFactory

    from safeguarding_portal.accounts import resume

    owner = ctx.user or _incident_reporter(ctx)
    request = RequestFactory().post("/school/", {"note": "kept text"})
    request.session = ctx.client.session
    request.COOKIES = {}
    request.user = owner
    from unittest import mock

    with mock.patch.object(resume, "_owner_id", return_value=owner.pk):
        url = resume.stash(request)
    request.session.save()
    return url.rstrip("/").rsplit("/", 1)[-1]


def _incident_reporter(ctx: SampleContext):
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory

    user = ctx.shared.get("incident_reporter")
    if user is None:
        user = UserFactory(email="walk.reporter@oak.example")
        MembershipFactory(user=user, school=ctx.school, role=Role.STAFF)
        ctx.shared["incident_reporter"] = user
    return user


def _case_reference(ctx: SampleContext) -> str:
    """A pupil's case (DSL route) reported by someone else: the DSL team and the head may open it."""
    if "case" not in ctx.shared:
        from .incident_helpers import make_case

        ctx.shared["case"] = make_case(school=ctx.school, reporter=_incident_reporter(ctx))
    return ctx.shared["case"].reference


def _own_report_reference(ctx: SampleContext) -> str:
    """A report made by the requesting persona, so the reporter's pages open for them alone."""
    from .incident_helpers import make_case

    reporter = ctx.user if ctx.user is not None else _incident_reporter(ctx)
    return make_case(school=ctx.school, reporter=reporter).reference


def _shared_case_reference(ctx: SampleContext) -> str:
    """A pupil's case the DSL shared with the requesting persona, where the policy lets it be shared with
    them: they open it; anyone else with the capability gets 404."""
    from incidents import services
    from safeguarding_portal.accounts.models import Membership

    from .incident_helpers import make_case

    case = make_case(school=ctx.school, reporter=_incident_reporter(ctx))
    user = ctx.user
    shareable = (
        user is not None
        and Membership.objects.current()
        .filter(school=ctx.school, user=user, role__in=services.SHAREABLE_ROLES)
        .exists()
    )
    if shareable:
        dsl = Membership.objects.current().filter(school=ctx.school, role="dsl").first()
        services.case_share(
            incident=case, by=dsl.user if dsl else _incident_reporter(ctx), user=user, reason="Their class teacher"
        )
    return case.reference


def _attachment_id(ctx: SampleContext) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents import services

    _case_reference(ctx)
    upload = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    from django.utils import timezone

    case = ctx.shared["case"]
    return services._attach(incident=case, upload=upload, by=_incident_reporter(ctx), at=timezone.now()).pk


def _cp_file_transfer_id(ctx: SampleContext) -> int:
    """A CP file record of the school; the stored file is a stand-in, the walk tests access, not PDFs."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from incidents.models import CPFileTransfer

    body = b"%PDF-1.4 walk sample"
    transfer = CPFileTransfer(
        school=ctx.school,
        pupil=PupilFactory(school=ctx.school),
        produced_at=timezone.now(),
        produced_by=_incident_reporter(ctx),
        sha256=hashlib.sha256(body).hexdigest(),
        build_state="ready",
    )
    transfer.pdf.save("sample.pdf", ContentFile(body), save=False)
    transfer.save()
    return transfer.pk


def _received_id(ctx: SampleContext) -> int:
    """A bundle received by the school; the stored file is a stand-in (the page shows it refused)."""
    import uuid

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from incidents.models import ReceivedBundle

    received = ReceivedBundle(
        school=ctx.school,
        source="upload",
        bundle_id=uuid.uuid4(),
        sha256="0" * 64,
        received_at=timezone.now(),
        from_school_name="Elm Primary",
        sent_by_name="Walk Sender",
        sent_at=timezone.now(),
        pupil_upn="A000000000010",
        pupil_name="Walk Pupil",
        record_count=0,
        fingerprint="0" * 64,
        verified_at=timezone.now(),
    )
    received.file.save("bundle.zip", ContentFile(b"not a zip"), save=False)
    received.save()
    return received.pk


def _bundle_link_token(ctx: SampleContext) -> str:
    """A one-time link of the school's, open (not downloaded, not expired)."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from incidents.models import CPFileTransfer, TransferBundle

    if "bundle_token" in ctx.shared:
        return ctx.shared["bundle_token"]
    token = f"walk-{uuid.uuid4().hex}"
    transfer = CPFileTransfer.objects.get(pk=_cp_file_transfer_id(ctx))
    bundle = TransferBundle(
        school=ctx.school,
        transfer=transfer,
        bundle_id=uuid.uuid4(),
        sha256="0" * 64,
        size=1,
        record_count=0,
        fingerprint="0" * 64,
        built_at=timezone.now(),
        built_by=transfer.produced_by,
        route="link",
        recipient_email="dsl@elm.example",
        link_token_hash=hashlib.sha256(token.encode()).hexdigest(),
        link_expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    bundle.file.save("bundle.zip", ContentFile(b"x"), save=False)
    bundle.encrypted_file.save("bundle.zip.enc", ContentFile(b"x" * 40), save=False)
    bundle.save()
    ctx.shared["bundle_token"] = token
    ctx.shared["bundle_transfer_id"] = transfer.pk
    return token


def _bundle_transfer_id(ctx: SampleContext) -> int:
    """A CP file of the school with its signed bundle made (the stand-in bundle of the link sample)."""
    _bundle_link_token(ctx)
    return ctx.shared["bundle_transfer_id"]


def _device_search_id(ctx: SampleContext) -> int:
    """A search of a pupil's device at the school (no child at risk, so no case)."""
    from django.utils import timezone

    from incidents import searches

    if "device_search" not in ctx.shared:
        member = _incident_reporter(ctx)
        ctx.shared["device_search"] = searches.search_record(
            school=ctx.school,
            by=member,
            pupil=PupilFactory(school=ctx.school),
            searched_at=timezone.now(),
            device="Walk phone",
            authorised_by=member,
            authority="authorised_staff",
            searched_by=member,
            witness=None,
            no_witness_reason="Walk sample",
            grounds="school_rules",
            reason="Walk",
            looked_at="Photos",
            found="Nothing",
            child_at_risk=False,
            deleted=False,
            parents_informed=True,
            outcome="held",
        )
    return ctx.shared["device_search"].pk


def _pupil_link_key(ctx: SampleContext) -> str:
    """The school's tell-someone link (public: it names the school and its help lines, nothing about anyone)."""
    from incidents import pupil_reports

    return str(pupil_reports.pupil_link_for(school=ctx.school).key)


_CASE_TEAM = frozenset({policy.Cap.TRIAGE, policy.Cap.RECEIVE_STAFF_ALLEGATIONS})
_CASE = Sample(_case_reference, school_object=True, visible_with_any=_CASE_TEAM)

# A kwarg name means the same thing at every URL that uses it...
KWARG_SAMPLES: dict[str, Sample] = {
    "pupil_id": Sample(_pupil, school_object=True),
    "run_id": Sample(_import_run, school_object=True),
    "transfer_id": Sample(_cp_file_transfer_id, school_object=True),
    "search_id": Sample(_device_search_id, school_object=True),
    "received_id": Sample(_received_id, school_object=True),
    # A category of the policy, the same for every school: nothing of a school's is named.
    "category": Sample(lambda ctx: "cyberbullying", school_object=False),
}

# ...unless it is listed here for one URL. "token" is deliberately not in KWARG_SAMPLES: every token
# means something different, so each URL with one must say what it is.
URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "accounts:password_reset_confirm": {
        "uidb64": Sample(_reset_uid, school_object=False),
        "token": Sample(_reset_token, school_object=False),
    },
    "accounts:resume": {"token": Sample(_resume_token, school_object=False)},
    # A CP file's one-time download link: public, the token is the key (and the passphrase for the file).
    "incidents:bundle_link": {"token": Sample(_bundle_link_token, school_object=False)},
    "incidents:bundle_link_confirm": {"token": Sample(_bundle_link_token, school_object=False)},
    "incidents:bundle_download": {"transfer_id": Sample(_bundle_transfer_id, school_object=True)},
    # allauth's OIDC pages name a provider (accounts/sso.py: "sso-<pk>"); without a school chosen in the
    # session they send the browser back to the sign-in page.
    "openid_connect_login": {"provider_id": Sample(lambda ctx: "sso-1", school_object=False)},
    "openid_connect_callback": {"provider_id": Sample(lambda ctx: "sso-1", school_object=False)},
    "incidents:case": {"reference": _CASE},
    # Acting on a pupil's case is the DSL team's; the head's oversight is read-only.
    "incidents:case_action": {
        "reference": Sample(_case_reference, school_object=True, visible_with_any=frozenset({policy.Cap.TRIAGE}))
    },
    "incidents:attachment": {
        "reference": _CASE,
        "attachment_id": Sample(_attachment_id, school_object=True, visible_with_any=_CASE_TEAM),
    },
    "incidents:case_views": {"reference": _CASE},
    "incidents:shared_case": {"reference": Sample(_shared_case_reference, school_object=True)},
    "incidents:reported": {"reference": Sample(_own_report_reference, school_object=True)},
    "incidents:my_report": {"reference": Sample(_own_report_reference, school_object=True)},
    "incidents:tell": {"key": Sample(_pupil_link_key, school_object=False)},
    "incidents:tell_thanks": {"key": Sample(_pupil_link_key, school_object=False)},
}


# Each domain app keeps its samples in its own module (``tests/access_samples_<app>.py``), which defines
# ``KWARG_SAMPLES`` and ``URL_SAMPLES`` dicts merged here. Those modules import ``Sample`` and
# ``SampleContext`` from this one (defined above, so the circular import is safe).
def _merge_app_samples() -> None:
    from . import (
        access_samples_aup,
        access_samples_curriculum,
        access_samples_duty,
        access_samples_filtering,
        access_samples_monitoring,
        access_samples_reports,
        access_samples_retention,
        access_samples_sar,
        access_samples_standards,
    )

    for module in (
        access_samples_aup,
        access_samples_filtering,
        access_samples_curriculum,
        access_samples_reports,
        access_samples_monitoring,
        access_samples_duty,
        access_samples_standards,
        access_samples_sar,
        access_samples_retention,
    ):
        KWARG_SAMPLES.update(module.KWARG_SAMPLES)
        URL_SAMPLES.update(module.URL_SAMPLES)


_merge_app_samples()


def sample_for(view_name: str, kwarg: str) -> Sample | None:
    return URL_SAMPLES.get(view_name, {}).get(kwarg) or KWARG_SAMPLES.get(kwarg)


def missing_samples(view_name: str, kwarg_names: list[str]) -> list[str]:
    return [k for k in kwarg_names if sample_for(view_name, k) is None]


def names_school_object(view_name: str, kwarg_names: list[str]) -> bool:
    return any(s.school_object for k in kwarg_names if (s := sample_for(view_name, k)) is not None)


def object_rule_caps(view_name: str, kwarg_names: list[str]) -> frozenset:
    """The capabilities one of which the URL's records require beyond the URL's own rule (empty: none)."""
    caps: set = set()
    for k in kwarg_names:
        sample = sample_for(view_name, k)
        if sample is not None:
            caps |= sample.visible_with_any
    return frozenset(caps)


def url_kwargs(view_name: str, kwarg_names: list[str], ctx: SampleContext) -> dict[str, Any]:
    missing = missing_samples(view_name, kwarg_names)
    if missing:
        raise MissingSample(
            f"{view_name} takes {', '.join(repr(m) for m in missing)}, which tests/access_samples.py has no "
            f"sample for. Add a Sample to KWARG_SAMPLES (or URL_SAMPLES[{view_name!r}]) that creates a record "
            "belonging to ctx.school and returns the value for the URL."
        )
    return {k: sample_for(view_name, k).make(ctx) for k in kwarg_names}


# --- The project's URLs ---------------------------------------------------------------------------

# Django's admin has hundreds of URLs that all follow NAMESPACE_RULES["admin"]; a few stand for them.
ADMIN_REPRESENTATIVES = (
    "admin:index",
    "admin:login",
    "admin:schools_pupil_changelist",
    "admin:audit_auditevent_changelist",
)


@dataclass(frozen=True)
class UrlCase:
    view_name: str
    route: str
    kwarg_names: tuple[str, ...]
    positional_groups: int
    accepts_get: bool

    @property
    def rule(self) -> policy.Rule | None:
        return policy.rule_for(self.view_name)

    @property
    def school_object(self) -> bool:
        return names_school_object(self.view_name, list(self.kwarg_names))

    @property
    def object_caps(self) -> frozenset:
        return object_rule_caps(self.view_name, list(self.kwarg_names))


def _kwarg_names(pattern) -> tuple[list[str], int]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters), 0
    if isinstance(pattern, RegexPattern):
        names = list(pattern.regex.groupindex)
        return names, pattern.regex.groups - len(names)
    return [], 0


def _accepts_get(callback) -> bool:
    """Whether the view takes GET, read from the view itself so POST-only views are POSTed by everyone."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "get" in view_class.http_method_names and hasattr(view_class, "get")
    fn = callback
    while fn is not None:
        # require_POST / require_http_methods keep their list of methods in the wrapper's closure.
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
                and "GET" not in value
            ):
                return False
        fn = getattr(fn, "__wrapped__", None)
    return True


def _walk(patterns, namespace: str = "", route: str = "", kwargs: tuple[str, ...] = (), positional: int = 0):
    for entry in patterns:
        names, groups = _kwarg_names(entry.pattern)
        here = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = ":".join(part for part in (namespace, entry.namespace or "") if part)
            if ns == "admin":
                continue  # stood for by ADMIN_REPRESENTATIVES
            yield from _walk(entry.url_patterns, ns, here, (*kwargs, *names), positional + groups)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                # Django names unnamed views by their dotted path; rule_for() finds no rule for that.
                name = f"{entry.lookup_str} (unnamed, at /{here})"
            else:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield UrlCase(name, here, (*kwargs, *names), positional + groups, _accepts_get(entry.callback))


@functools.cache
def url_cases() -> tuple[UrlCase, ...]:
    cases = list(_walk(get_resolver().url_patterns))
    cases += [UrlCase(name, name, (), 0, True) for name in ADMIN_REPRESENTATIVES]
    return tuple(cases)


def walkable_cases() -> list[UrlCase]:
    return [c for c in url_cases() if c.rule is not None and not c.positional_groups]
