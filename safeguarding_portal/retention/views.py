"""The school's retention schedule: see it, change a period (recorded), take the trust's schedule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding_portal.audit.services import origin_of
from safeguarding_portal.core.formerrors import error_messages
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.selectors import school_view

from . import selectors, services
from .registry import MAX_YEARS, MIN_YEARS


def schedule(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    entries = selectors.schedule(school=school)
    errors: dict[str, str] = {}
    values = {e.kind.name: str(e.years) for e in entries}
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "").strip()[:300]
        wanted: dict[str, int] = {}
        for entry in entries:
            raw = request.POST.get(f"years-{entry.kind.name}", "").strip()
            values[entry.kind.name] = raw
            if not raw.isdigit() or not MIN_YEARS <= int(raw) <= MAX_YEARS:
                errors[entry.kind.name] = f"A whole number of years from {MIN_YEARS} to {MAX_YEARS}."
            else:
                wanted[entry.kind.name] = int(raw)
        if not errors:
            changed = [e for e in entries if wanted[e.kind.name] != e.years]
            try:
                for entry in changed:
                    services.period_set(school=school, user=request.user, kind=entry.kind.name,
                                        years=wanted[entry.kind.name], note=note,
                                        origin=origin_of(request))
            except ValidationError as exc:
                errors["__all__"] = "; ".join(error_messages(exc))
            else:
                messages.success(request, f"Retention schedule saved ({len(changed)} changed)." if changed
                                 else "Nothing changed.")
                return redirect("retention:schedule")

    rows = [{"entry": e, "value": values[e.kind.name], "error": errors.get(e.kind.name)} for e in entries]
    return render(request, "retention/schedule.html", {
        "rows": rows, "note": note, "form_error": errors.get("__all__"), "min_years": MIN_YEARS,
        "max_years": MAX_YEARS, "standings": school_view(school=school, kind_name="retention.schedule")},
        status=400 if errors else 200)


@require_POST
def adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    """Take the trust's retention schedule (safeguarding_portal.standards); each period changed is recorded."""
    school = request.portal.school
    template = standards.template_for_school(school=school, kind="retention.schedule", template_id=template_id)
    standards.template_adopt(school=school, template=template, by=request.user, origin=origin_of(request))
    messages.success(request, f"The retention schedule now follows the trust's version {template.version}.")
    return redirect("retention:schedule")
