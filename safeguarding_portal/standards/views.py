"""The trust lead's pages: the templates of every kind, each school's standing, and publishing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core.formerrors import add_errors_to_form
from safeguarding_portal.core.ids import as_id

from . import selectors, services
from .forms import TemplateForm
from .models import TrustTemplate
from .registry import KINDS, STATE_WORDS, Kind


def _trust(request: HttpRequest):
    trust = request.portal.trust
    if trust is None:
        raise Http404("No trust.")
    return trust


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None or not kind.stored:
        raise Http404("No such kind of template.")
    return kind


def trust_overview(request: HttpRequest) -> HttpResponse:
    trust = _trust(request)
    return render(request, "standards/trust.html", {"trust": trust, "rows": selectors.trust_overview(trust=trust)})


def trust_kind(request: HttpRequest, kind: str) -> HttpResponse:
    trust, spec = _trust(request), _kind(kind)
    return render(
        request,
        "standards/trust_kind.html",
        {
            "trust": trust,
            "kind": spec,
            **selectors.trust_kind_view(trust=trust, kind=spec),
            "words": STATE_WORDS,
            "can_publish": request.portal.can(Cap.MANAGE_TRUST),
        },
    )


def publish(request: HttpRequest, kind: str) -> HttpResponse:
    trust, spec = _trust(request), _kind(kind)
    existing = None
    if request.GET.get("template"):
        template_id = as_id(request.GET["template"])
        if template_id is None:
            raise Http404("No such template.")
        existing = get_object_or_404(TrustTemplate, pk=template_id, trust=trust, kind=spec.name)
    initial = (
        {"key": existing.key, "content": spec.as_text(existing.content), "note": existing.note} if existing else None
    )
    form = TemplateForm(request.POST or None, initial=initial, kind=spec)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_publish(
                trust=trust,
                by=request.user,
                kind=spec.name,
                key=form.cleaned_data["key"],
                content=form.cleaned_data["parsed"],
                note=form.cleaned_data["note"],
                origin=origin_of(request),
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Published {template.key_label} (version {template.version}) to the trust's "
                "schools. Each school takes it from its own page.",
            )
            return redirect("standards:trust_kind", kind=spec.name)
    return render(request, "standards/publish.html", {"trust": trust, "kind": spec, "form": form, "existing": existing})
