from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["task_name", "created_at", "dispatched_at", "attempts", "last_error"]
    list_filter = ["task_name"]
    # kwargs are not shown: they can hold a password-reset link.
    exclude = ["kwargs"]
    readonly_fields = ["task_name", "created_at", "dispatched_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
