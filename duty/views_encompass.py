"""Operation Encompass pages: the DSL team's list and record, and everyone's own support actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.audit.services import record_view
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages
from safeguarding_portal.schools import selectors as school_selectors

from . import encompass
from .forms import AskActionForm, EncompassForm
from .models import EncompassEntry, EncompassEntryKind, EncompassNotification


def index(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "duty/encompass_index.html",
        {"notifications": encompass.notifications(school=school)[:100], "now": timezone.now()},
    )


def new(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = EncompassForm(
        request.POST or None,
        school=school,
        initial={"notified_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notification = encompass.record(
                school=school,
                by=request.user,
                notified_at=d["notified_at"],
                incident_on=d["incident_on"],
                police_reference=d["police_reference"],
                officer_name=d["officer_name"],
                officer_contact=d["officer_contact"],
                support=d["support"],
                pupil_ids=[p.pk for p in d["pupils"]],
            )
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Notification recorded; the DSL on duty has been told.")
            return redirect("duty:encompass_detail", notification_id=notification.pk)
    return render(request, "duty/encompass_new.html", {"form": form})


def _notification(request: HttpRequest, notification_id: int) -> EncompassNotification:
    return get_object_or_404(encompass.notifications(school=request.portal.school), pk=notification_id)


def detail(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _notification(request, notification_id)
    record_view(request=request, obj=notification, summary=f"Police notification {notification.pk} opened")
    children = list(notification.children.select_related("pupil"))
    entries = list(notification.entries.select_related("author", "assignee", "pupil").order_by("at", "id"))
    ack = next((e for e in entries if e.kind == EncompassEntryKind.ACKNOWLEDGED), None)
    form = AskActionForm(
        people=school_selectors.staff_users(school=request.portal.school), pupils=[c.pupil for c in children]
    )
    return render(
        request,
        "duty/encompass_detail.html",
        {
            "n": notification,
            "children": children,
            "entries": entries,
            "ack": ack,
            "actions": encompass.actions_of(notification),
            "form": form,
            "now": timezone.now(),
        },
    )


@require_POST
def acknowledge(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _notification(request, notification_id)
    try:
        entry = encompass.acknowledge(notification=notification, by=request.user)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, entry.text + ".")
    return redirect("duty:encompass_detail", notification_id=notification.pk)


@require_POST
def ask(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _notification(request, notification_id)
    form = AskActionForm(
        request.POST,
        people=school_selectors.staff_users(school=request.portal.school),
        pupils=[c.pupil for c in notification.children.select_related("pupil")],
    )
    if form.is_valid() and form.cleaned_data["assignee"] is not None:
        d = form.cleaned_data
        try:
            encompass.ask_action(
                notification=notification, by=request.user, assignee=d["assignee"], text=d["text"], pupil=d["pupil"]
            )
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, f"Asked {d['assignee'].full_name}.")
    else:
        messages.error(request, "Choose who and say what you ask them to do.")
    return redirect("duty:encompass_detail", notification_id=notification.pk)


def my_actions(request: HttpRequest) -> HttpResponse:
    actions = encompass.my_actions(school=request.portal.school, user=request.user)
    for action in actions:
        if action.entry.pupil_id:
            record_view(request=request, obj=action.entry, summary="Support action read by the person asked")
    return render(request, "duty/my_actions.html", {"actions": actions})


@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    portal = request.portal
    action = (
        EncompassEntry.objects.filter(pk=action_id, school=portal.school, kind=EncompassEntryKind.ACTION_ASKED)
        .select_related("notification")
        .first()
    )
    # The person asked, or the DSL team; to anyone else the action does not exist.
    if action is None or not (action.assignee_id == request.user.pk or portal.can(Cap.VIEW_ENCOMPASS)):
        raise Http404
    try:
        encompass.action_done(action=action, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, "Thank you: marked as done.")
    if request.POST.get("next") == "notification" and portal.can(Cap.VIEW_ENCOMPASS):
        return redirect("duty:encompass_detail", notification_id=action.notification_id)
    return redirect("duty:my_actions")
