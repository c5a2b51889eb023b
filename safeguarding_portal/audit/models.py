from __future__ import annotations

from django.conf import settings
from django.db import models

from .chain import ChainedRecord, ChainHead  # noqa: F401  (ChainHead's table belongs to this app)


class AuditAction(models.TextChoices):
    SIGNED_IN = "auth.signed_in", "Signed in"
    SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in failed"
    SIGNED_OUT = "auth.signed_out", "Signed out"
    LOCKED_OUT = "auth.locked_out", "Locked out after failed sign-ins"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", "Password reset requested"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    TWO_FACTOR_ENROLLED = "2fa.enrolled", "Two-factor authentication set up"
    TWO_FACTOR_VERIFIED = "2fa.verified", "Two-factor code accepted"
    TWO_FACTOR_FAILED = "2fa.failed", "Two-factor code refused"
    BACKUP_CODE_USED = "2fa.backup_code_used", "Backup code used"
    BACKUP_CODES_REGENERATED = "2fa.backup_codes_regenerated", "Backup codes regenerated"
    TWO_FACTOR_RESET = "2fa.reset", "Two-factor authentication reset by an administrator"
    ROLE_GRANTED = "role.granted", "Role granted"
    ROLE_ENDED = "role.ended", "Role ended"
    CONTEXT_SWITCHED = "context.switched", "Switched school"
    RECORD_VIEWED = "record.viewed", "Record viewed"
    RECORDS_EXPORTED = "records.exported", "Records exported"
    ACCESS_DENIED = "access.denied", "Access refused"
    PEOPLE_IMPORTED = "people.imported", "People imported from the MIS"
    PUPIL_FLAG_CHANGED = "people.flag_changed", "A pupil's vulnerability flag changed"
    SCHOOL_UPDATED = "school.updated", "School details changed"
    ADMIN_CHANGED = "admin.changed", "Changed in the admin"
    ADMIN_RIGHTS_CHANGED = "account.admin_rights", "Administrator rights changed"
    SSO_LINKED = "auth.sso_linked", "Single sign-on linked to the account"
    SSO_REFUSED = "auth.sso_refused", "Single sign-on refused"
    SSO_SETTINGS_CHANGED = "auth.sso_settings", "Single sign-on settings changed"
    # The policy's list of incident categories changed (new harms named by guidance); existing cases unchanged.
    CATEGORIES_REVISED = "incidents.categories_revised", "Incident categories changed"
    PUPIL_LINK_ROTATED = "incidents.pupil_link_rotated", "Pupils' reporting link replaced"


class AuditEvent(ChainedRecord):
    """Who did what, when, from where. Append-only, hash-chained per school (or 'global')."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The email at the time, so the record reads the same after an account is renamed.
    actor_email = models.CharField(max_length=254, blank=True)
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=48, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    HASHED_FIELDS = (
        "at",
        "actor",
        "actor_email",
        "school",
        "action",
        "object_type",
        "object_id",
        "summary",
        "ip",
        "user_agent",
        "detail",
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="auditevent_chain_seq_unique")]
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.get_action_display()}"

    def chain_key(self) -> str:
        return f"school:{self.school_id}" if self.school_id else "global"
