"""Sign-in events go to the audit log, whichever view or backend caused them."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record

from .sso import MFA_SESSION_KEY

# Sent when a membership ends (``membership``, ``by``: who ended it, or None for the portal). Domain apps
# hand over what the person held (incidents passes their open tasks and cases on); the foundations do not
# need to know which apps hold work.
membership_ended = Signal()


def _typed_username(value) -> str:
    return str(value or "").strip().lower()[:254]


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    sso = getattr(request, "_portal_sso", None) if request is not None else None
    if not sso:
        audit_record(action=AuditAction.SIGNED_IN, request=request, actor=user, school=None)
        return
    # Through the school's provider (accounts/sso.py): which one, and what it said about a second factor.
    audit_record(
        action=AuditAction.SIGNED_IN,
        request=request,
        actor=user,
        school=None,
        summary=f"Signed in with single sign-on ({sso['where']})",
        detail={"method": "sso", "provider": sso["provider"], "sso": sso["sso"], "amr": sso["amr"]},
    )
    if sso["mfa_accepted"]:
        # After login() cycled the session, so the flag belongs to this sign-in only.
        request.session[MFA_SESSION_KEY] = True
        audit_record(
            action=AuditAction.TWO_FACTOR_VERIFIED,
            request=request,
            actor=user,
            school=sso["school"],
            summary="The school's provider asked for a second factor; the school accepts it",
            detail={"method": "sso_amr", "amr": sso["amr"], "sso": sso["sso"]},
        )


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.SIGNED_OUT, request=request, actor=user, school=None)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # axes (an earlier app, so its receiver runs first) has marked the request when this failure started a
    # lockout or came during one; then even a right password failed, and the record says so.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        actor=None,
        school=None,
        actor_email=_typed_username(credentials.get("username")),
        summary="Sign-in failed; sign-in is paused for this address from this IP"
        if locked_out
        else "Email address and password did not match",
        detail={"locked_out": locked_out},
    )


@receiver(user_locked_out)
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(
        action=AuditAction.LOCKED_OUT,
        request=request,
        actor=None,
        school=None,
        actor_email=_typed_username(username),
        detail={"ip_address": ip_address},
    )
