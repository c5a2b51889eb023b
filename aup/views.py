"""Agreements: signing (portal and public links), managing versions and campaigns, the register.

Public pages (the parent's link, the visitor's page, the verify page) never show a child's name unless the
link itself is the parent's own, and a broken link says only what to do next.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from functools import wraps

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core.clientip import client_ip
from safeguarding_portal.core.csvexport import csv_response
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.core.ids import as_id, as_ids
from safeguarding_portal.core.pdf import pdf_response
from safeguarding_portal.core.ratelimits import limited
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools import languages
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.selectors import school_view

from . import selectors, services
from .certificate import certificate_for
from .disposal import disposed_of
from .forms import (
    CampaignForm,
    DraftForm,
    PaperAgreementForm,
    PupilRecordForm,
    SignForm,
    TranslationForm,
    VerifyForm,
    VisitorForm,
)
from .models import (
    PUPIL_AUDIENCES,
    Agreement,
    AgreementTranslation,
    Audience,
    Campaign,
    Certificate,
    Consent,
    Invitation,
    PaperScan,
    RequestStatus,
    Signature,
    SigningRequest,
    initials,
)
from .reminders import chase_now

MAX_PDF_BYTES = 5 * 1024 * 1024


def _evidence(request: HttpRequest, form: SignForm) -> services.SignerEvidence:
    return services.SignerEvidence(
        typed_name=form.cleaned_data["full_name"],
        drawn_signature=form.cleaned_data.get("drawn_signature", ""),
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
    )


def _audience(value: str) -> str:
    if value not in Audience.values:
        raise Http404
    return value


# --- Signed in: one's own agreements -------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    school = portal.school
    own = []
    for audience in services.audiences_for_roles(portal.roles):
        version = selectors.published_version(school=school, audience=audience)
        if version is None:
            continue
        signature = selectors.current_signature(school=school, user=request.user, audience=audience)
        own.append({"audience": audience, "version": version, "signature": signature})
    children = []
    if "parent" in portal.roles:
        children = selectors.parent_overview(user=request.user, school=school)
        guardian_ids = Guardian.objects.filter(school=school, user=request.user).values("pk")
        open_invitations = Invitation.objects.filter(
            guardian_id__in=guardian_ids,
            campaign__closed_at__isnull=True,
            expires_at__gt=timezone.now(),
            requests__status=RequestStatus.PENDING,
        ).distinct()
        signed_invitations = Invitation.objects.filter(guardian_id__in=guardian_ids, used_at__isnull=False).order_by(
            "-used_at"
        )
        children_links = {
            "sign": [services.signing_token(i) for i in open_invitations],
            "manage": [services.manage_token(i) for i in signed_invitations[:1]],
        }
    else:
        children_links = {}
    return render(request, "aup/index.html", {"own": own, "children": children, "links": children_links})


@never_cache
def sign_own(request: HttpRequest, audience: str) -> HttpResponse:
    portal = request.portal
    audience = _audience(audience)
    if audience not in services.audiences_for_roles(portal.roles):
        messages.info(request, "That agreement is not one you are asked to sign.")
        return redirect("aup:index")
    version = selectors.published_version(school=portal.school, audience=audience)
    if version is None:
        messages.info(request, "The school has not published that agreement yet.")
        return redirect("aup:index")
    current = selectors.current_signature(school=portal.school, user=request.user, audience=audience)
    form = SignForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        signature = services.sign_own(
            school=portal.school, user=request.user, version=version, evidence=_evidence(request, form)
        )
        request.session.pop("aup_gate_ok", None)
        messages.success(request, f"Thank you: you signed {version.agreement.title.lower()} ({version.label}).")
        nxt = request.session.pop("aup_gate_next", "")
        if nxt and nxt.startswith("/") and not nxt.startswith("//"):
            return redirect(nxt)
        return redirect("aup:my_certificate", code=signature.verification_code)
    return render(
        request,
        "aup/sign_own.html",
        {"form": form, "version": version, "current": current, "gated": bool(request.session.get("aup_gate_next"))},
    )


def my_certificate(request: HttpRequest, code: str) -> HttpResponse:
    signature = (
        Signature.objects.filter(
            school=request.portal.school, user=request.user, verification_code=services.normalise_code(code)
        )
        .select_related("version__agreement")
        .first()
    )
    if signature is None:
        raise Http404
    if (tombstone := disposed_of(signature)) is not None:
        return _disposed(request, tombstone)
    if request.GET.get("download"):
        return _pdf_response(certificate_for(signature))
    return render(
        request,
        "aup/my_certificate.html",
        {"signature": signature, "code": services.format_code(signature.verification_code)},
    )


# --- Public: the parent's link -------------------------------------------------------------------------


def _disposed(request: HttpRequest, tombstone, *, public: bool = False) -> HttpResponse:
    """A certificate asked for after its agreement was disposed of under the retention schedule: gone (410), and
    when, rather than a certificate built again from what is left."""
    return render(request, "aup/disposed.html", {"tombstone": tombstone, "public": public}, status=410)


def _pdf_response(certificate: Certificate) -> HttpResponse:
    # A certificate is a few tens of kilobytes: read whole, so the response is an ordinary one.
    with certificate.pdf.open("rb") as fh:
        body = fh.read()
    return pdf_response(content=body, filename=f"agreement-{certificate.signature.verification_code}.pdf")


# --- The parents' pages in their language -------------------------------------------------------------------


def parent_page(view):
    """A parents' page: rendered in the language ``_use_parent_language`` picks, English again afterwards.

    Staff pages never pass through here, so they stay in English. A click on the switcher (``?lang=``) is
    remembered in a cookie for the parent's next visit.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        finally:
            translation.deactivate()
        code = getattr(request, "parent_language", None)
        if code:
            response.headers["Content-Language"] = code
            patch_vary_headers(response, ["Cookie"])
            if request.GET.get("lang") == code:
                response.set_cookie(
                    languages.COOKIE,
                    code,
                    max_age=languages.COOKIE_MAX_AGE,
                    samesite="Lax",
                    secure=request.is_secure(),
                    httponly=True,
                )
        return response

    return wrapper


def _use_parent_language(request: HttpRequest, *, school=None, pupils=()) -> str:
    """Activate the page's language: among the school's offered ones (every one when no school is known yet:
    a broken link, the verify page)."""
    offered = languages.offered(school.parent_languages) if school is not None else languages.all_languages()
    code = languages.choose(
        request=request, offered_codes=offered, home_languages=[p.home_language for p in pupils if p.home_language]
    )
    translation.activate(code)
    request.parent_language = code
    request.parent_languages_menu = languages.switcher(offered_codes=offered, current=code)
    return code


def _bad_link(request: HttpRequest, problem: str, *, purpose: str = "sign") -> HttpResponse:
    if getattr(request, "parent_language", None) is None:
        _use_parent_language(request)
    status = 404 if problem == services.LinkProblem.INVALID else 410
    return render(request, "aup/bad_link.html", {"problem": problem, "purpose": purpose}, status=status)


def _consent_answers(
    request: HttpRequest, requests, items, shown: services.ShownText
) -> tuple[dict[int, dict[str, bool]], list[str]]:
    answers: dict[int, dict[str, bool]] = {}
    missing = []
    for r in requests:
        answers[r.pupil_id] = {}
        for item in items:
            value = request.POST.get(f"consent-{r.pupil_id}-{item['key']}")
            if value not in ("yes", "no"):
                missing.append(f"{r.pupil.forename}: {shown.label_of(item)}")
            else:
                answers[r.pupil_id][item["key"]] = value == "yes"
    return answers, missing


@limited("aup.signing.ip", key="ip")
@never_cache
@parent_page
def sign(request: HttpRequest, token: str) -> HttpResponse:
    invitation, problem = services.find_invitation(token)
    if problem == services.LinkProblem.USED and request.method == "POST" and invitation.used_at is not None:
        # The second click of a double submit: the first one signed; the same confirmation as the first.
        return _signed_confirmation(invitation)
    if problem:
        return _bad_link(request, problem)
    requests = services.pending_requests(invitation)
    version = invitation.campaign.version
    items = version.consent_items
    school = invitation.campaign.school
    language = _use_parent_language(request, school=school, pupils=[r.pupil for r in requests])
    if request.GET.get("lang") == language:
        services.remember_language(invitation=invitation, language=language)
    # What this page shows, and so what a signature records: decided here, never taken from the form.
    shown = services.shown_text(version=version, language=language)
    form = SignForm(request.POST or None)
    missing: list[str] = []
    answers: dict = {}
    # The page sends back the fingerprint it showed; a form that sends none (a script, an old page) is signed
    # against the text decided here, which is what the record names either way.
    sent_sha256 = request.POST.get("shown_sha256", "") if request.method == "POST" else ""
    text_changed = bool(sent_sha256) and sent_sha256 != shown.sha256
    if request.method == "POST" and request.POST.get("action") == "decline":
        reason = request.POST.get("reason", "").strip()
        services.decline(
            invitation=invitation,
            reason=reason,
            evidence=services.SignerEvidence(
                typed_name=request.POST.get("full_name", "").strip()[:200],
                drawn_signature="",
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
        )
        return render(request, "aup/declined.html", {"school": school, "public": True})
    if request.method == "POST":
        answers, missing = _consent_answers(request, requests, items, shown)
        # The form was read in another language (the switcher used in another tab) or before a corrected
        # translation: the parent reads this text before signing, so the record names what they read.
        if form.is_valid() and not missing and not text_changed:
            signatures = services.sign_for_children(
                invitation=invitation, answers=answers, evidence=_evidence(request, form), shown=shown
            )
            if signatures or invitation.used_at:
                return _signed_confirmation(invitation)
    else:
        services.record_opened(invitation=invitation, ip=client_ip(request))
    children = [
        {
            "request": r,
            "pupil": r.pupil,
            "items": [
                {
                    "item": i,
                    "label": shown.label_of(i),
                    "value": ("yes" if answers.get(r.pupil_id, {}).get(i["key"]) else "no")
                    if i["key"] in answers.get(r.pupil_id, {})
                    else "",
                }
                for i in items
            ],
        }
        for r in requests
    ]
    return render(
        request,
        "aup/sign.html",
        {
            "invitation": invitation,
            "school": school,
            "version": version,
            "shown": shown,
            "text_changed": text_changed,
            "children": children,
            "form": form,
            "missing": missing,
            "public": True,
        },
    )


def _signed_confirmation(invitation) -> HttpResponse:
    """Where every send of a signing form lands, the first or one that lost the race to it."""
    return redirect(f"{reverse('aup:signed', args=[services.manage_token(invitation)])}?done=1")


@limited("aup.signing.ip", key="ip")
@never_cache
@parent_page
def signed(request: HttpRequest, token: str) -> HttpResponse:
    """What this parent signed, with each consent to withdraw or give, and the certificates."""
    invitation, problem = services.find_invitation(token, purpose="manage")
    if problem:
        return _bad_link(request, problem, purpose="manage")
    signatures = list(
        Signature.objects.filter(request__invitation=invitation)
        .select_related("pupil", "version__agreement")
        .order_by("pupil__legal_forename")
    )
    language = _use_parent_language(request, school=invitation.campaign.school, pupils=[s.pupil for s in signatures])
    if request.GET.get("lang") == language:
        services.remember_language(invitation=invitation, language=language)
    if request.method == "POST":
        signature = next((s for s in signatures if str(s.pk) == request.POST.get("signature")), None)
        given = request.POST.get("given")
        if signature is None or given not in ("yes", "no"):
            messages.error(request, gettext("That change could not be made. Please try again."))
        else:
            try:
                changed = services.change_consent(
                    signature=signature,
                    key=request.POST.get("key", ""),
                    given=given == "yes",
                    actor=invitation.guardian.full_name,
                    ip=client_ip(request),
                )
            except ValidationError:
                changed = False
                messages.error(request, gettext("That is not one of this agreement's consent questions."))
            else:
                if changed:
                    messages.success(request, gettext("Done: your change applies from now. The school has been told."))
        return redirect("aup:signed", token=token)
    if not request.GET.get("done"):
        services.record_viewed(invitation=invitation, ip=client_ip(request))

    current = {(c.pupil_id, c.key): c for c in Consent.objects.filter(pupil_id__in=[s.pupil_id for s in signatures])}
    rows = []
    shown_by_version: dict[int, services.ShownText] = {}
    for s in signatures:
        if s.version_id not in shown_by_version:
            shown_by_version[s.version_id] = services.shown_text(version=s.version, language=language)
        shown = shown_by_version[s.version_id]
        rows.append(
            {
                "signature": s,
                "title": shown.title,
                "text_language": languages.OWN_NAMES.get(s.text_language or languages.ENGLISH, s.text_language),
                "code": services.format_code(s.verification_code),
                "items": [
                    {"item": i, "label": shown.label_of(i), "consent": current.get((s.pupil_id, i["key"]))}
                    for i in s.version.consent_items
                ],
            }
        )
    return render(
        request,
        "aup/signed.html",
        {
            "invitation": invitation,
            "school": invitation.campaign.school,
            "rows": rows,
            "token": token,
            "done": bool(request.GET.get("done")),
            "public": True,
        },
    )


@limited("aup.signing.ip", key="ip")
@parent_page
def signed_certificate(request: HttpRequest, token: str, code: str) -> HttpResponse:
    invitation, problem = services.find_invitation(token, purpose="manage")
    if problem:
        return _bad_link(request, problem, purpose="manage")
    signature = Signature.objects.filter(
        request__invitation=invitation, verification_code=services.normalise_code(code)
    ).first()
    if signature is None:
        return _bad_link(request, services.LinkProblem.INVALID, purpose="manage")
    if (tombstone := disposed_of(signature)) is not None:
        return _disposed(request, tombstone, public=True)
    return _pdf_response(certificate_for(signature))


# --- Public: verify and visitors -----------------------------------------------------------------------


def _verify_result(signature: Signature | None) -> dict | None:
    if signature is None:
        return None
    version = signature.version
    tombstone = disposed_of(signature)
    if tombstone is not None:
        # Disposed of under the retention schedule: say so and when, with what is left (no name, no initials).
        # Intact when the row still has the hash its tombstone recorded and what is left is what disposal left.
        return {
            "title": version.agreement.title,
            "school": version.agreement.school.name,
            "version": version.number,
            "sha256": version.sha256,
            "signed_at": signature.signed_at,
            "for_a_child": signature.pupil_id is not None,
            "on_paper": signature.on_paper,
            "disposed_at": tombstone.disposed_at,
            "intact": signature.hash == tombstone.record_hash
            and signature.compute_hash() == tombstone.residue_hash
            and signature.version_sha256 == version.sha256,
        }
    return {
        "title": version.agreement.title,
        "school": version.agreement.school.name,
        "version": version.number,
        "sha256": version.sha256,
        "initials": initials(signature.signer_name),
        "signed_at": signature.signed_at,
        "for_a_child": signature.pupil_id is not None,
        "on_paper": signature.on_paper,
        # Which language version the signer was shown, with its hash (the English original before translations).
        "text_language": languages.ENGLISH_NAMES.get(
            signature.text_language or languages.ENGLISH, signature.text_language
        ),
        "text_language_code": signature.text_language or languages.ENGLISH,
        "text_sha256": signature.text_sha256 or version.sha256,
        "intact": signature.compute_hash() == signature.hash
        and signature.version_sha256 == version.sha256
        and _shown_text_known(signature),
    }


def _shown_text_known(signature: Signature) -> bool:
    """The recorded hash of the text shown is the version's, or one of its uploaded translations'."""
    if signature.text_sha256 in ("", signature.version.sha256):
        return True
    return AgreementTranslation.objects.filter(
        version_id=signature.version_id, language=signature.text_language, sha256=signature.text_sha256
    ).exists()


def _by_code(code: str) -> dict | None:
    signature = (
        Signature.objects.filter(verification_code=services.normalise_code(code))
        .select_related("version__agreement__school")
        .first()
    )
    return _verify_result(signature)


@limited("aup.verify.ip", key="ip")
@parent_page
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone may check a certificate: by its code or by the PDF itself. Initials only, never a child."""
    _use_parent_language(request)
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")})
    result, checked = None, False
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        if upload is not None and upload.size > MAX_PDF_BYTES:
            form.add_error("pdf", gettext("That file is larger than a certificate can be."))
        elif upload is not None:
            digest = hashlib.sha256(upload.read()).hexdigest()
            certificate = Certificate.objects.filter(sha256=digest).select_related("signature").first()
            result, checked = _verify_result(certificate.signature if certificate else None), True
        else:
            result, checked = _by_code(form.cleaned_data["code"]), True
    elif request.method == "GET" and request.GET.get("code"):
        result, checked = _by_code(request.GET["code"]), True
    return render(request, "aup/verify.html", {"form": form, "result": result, "checked": checked, "public": True})


@limited("aup.visitor.ip", key="ip", method="POST")
@never_cache
def visitor(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    agreement = Agreement.objects.filter(public_key=key, audience=Audience.VISITOR).select_related("school").first()
    version = agreement.current_version if agreement else None
    if version is None:
        return render(request, "aup/bad_link.html", {"problem": "invalid", "purpose": "visitor"}, status=404)
    form = VisitorForm(request.POST or None, initial={"submission_token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        signature = services.sign_visitor(
            agreement=agreement,
            organisation=form.cleaned_data["organisation"],
            submission_token=form.cleaned_data["submission_token"],
            evidence=_evidence(request, form),
        )
        return render(
            request,
            "aup/visitor_done.html",
            {
                "school": agreement.school,
                "initials": initials(signature.signer_name),
                "code": services.format_code(signature.verification_code),
                "signed_at": signature.signed_at,
                "public": True,
                "key": key,
            },
        )
    return render(
        request, "aup/visitor.html", {"form": form, "version": version, "school": agreement.school, "public": True}
    )


# --- Managing agreements -------------------------------------------------------------------------------


def manage(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    rows = []
    for audience, label in Audience.choices:
        agreement = services.ensure_agreement(school=school, audience=audience)
        rows.append(
            {
                "audience": audience,
                "label": label,
                "agreement": agreement,
                "current": agreement.current_version,
                "draft": agreement.draft,
            }
        )

    return render(
        request,
        "aup/manage.html",
        {
            "rows": rows,
            "campaigns": selectors.campaigns(school=school)[:20],
            "standings": school_view(school=school, kind_name="aup.agreements"),
        },
    )


@require_POST
def agreement_adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    """Publish the trust's text for an audience (safeguarding_portal.standards) as the school's next version."""
    school = request.portal.school
    template = standards.template_for_school(school=school, kind="aup.agreements", template_id=template_id)
    resign = request.POST.get("requires_resign") == "1"
    standards.template_adopt(
        school=school,
        template=template,
        by=request.user,
        origin=origin_of(request),
        options={"requires_resign": resign, "summary": f"The trust's text, version {template.version}"},
    )
    messages.success(
        request,
        f"Published the trust's {template.key_label.lower()} agreement (its version "
        f"{template.version}) as your next version."
        + (" Everyone must sign it again." if resign else " Earlier signatures still count."),
    )
    return redirect("aup:manage")


def agreement_edit(request: HttpRequest, audience: str) -> HttpResponse:
    school = request.portal.school
    agreement = services.ensure_agreement(school=school, audience=_audience(audience))
    base = agreement.draft or agreement.current_version
    initial = {
        "title": agreement.title,
        "text": base.text if base else "",
        "consent_items": "\n".join(i["label"] for i in (base.consent_items if base else [])),
        "requires_resign": base.requires_resign if base and not base.is_published else False,
        "summary": base.summary_of_changes if base and not base.is_published else "",
    }
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = services.parse_consent_items(data["consent_items"]) if audience == Audience.PARENT else None
        if audience == Audience.PARENT and not items:
            form.add_error("consent_items", "The parents' agreement needs at least one consent question.")
        else:
            try:
                Agreement.objects.filter(pk=agreement.pk).update(title=data["title"])
                draft = services.save_draft(
                    agreement=agreement,
                    text=data["text"],
                    consent_items=items,
                    requires_resign=data["requires_resign"],
                    summary=data["summary"],
                )
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                if request.POST.get("action") == "publish":
                    services.publish(version=draft, by=request.user)
                    messages.success(request, f"Published {draft.label}. Its text is now frozen.")
                else:
                    messages.success(request, f"Draft {draft.label} saved. Nobody sees it until you publish it.")
                return redirect("aup:agreement", audience=audience)
    versions = list(agreement.versions.order_by("-number"))
    return render(
        request,
        "aup/agreement.html",
        {
            "agreement": agreement,
            "form": form,
            "versions": versions,
            "is_parent": audience == Audience.PARENT,
            **_translations_context(agreement),
        },
    )


def _translation_choices(school) -> list[tuple[str, str]]:
    return [(code, languages.ENGLISH_NAMES[code]) for code in languages.offered(school.parent_languages)[1:]]


def _translations_context(agreement: Agreement, form: TranslationForm | None = None) -> dict:
    """The parents' agreement's translations (of the current version) and the form to upload one."""
    current = agreement.current_version
    if agreement.audience != Audience.PARENT or current is None:
        return {}
    choices = _translation_choices(agreement.school)
    rows = list(AgreementTranslation.objects.filter(version=current).select_related("uploaded_by"))
    for row in rows:
        row.language_name = languages.ENGLISH_NAMES.get(row.language, row.language)
    return {
        "current": current,
        "translations": rows,
        "translation_form": form or (TranslationForm(language_choices=choices) if choices else None),
    }


@require_POST
def translation_add(request: HttpRequest, audience: str) -> HttpResponse:
    school = request.portal.school
    agreement = services.ensure_agreement(school=school, audience=_audience(audience))
    current = agreement.current_version
    if agreement.audience != Audience.PARENT or current is None:
        messages.error(request, "Only a published parents' agreement is translated.")
        return redirect("aup:agreement", audience=agreement.audience)
    form = TranslationForm(request.POST, language_choices=_translation_choices(school))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_translation(
                version=current,
                language=data["language"],
                title=data["title"],
                text=data["text"],
                consent_labels=data["consent_labels"].splitlines(),
                by=request.user,
                origin=origin_of(request),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Translation uploaded: parents choosing {languages.ENGLISH_NAMES[data['language']]} now read it.",
            )
            return redirect("aup:agreement", audience=audience)
    return render(
        request,
        "aup/agreement.html",
        {
            "agreement": agreement,
            "form": DraftForm(initial={"title": agreement.title, "text": current.text}),
            "versions": list(agreement.versions.order_by("-number")),
            "is_parent": True,
            **_translations_context(agreement, form),
        },
        status=400,
    )


def campaign_new(request: HttpRequest, audience: str) -> HttpResponse:
    school = request.portal.school
    audience = _audience(audience)
    version = selectors.published_version(school=school, audience=audience)
    if version is None or audience not in (Audience.PARENT, Audience.STAFF, Audience.GOVERNOR, Audience.SOCIAL_MEDIA):
        messages.error(request, "Publish that agreement first (pupils' and visitors' agreements are not emailed).")
        return redirect("aup:manage")
    form = CampaignForm(
        request.POST or None,
        classes=selectors.class_names(school=school),
        initial={
            "scope": "school"
            if audience == Audience.PARENT
            else ("governors" if audience == Audience.GOVERNOR else "staff")
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(
                school=school,
                version=version,
                scope=form.cleaned_data["scope"],
                scope_value=form.scope_value(),
                closes_on=form.cleaned_data["closes_on"],
                by=request.user,
                remind_every_days=form.cleaned_data["remind_every_days"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "Issued. The emails are on their way.")
            return redirect("aup:campaign", campaign_id=campaign.pk)
    return render(request, "aup/campaign_new.html", {"form": form, "version": version})


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("version__agreement"), pk=campaign_id, school=request.portal.school
    )


def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = _campaign(request, campaign_id)
    chase = selectors.to_chase(campaign=c)
    return render(
        request,
        "aup/campaign.html",
        {
            "campaign": c,
            "progress": selectors.campaign_progress(campaign=c),
            "chase": chase,
            "can_chase": selectors.can_chase(campaign=c),
            "to_remind": sum(
                1
                for line in chase
                if not line["reminded_today"] and not (line["invitation"] and line["invitation"].bounced_at)
            ),
        },
    )


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _people(n: int) -> str:
    return counted(n, "person", "people")


@require_POST
def campaign_chase(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Remind one parent (or member of staff), or everyone still waiting: once a day at most, whoever asks."""
    c = _campaign(request, campaign_id)
    invitation = request_obj = None
    if (invitation_id := as_id(request.POST.get("invitation"))) is not None:
        invitation = get_object_or_404(Invitation, pk=invitation_id, campaign=c)
    elif (request_id := as_id(request.POST.get("request"))) is not None:
        request_obj = get_object_or_404(SigningRequest, pk=request_id, campaign=c, user__isnull=False)
    try:
        done = chase_now(campaign=c, by=request.user, invitation=invitation, request=request_obj)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
        return redirect("aup:campaign", campaign_id=c.pk)
    one = invitation is not None or request_obj is not None
    if done.sent:
        messages.success(
            request, f"Reminder sent to {_names(done.sent)}." if one else f"Reminder sent to {_people(len(done.sent))}."
        )
    if done.tomorrow:
        messages.info(
            request,
            (
                f"{_names(done.tomorrow)} already had today's email from the portal"
                if one
                else f"{_people(len(done.tomorrow))} already had today's email from the portal"
            )
            + ": the reminder goes with tomorrow morning's (one email a day).",
        )
    if done.already:
        messages.info(
            request,
            (
                f"{_names(done.already)} was already reminded today"
                if one
                else f"{_people(len(done.already))} already reminded today"
            )
            + ": nobody is reminded more than once a day.",
        )
    if done.bounced:
        messages.warning(
            request,
            f"Not sent to {_names(done.bounced) if one else _people(len(done.bounced))}: "
            "the email bounced. Check the address with the family, or record a paper copy.",
        )
    if done.queued:
        messages.info(
            request,
            f"The first email to {_names(done.queued) if one else _people(len(done.queued))} is still on its way.",
        )
    return redirect(f"{reverse('aup:campaign', args=[c.pk])}#chase")


def campaign_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = _campaign(request, campaign_id)

    requests = (
        SigningRequest.objects.filter(campaign=c)
        .select_related("pupil", "guardian", "user", "invitation")
        .order_by("pupil__registration_group", "pupil__surname", "pk")
    )
    rows = (
        [
            r.pupil.registration_group if r.pupil_id else "",
            r.pupil.full_name if r.pupil_id else "",
            r.guardian.full_name if r.guardian_id else r.user.full_name,
            r.invitation.email if r.invitation_id else r.user.email,
            r.get_status_display(),
            "yes" if r.invitation_id and r.invitation.opened_at else "no",
            "yes" if r.invitation_id and r.invitation.bounced_at else "no",
        ]
        for r in requests
    )
    return csv_response(
        filename=f"campaign-{c.pk}.csv",
        header=["class", "pupil", "parent or carer", "email", "status", "link opened", "email bounced"],
        rows=rows,
    )


@require_POST
def campaign_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = _campaign(request, campaign_id)
    services.close_campaign(campaign=c)
    messages.success(request, "Closed: its links stop working and nobody is chased any more.")
    return redirect("aup:campaign", campaign_id=c.pk)


@require_POST
def invitation_bounced(request: HttpRequest, campaign_id: int, invitation_id: int) -> HttpResponse:
    c = _campaign(request, campaign_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, campaign=c)
    services.mark_bounced(invitation=invitation, by=request.user)
    messages.info(request, "Marked as bounced: check the address with the family.")
    return redirect("aup:campaign", campaign_id=c.pk)


def register(request: HttpRequest, audience: str) -> HttpResponse:
    school = request.portal.school
    audience = _audience(audience)
    rows = selectors.register(school=school, audience=audience)
    if request.GET.get("format") == "csv":
        return csv_response(
            filename=f"register-{audience}.csv",
            header=["name", "class or email", "state", "version", "signed at", "how"],
            rows=(
                [
                    r["name"],
                    r["detail"],
                    selectors.STATE_LABELS[r["state"]],
                    r["version"] or "",
                    timezone.localtime(r["signed_at"]).strftime("%Y-%m-%d %H:%M") if r["signed_at"] else "",
                    ("on paper" if r.get("paper") else "online") if r["signed_at"] else "",
                ]
                for r in rows
            ),
        )
    state = request.GET.get("state", "")
    counts = {k: sum(1 for r in rows if r["state"] == k) for k in selectors.STATE_LABELS}
    shown = [r for r in rows if not state or r["state"] == state]
    return render(
        request,
        "aup/register.html",
        {
            "audience": audience,
            "audience_label": dict(Audience.choices)[audience],
            "rows": shown[:1000],
            "counts": counts,
            "state": state,
            "states": selectors.STATE_LABELS,
            "audiences": Audience.choices,
        },
    )


def visitor_qr(request: HttpRequest) -> HttpResponse:
    agreement = services.ensure_agreement(school=request.portal.school, audience=Audience.VISITOR)
    url = request.build_absolute_uri(reverse("aup:visitor", args=[agreement.public_key]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return render(
        request,
        "aup/visitor_qr.html",
        {"svg": buffer.getvalue().decode(), "url": url, "published": agreement.current_version is not None},
    )


# --- Teachers: classes ---------------------------------------------------------------------------------


def classes(request: HttpRequest) -> HttpResponse:
    return render(request, "aup/classes.html", {"classes": selectors.class_names(school=request.portal.school)})


def class_detail(request: HttpRequest, class_name: str) -> HttpResponse:
    school = request.portal.school
    data = selectors.class_consents(school=school, class_name=class_name)
    pupils = [r["pupil"] for r in data["rows"]]
    if request.GET.get("format") == "csv":
        answer = {True: "yes", False: "no", None: "no answer"}
        return csv_response(
            filename="class-photo-consents.csv",
            header=["pupil"] + [i["label"] for i in data["items"]],
            rows=([r["pupil"].full_name] + [answer[a] for a in r["answers"]] for r in data["rows"]),
        )
    can_record = request.portal.can(Cap.RECORD_PUPIL_AGREEMENTS)
    form = PupilRecordForm(request.POST or None, initial={"agreed_on": timezone.localdate()})
    if request.method == "POST" and can_record:
        ids = as_ids(request.POST.getlist("pupil"))
        chosen = [p for p in pupils if p.pk in ids]
        if not chosen:
            form.add_error(None, "Tick the pupils who were talked through the agreement and agreed.")
        if form.is_valid():
            try:
                made = services.record_pupil_agreements(
                    school=school, pupils=chosen, agreed_on=form.cleaned_data["agreed_on"], witness=request.user
                )
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    f"Recorded {len(made)} pupil agreement{'s' if len(made) != 1 else ''}, with you as witness.",
                )
                return redirect("aup:class", class_name=class_name)
    # Pupils' own agreements (a paper parents' agreement has a witness too: the member of staff who recorded it).
    recorded = set(
        Signature.objects.filter(pupil__in=pupils, witness__isnull=False, audience__in=PUPIL_AUDIENCES).values_list(
            "pupil_id", flat=True
        )
    )
    return render(
        request,
        "aup/class.html",
        {
            "class_name": class_name,
            "data": data,
            "form": form,
            "can_record": can_record,
            "recorded": recorded,
        },
    )


# --- Paper agreements ----------------------------------------------------------------------------------


def paper_agreement(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The office records the parents' agreement a parent signed on paper for this child, with its scan."""
    school = request.portal.school
    pupil = get_object_or_404(Pupil.objects.filter(school=school).on_roll(), pk=pupil_id)
    version = selectors.published_version(school=school, audience=Audience.PARENT)
    if version is None:
        messages.error(request, "Publish the parents' agreement first.")
        return redirect("aup:manage")
    links = list(
        PupilGuardian.objects.filter(pupil=pupil, has_parental_responsibility=True)
        .select_related("guardian")
        .order_by("contact_priority", "guardian__full_name")
    )
    guardians = [(link.guardian, link.relationship or "parent or carer") for link in links]
    current = (
        Signature.objects.filter(
            pupil=pupil, version__agreement=version.agreement, version__number__gte=version.agreement.current_from
        )
        .order_by("-signed_at")
        .first()
    )
    form = PaperAgreementForm(
        request.POST or None,
        request.FILES or None,
        guardians=guardians,
        items=version.consent_items,
        initial={"submission_token": uuid.uuid4()},
    )
    token = request.POST.get("submission_token", "")
    if request.method == "POST" and current is not None and str(current.submission_token) == token:
        return _after_paper(request, pupil)  # the second click of a double submission: the first recorded it
    if request.method == "POST" and current is None and form.is_valid():
        chosen = next((g for g, _ in guardians if g.pk == form.cleaned_data["guardian"]), None)
        try:
            services.record_paper_agreement(
                school=school,
                pupil=pupil,
                guardian=chosen,
                by=request.user,
                signed_on=form.cleaned_data["signed_on"],
                answers=form.answers(),
                scan=form.cleaned_data["scan"],
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
                submission_token=form.cleaned_data["submission_token"],
                signer_name=form.cleaned_data["signer_name"],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(
                request, f"Recorded: {pupil.full_name}'s parents' agreement, signed on paper by {chosen.full_name}."
            )
            return _after_paper(request, pupil)
    return render(
        request,
        "aup/paper.html",
        {
            "pupil": pupil,
            "version": version,
            "form": form,
            "current": current,
            "guardians": guardians,
            "next": request.GET.get("next", "") or request.POST.get("next", ""),
        },
    )


def _after_paper(request: HttpRequest, pupil: Pupil) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(f"{reverse('aup:register', args=[Audience.PARENT])}?state=none")


def paper_scan(request: HttpRequest, scan_id: int) -> FileResponse:
    scan = get_object_or_404(PaperScan, pk=scan_id, school=request.portal.school)
    if not scan.file:  # disposed of under the retention schedule (aup/disposal.py): its file is deleted
        raise Http404
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(scan.content_type, "bin")
    return FileResponse(
        scan.file.open("rb"),
        as_attachment=True,
        content_type=scan.content_type,
        filename=f"paper-agreement-{scan.sha256[:12]}.{extension}",
    )
