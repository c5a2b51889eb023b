from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages

from . import selectors, services, texts
from .forms import MobileForm, PatternForm, SettingsForm, SwapForm
from .models import MobileNumber, RotaSlot, RotaSwap, SmsDelivery


def _week_start(request: HttpRequest, today: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    return day - datetime.timedelta(days=day.weekday())


def rota(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    school = portal.school
    today = timezone.localdate()
    start = _week_start(request, today)
    cfg = selectors.settings_for(school)
    team = selectors.dsl_team(school)
    ctx = {
        "now_on_duty": selectors.on_duty(school),
        "period_now": selectors.period_at(school, timezone.now(), cfg=cfg)[1],
        "cfg": cfg,
        "team": team,
        "week": selectors.week(school, starting=start),
        "today": today,
        "previous_week": start - datetime.timedelta(days=7),
        "next_week": start + datetime.timedelta(days=7),
        "swaps": selectors.upcoming_swaps(school, today=today)[:20],
        "can_manage": portal.can(Cap.MANAGE_DUTY_ROTA),
    }
    if ctx["can_manage"]:
        slots = {
            (s.weekday, s.period): s.person for s in RotaSlot.objects.filter(school=school).select_related("person")
        }
        ctx["pattern_form"] = PatternForm(people=team, slots=slots, out_of_hours=cfg.out_of_hours_cover)
        ctx["swap_form"] = SwapForm(people=team, initial={"on": today})
    return render(request, "duty/rota.html", ctx)


@require_POST
def pattern(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    cfg = selectors.settings_for(school)
    form = PatternForm(request.POST, people=selectors.dsl_team(school), out_of_hours=cfg.out_of_hours_cover)
    if form.is_valid():
        try:
            for day, period, person in form.assignments():
                services.set_slot(school=school, by=request.user, weekday=day, period=period, person=person)
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, "Weekly rota saved.")
    else:
        messages.error(request, "Choose a member of the DSL team for each day, or nobody.")
    return redirect("duty:rota")


@require_POST
def swap(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    form = SwapForm(request.POST, people=selectors.dsl_team(school))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.swap_day(
                school=school, by=request.user, on=d["on"], period=d["period"], person=d["person"], reason=d["reason"]
            )
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, f"{d['person'].full_name} covers {d['on']:%-d %B %Y}.")
    else:
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
    return redirect(f"{reverse('duty:rota')}?week={form.data.get('on', '')}")


@require_POST
def swap_cancel(request: HttpRequest, swap_id: int) -> HttpResponse:
    found = get_object_or_404(RotaSwap, pk=swap_id, school=request.portal.school)
    services.cancel_swap(swap=found, by=request.user)
    messages.success(request, "Swap cancelled: the weekly rota applies on that day.")
    return redirect("duty:rota")


@require_POST
def mobile(request: HttpRequest) -> HttpResponse:
    form = MobileForm(request.POST)
    if form.is_valid():
        texts.set_mobile(school=request.portal.school, user=request.user, number=form.cleaned_data["number"])
        messages.success(
            request, "Your mobile number is saved." if form.cleaned_data["number"] else "Your mobile number is removed."
        )
    else:
        messages.error(request, "Enter a UK mobile number, such as 07700 900123.")
    return redirect("duty:settings")


def duty_settings(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    cfg = selectors.settings_for(school)
    mine = MobileNumber.objects.filter(school=school, user=request.user).first()
    extra = {
        "mobile_form": MobileForm(initial={"number": mine.number if mine else ""}),
        "texts": SmsDelivery.objects.filter(school=school).select_related("user")[:20],
    }
    form = SettingsForm(request.POST or None, instance=cfg)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_settings(school=school, by=request.user, **d)
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(request, "Duty settings saved.")
            return redirect("duty:rota")
    return render(request, "duty/settings.html", {"form": form, **extra})
