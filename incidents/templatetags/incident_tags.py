import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from incidents.models import Agency, ConcernType, PupilRole, Status
from incidents.procedures import completion_labels as labels

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


@register.filter
def agency_label(value: str) -> str:
    return Agency(value).label if value in Agency.values else value


@register.filter
def concern_label(value: str) -> str:
    return ConcernType(value).label if value in ConcernType.values else value


@register.filter
def iso_when(value: str) -> str:
    """An ISO date-time stored in an entry's data, as people read it: 20 Oct 2026 17:51."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "j M Y H:i")


@register.simple_tag
def select_options(choices, selected="", blank: str = "") -> str:
    """``<option>`` elements for a filter select, built in Python: a template loop costs a dozen node renders
    per option, and the dashboard has a hundred options on every load."""
    chosen = "" if selected is None else str(selected)
    parts = [format_html('<option value="">{}</option>', blank)] if blank else []
    for value, label in choices:
        value = str(value)
        if value == chosen:
            parts.append(format_html('<option value="{}" selected>{}</option>', value, label))
        else:
            parts.append(format_html('<option value="{}">{}</option>', value, label))
    return mark_safe("".join(parts))  # every part above is escaped by format_html


@register.filter
def role_label(value: str) -> str:
    if value == "removed":
        return "taken off the case"
    return str(PupilRole(value).label) if value in PupilRole.values else value


@register.filter
def correction_of(entry, name: str):
    """The latest correction of one field of ``entry`` (incidents.corrections.annotate), or None."""
    corrections = getattr(entry, "field_corrections", None)
    return corrections[name] if corrections else None


@register.filter
def highlighted(spans) -> str:
    """A name cut into (text, matched) pieces (schools.search.highlight_spans), with <mark> on the matches."""
    parts = [format_html("<mark>{}</mark>", text) if hit else conditional_escape(text) for text, hit in spans or ()]
    return mark_safe("".join(parts))  # every part is escaped above


@register.filter
def completion_labels(keys) -> str:
    return "; ".join(labels(keys or []))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def last_seq(entries) -> int | str:
    return entries[-1].seq if entries else ""


@register.filter
def bundle_time(value: str):
    """A time read from a transfer bundle (ISO 8601, UTC) as a datetime, so ``|date`` shows it in local time; a
    date alone or anything unreadable comes back as it was."""
    from django.utils.dateparse import parse_date, parse_datetime
    from django.utils.timezone import localtime

    if not isinstance(value, str):
        return value
    parsed = parse_datetime(value)
    if parsed is not None and parsed.tzinfo is not None:
        return localtime(parsed)
    return parse_date(value) or value
