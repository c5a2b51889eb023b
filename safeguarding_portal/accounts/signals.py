"""Sign-in events go to the audit log, whichever view or backend caused them."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.SIGNED_IN, request=request, actor=user, school=None)


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.SIGNED_OUT, request=request, actor=user, school=None)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    audit_record(action=AuditAction.SIGN_IN_FAILED, request=request, actor=None, school=None,
                 actor_email=str(credentials.get("username", ""))[:254])


@receiver(user_locked_out)
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(action=AuditAction.LOCKED_OUT, request=request, actor=None, school=None,
                 actor_email=str(username or "")[:254])
