"""The AI tools register pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages

from . import ai
from .forms import AIAssessmentForm, AIDecisionForm, AIToolForm
from .models import AIStandard, AITool


def index(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    tools = AITool.objects.filter(school=school).select_related("review", "decided_by")
    return render(
        request,
        "duty/ai_tools.html",
        {"tools": tools, "figures": ai.figures(school_ids=[school.pk])[school.pk], "standards": AIStandard},
    )


def add(request: HttpRequest) -> HttpResponse:
    form = AIToolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tool = ai.add_tool(school=request.portal.school, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors_to_form(form, exc, on_fields=False)
        else:
            messages.success(
                request, f"{tool.name} added. An out-of-cycle review of filtering and monitoring is open for it."
            )
            return redirect("duty:ai_tool", tool_id=tool.pk)
    return render(request, "duty/ai_tool_add.html", {"form": form})


def _tool(request: HttpRequest, tool_id: int) -> AITool:
    return get_object_or_404(
        AITool.objects.select_related("review", "added_by", "assessed_by", "decided_by"),
        pk=tool_id,
        school=request.portal.school,
    )


def detail(request: HttpRequest, tool_id: int) -> HttpResponse:
    tool = _tool(request, tool_id)
    portal = request.portal
    return render(
        request,
        "duty/ai_tool.html",
        {
            "tool": tool,
            "assess_form": AIAssessmentForm(tool=tool) if portal.can(Cap.MANAGE_AI_TOOLS) else None,
            "decide_form": AIDecisionForm() if portal.can(Cap.DECIDE_AI_TOOLS) else None,
        },
    )


@require_POST
def assess(request: HttpRequest, tool_id: int) -> HttpResponse:
    tool = _tool(request, tool_id)
    form = AIAssessmentForm(request.POST, tool=tool)
    if form.is_valid():
        try:
            ai.assess(tool=tool, by=request.user, ratings=form.ratings())
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, "Assessment saved.")
    return redirect("duty:ai_tool", tool_id=tool.pk)


@require_POST
def decide(request: HttpRequest, tool_id: int) -> HttpResponse:
    tool = _tool(request, tool_id)
    form = AIDecisionForm(request.POST)
    if form.is_valid():
        try:
            ai.decide(tool=tool, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, f"Decision recorded: {tool.get_decision_display().lower()}.")
    else:
        messages.error(request, "Choose a decision and write down the reason.")
    return redirect("duty:ai_tool", tool_id=tool.pk)
