from django.contrib import admin
from django.http import HttpRequest

from .models import EmailDelivery, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ["task_name", "created_at", "dispatched_at", "attempts", "last_error"]
    list_filter = ["task_name"]
    # kwargs are not shown: they can hold a password-reset link.
    exclude = ["kwargs"]
    readonly_fields = ["task_name", "created_at", "dispatched_at", "attempts", "last_error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ["created_at", "kind", "urgent", "reference", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "kind", "urgent"]
    # The body is not shown: it can hold a password-reset or signing link.
    exclude = ["body", "attachments"]
    readonly_fields = [
        "school",
        "kind",
        "urgent",
        "reference",
        "to",
        "subject",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sending_since",
        "sent_at",
        "failed_at",
        "last_error",
        "head_told_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
