from django.contrib import admin

from .admin_audit import ReadOnlyAdmin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_email", "action", "school", "summary", "ip"]
    list_filter = ["action", "school"]
    search_fields = ["actor_email", "summary", "object_id"]
    date_hierarchy = "at"
