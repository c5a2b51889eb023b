"""The trust report: the trust's schools side by side, figures only, for the trust safeguarding lead.

Never a name or a case: each figure is a count per school through ``small_count``. Seven grouped queries
whatever the number of schools or concerns.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Count, Max
from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.schools.models import Pupil, School, Term

from .figures import columns_for
from .models import GovernorReport
from .periods import Period, period_for, range_label
from .school_figures import dashboard


class TrustPeriodForm(forms.Form):
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError("The end date is before the start date.")
        return data


def default_period(*, trust) -> Period:
    """The term the trust's schools are in (or last finished); the last 13 weeks without term dates."""
    today = timezone.localdate()
    term = Term.objects.filter(school__trust=trust, starts_on__lte=today).order_by("-starts_on").first()
    if term is not None:
        return Period(term.starts_on, term.ends_on, str(term), str(term))
    start = today - datetime.timedelta(weeks=13)
    return Period(start, today, range_label(start, today), range_label(start, today))


def period_from(query, *, trust) -> tuple[TrustPeriodForm, Period]:
    """The period asked for in the query string, or the default one (bad dates say so and fall back)."""
    if query.get("starts_on") or query.get("ends_on"):
        form = TrustPeriodForm(query)
        if form.is_valid():
            start, end = form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
            label = range_label(start, end)
            return form, Period(start, end, label, label)
        return form, default_period(trust=trust)
    period = default_period(trust=trust)
    return TrustPeriodForm(initial={"starts_on": period.start, "ends_on": period.end}), period


def trust_table(*, trust, start: datetime.date, end: datetime.date) -> dict:
    period = Period(start, end, range_label(start, end), range_label(start, end))
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    ids = [s.pk for s in schools]
    on_roll = dict(
        Pupil.objects.filter(school_id__in=ids, left_on__isnull=True)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The concern figures (counts, the 4 Cs, acknowledgement, referrals) are the incidents app's (kind
    # ``trust_concerns``): the same selectors as each school's home page and governor report.
    concern_rows: dict[int, dict] = {sid: {} for sid in ids}
    concern_table: dict = {}
    for concerns in plugins.values("trust_concerns"):
        found = concerns(school_ids=ids, start=start, end=end, pupils=on_roll)
        for sid in ids:
            concern_rows[sid].update(found["rows"][sid])
        concern_table.update(found["table"])
    last_report = dict(
        GovernorReport.objects.filter(school_id__in=ids, state=GovernorReport.State.READY)
        .values_list("school_id")
        .annotate(at=Max("built_at"))
        .order_by()
    )
    columns = columns_for(school_ids=ids, start=start, end=end, today=min(end, timezone.localdate()))
    rows = []
    for s in schools:
        rows.append(
            {
                "school": s,
                "pupils": on_roll.get(s.pk, 0),
                **concern_rows[s.pk],
                "last_report": last_report.get(s.pk),
                # Agreements, training, filtering and curriculum: the apps' own figures (reports.figures).
                "areas": [(c.label, c.values.get(s.pk, "—"), c.rag.get(s.pk, "")) for c in columns],
            }
        )
    return {
        "period": period,
        "rows": rows,
        **concern_table,
        "area_labels": [c.label for c in columns],
        "pupils": sum(on_roll.values()),
        "schools": len(schools),
    }


AREA_COLUMNS = 6  # columns of figures that fit an A4 landscape page, or a 1280 px screen, beside the school's name


def area_parts(table: dict) -> list[dict]:
    """The areas table cut into parts of at most AREA_COLUMNS figures, each a table of its own with every
    school, so the page never needs more width as apps register more figures."""
    labels = table["area_labels"]
    parts = []
    for first in range(0, len(labels), AREA_COLUMNS):
        cut = slice(first, first + AREA_COLUMNS)
        parts.append({"labels": labels[cut], "rows": [(row["school"], row["areas"][cut]) for row in table["rows"]]})
    return parts


def trust_pdf(*, trust, start: datetime.date, end: datetime.date) -> bytes:
    table = trust_table(trust=trust, start=start, end=end)
    # Every area, school by school, after the trust-wide picture: the dashboard's figures for this period.
    dash = dashboard(trust=trust, period=(start, end), sort="attention")
    return render_pdf(
        template="reports/pdf/trust_report.html",
        context={
            "trust": trust,
            "table": table,
            "dash": dash,
            "generated_at": timezone.localtime(),
            "area_parts": area_parts(table),
        },
        stylesheet="reports/pdf/report.css",
    ).content


__all__ = ["TrustPeriodForm", "area_parts", "default_period", "period_for", "period_from", "trust_pdf", "trust_table"]
