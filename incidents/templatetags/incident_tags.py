from django import template

from incidents.models import Agency, ConcernType, Status

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
    import datetime

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

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
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    chosen = "" if selected is None else str(selected)
    parts = [format_html('<option value="">{}</option>', blank)] if blank else []
    for value, label in choices:
        value = str(value)
        if value == chosen:
            parts.append(format_html('<option value="{}" selected>{}</option>', value, label))
        else:
            parts.append(format_html('<option value="{}">{}</option>', value, label))
    return mark_safe("".join(parts))  # every part above is escaped by format_html
