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
