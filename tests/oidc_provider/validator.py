"""Claims about the signed-in user: the email, whether it is verified, and how they signed in (amr).

A user in the group "unverified" has ``email_verified: false``; one in the group "mfa" signed in with a second
factor (``amr: ["pwd", "mfa"]``), everyone else with a password only (``amr: ["pwd"]``).
"""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        return {
            "email": user.email,
            "email_verified": "unverified" not in groups,
            "name": user.get_full_name() or user.username,
            "preferred_username": user.username,
            "amr": ["pwd", "mfa"] if "mfa" in groups else ["pwd"],
        }
