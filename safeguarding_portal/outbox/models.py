import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task waiting to reach the broker.

    Written in the same transaction as the change that asked for it, so a task is never sent for a change
    that rolled back, and never lost when the broker is down: the periodic drain sends what is left.
    The message id is the Celery task id, so a message sent twice is one task as far as results go;
    tasks themselves are written to be idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.dispatched_at else "pending"
        return f"{self.task_name} ({state})"
