"""Staff missing from a file keep their roles, unless the uploader asks; then the roles end and nothing is deleted."""

import pytest
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.schools.importer import import_people

pytestmark = pytest.mark.django_db

ONLY_SAM = b"Name,Email\nSam Patel,s.patel@school.example\n"


def test_staff_missing_from_the_file_keep_their_roles_by_default(school, dsl, staff, technician, governor):
    run = import_people(school=school, kind="staff", data=ONLY_SAM, by=dsl)

    assert run.left == 0
    assert Membership.objects.filter(school=school, ended_on__isnull=True).count() == 5


def test_when_asked_missing_staff_roles_end_but_never_the_uploaders_governors_or_parents(
    school, dsl, staff, technician, governor, parent
):
    run = import_people(school=school, kind="staff", data=ONLY_SAM, by=dsl, end_missing_staff=True)

    assert (run.left, run.details["kept_own_roles"]) == (2, True)
    ended = Membership.objects.filter(school=school, ended_on=timezone.localdate())
    assert {m.user for m in ended} == {staff, technician}
    still_open = Membership.objects.filter(school=school, ended_on__isnull=True)
    assert {m.user.email for m in still_open} == {dsl.email, governor.email, parent.email, "s.patel@school.example"}
    # Ended, not deleted, and each ending is in the audit log.
    assert Membership.objects.filter(user=staff, role=Role.STAFF).exists()
    assert AuditEvent.objects.filter(school=school, action=AuditAction.ROLE_ENDED).count() == 2
