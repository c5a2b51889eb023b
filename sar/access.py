"""The audit log's rule for subject access requests (the ``record_access`` plugin, read by the access policy's
``audit_visibility``): an entry about a request is listed to those who manage it, never to the member of staff
it is about. The rule itself is the policy's (``subject_access_visibility``); only the model is this app's."""

from __future__ import annotations

from safeguarding_portal.accounts import policy
from safeguarding_portal.core import plugins

from .models import SubjectAccessRequest


def _visible_requests(portal):
    return SubjectAccessRequest.objects.filter(policy.subject_access_visibility(portal))


plugins.register("record_access", "sar.subjectaccessrequest", _visible_requests)
