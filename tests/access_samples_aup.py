"""Access-walk samples for the aup app's URL kwargs (merged into ``tests/access_samples.py``)."""

from __future__ import annotations

import hashlib

from .access_samples import Sample, SampleContext


def _campaign(ctx: SampleContext):
    if "aup_campaign" not in ctx.shared:
        from . import factories_aup

        fam = factories_aup.family(ctx.school, email="walk.family@home.example")
        camp = factories_aup.campaign(ctx.school, notify=False)
        ctx.shared["aup_campaign"] = camp
        ctx.shared["aup_invitation"] = factories_aup.invitation_of(camp, fam.guardian)
    return ctx.shared["aup_campaign"]


def _campaign_id(ctx: SampleContext) -> int:
    return _campaign(ctx).pk


def _invitation_id(ctx: SampleContext) -> int:
    _campaign(ctx)
    return ctx.shared["aup_invitation"].pk


def _signing_token(ctx: SampleContext) -> str:
    from aup import services

    _campaign(ctx)
    return services.signing_token(ctx.shared["aup_invitation"])


def _signed(ctx: SampleContext):
    """An invitation already signed, with a stand-in certificate: the walk tests access, not PDFs."""
    if "aup_signed" not in ctx.shared:
        from django.core.files.base import ContentFile

        from aup.models import Certificate

        from . import factories_aup

        _campaign(ctx)
        invitation = ctx.shared["aup_invitation"]
        signatures = factories_aup.sign_invitation(invitation)
        body = b"%PDF-1.4 walk sample"
        certificate = Certificate(signature=signatures[0], sha256=hashlib.sha256(body).hexdigest())
        certificate.pdf.save("sample.pdf", ContentFile(body), save=False)
        certificate.save()
        invitation.refresh_from_db()
        ctx.shared["aup_signed"] = (invitation, signatures[0])
    return ctx.shared["aup_signed"]


def _manage_token(ctx: SampleContext) -> str:
    from aup import services

    return services.manage_token(_signed(ctx)[0])


def _signed_code(ctx: SampleContext) -> str:
    return _signed(ctx)[1].verification_code


def _own_code(ctx: SampleContext) -> str:
    """A signature of the requesting persona at the right school (a parent's or governor's too)."""
    from aup import services
    from aup.models import Audience

    from . import factories_aup
    from .factories import UserFactory

    user = ctx.user if ctx.user is not None else UserFactory(email="walk.signer@oak.example")
    version = factories_aup.published(ctx.school, Audience.STAFF)
    return services.sign_own(
        school=ctx.school, user=user, version=version, evidence=factories_aup.EVIDENCE, issue_certificate=False
    ).verification_code


def _visitor_key(ctx: SampleContext) -> str:
    from aup.models import Audience

    from . import factories_aup

    return str(factories_aup.published(ctx.school, Audience.VISITOR).agreement.public_key)


def _scan_id(ctx: SampleContext) -> int:
    """A paper agreement's scan (the walk tests access, so a stand-in file)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from aup.models import PaperScan

    from .factories import UserFactory

    body = b"%PDF-1.4 walk paper scan"
    scan = PaperScan(
        school=ctx.school,
        original_name="scan.pdf",
        content_type="application/pdf",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        uploaded_at=timezone.now(),
        uploaded_by=UserFactory(email=f"walk.office.{PaperScan.objects.count()}@oak.example"),
    )
    scan.file.save("scan.pdf", ContentFile(body), save=False)
    scan.save()
    return scan.pk


KWARG_SAMPLES: dict[str, Sample] = {
    # An audience is the same list at every school: nothing of a school's is named.
    "audience": Sample(lambda ctx: "staff", school_object=False),
    "campaign_id": Sample(_campaign_id, school_object=True),
    "invitation_id": Sample(_invitation_id, school_object=True),
    # A class name is a label, not a record: another school's staff get an empty class, never a pupil.
    "class_name": Sample(lambda ctx: "5B", school_object=False),
    "key": Sample(_visitor_key, school_object=False),
    "scan_id": Sample(_scan_id, school_object=True),
}

URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "aup:sign": {"token": Sample(_signing_token, school_object=False)},
    "aup:signed": {"token": Sample(_manage_token, school_object=False)},
    "aup:signed_certificate": {
        "token": Sample(_manage_token, school_object=False),
        "code": Sample(_signed_code, school_object=False),
    },
    "aup:my_certificate": {"code": Sample(_own_code, school_object=True)},
}
