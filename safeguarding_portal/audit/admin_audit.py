"""Django's admin, recorded in the audit chain.

The admin keeps its own history (``LogEntry``), but that table is an ordinary one anyone with the database can
edit, and it records no views at all. ``AuditedAdmin`` writes every add, change and removal made through a model's
admin page, and its inlines, as an audit event in the chain of the record's school (the global chain for accounts),
with each changed field's value before and after; with ``audit_views`` it records opening a record and listing
records too, like every other view of a pupil's details.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .models import AuditAction
from .services import audit_record

# Never copied into the audit log, not even as a hash.
SECRET_FIELDS = {"password", "password1", "password2", "client_secret"}


# ModelAdmin is generic to the type checker only (django-stubs); at run time it takes no parameters.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


def plain(value: Any) -> Any:
    """A form's value as JSON the chain can hash: a record by its id, a date as ISO text, a list as a list."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return sorted(plain(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def form_changes(form: Any) -> dict[str, list[Any]]:
    """{field: [before, after]} for each field the form changed (what the admin saved)."""
    changes = {}
    for name in form.changed_data:
        if name in SECRET_FIELDS or name not in form.fields:
            continue
        # The form's initial values are the record as it was (a related record by its id, like plain()).
        before = form.initial.get(name)
        changes[name] = [plain(before), plain(form.cleaned_data.get(name))]
    return changes


class AuditedAdmin(_ModelAdmin):
    """Every save through this admin page, and its inlines, becomes an audit event."""

    # Record opening a record (its change page) and listing records (the people whose details are shown).
    audit_views = False

    # --- How records are named and where their events go: override per model ------------------------------

    def audit_school(self, obj: models.Model) -> Any:
        return getattr(obj, "school", None)

    def audit_label(self, obj: models.Model) -> str:
        return f"{str(obj._meta.verbose_name).capitalize()} {obj}"

    def audit_detail(self, obj: models.Model) -> dict[str, Any]:
        return {"model": obj._meta.label_lower, "via": "admin"}

    # --- Changes --------------------------------------------------------------------------------------------

    def record_change(
        self,
        request: HttpRequest,
        obj: models.Model,
        *,
        verb: str,
        changes: dict[str, Any] | None = None,
        owner: models.Model | None = None,
    ) -> None:
        changes = changes or {}
        owner = owner or obj
        label = self.audit_label(obj) if owner is obj else self._inline_label(obj)
        fields = f": {', '.join(changes)}" if changes else ""
        audit_record(
            action=AuditAction.ADMIN_CHANGED,
            request=request,
            school=self.audit_school(owner),
            obj=obj,
            summary=f"{label} {verb} in the admin{fields}",
            detail={**self.audit_detail(obj), "changes": changes},
        )

    def _inline_label(self, obj: models.Model) -> str:
        label = getattr(self, "inline_labels", {}).get(type(obj))
        return label(obj) if label else f"{str(obj._meta.verbose_name).capitalize()} {obj}"

    def record_saved(self, request: HttpRequest, obj: models.Model, *, created: bool, changes: dict[str, Any]) -> None:
        if created:
            self.record_change(request, obj, verb="added")
        elif changes:
            self.record_change(request, obj, verb="changed", changes=changes)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = form_changes(form) if change else {}
        super().save_model(request, obj, form, change)
        self.record_saved(request, obj, created=not change, changes=changes)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        owner = form.instance
        before = {f.instance.pk: form_changes(f) for f in formset.forms if f.instance.pk and f.has_changed()}
        result = super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.record_change(request, obj, verb="added", owner=owner)
        for obj, _fields in formset.changed_objects:
            self.record_change(request, obj, verb="changed", changes=before.get(obj.pk, {}), owner=owner)
        for obj in formset.deleted_objects:
            self.record_change(request, obj, verb="removed", owner=owner)
        return result

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record_change(request, obj, verb="deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.record_change(request, obj, verb="deleted")
        super().delete_queryset(request, queryset)

    # --- Views ----------------------------------------------------------------------------------------------

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.audit_views and request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                audit_record(
                    action=AuditAction.RECORD_VIEWED,
                    request=request,
                    school=self.audit_school(obj),
                    obj=obj,
                    summary=f"{self.audit_label(obj)} opened in the admin",
                    detail=self.audit_detail(obj),
                )
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if request.method == "GET" else None
        if self.audit_views and changelist is not None and response.status_code == 200:
            # One event per school whose records the page lists, so each school's log says who saw its pupils.
            by_school: dict[Any, list[Any]] = defaultdict(list)
            for obj in changelist.result_list:
                by_school[self.audit_school(obj)].append(obj.pk)
            plural = str(self.model._meta.verbose_name_plural)
            for school, ids in by_school.items():
                audit_record(
                    action=AuditAction.RECORD_VIEWED,
                    request=request,
                    school=school,
                    summary=f"{len(ids)} {plural} listed in the admin",
                    detail={
                        "model": self.model._meta.label_lower,
                        "via": "admin",
                        plural: sorted(ids),
                        "search": changelist.query,
                    },
                )
        return response


class ReadOnlyAdmin(_ModelAdmin):
    """Safeguarding records are shown, never added, changed or deleted, in the admin: corrections are new
    entries, made through the portal's own pages."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
