"""A staff file creates accounts by email (without a usable password) and grants roles through the audited service."""

import pytest

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.schools.importer import import_people, parse_roles

pytestmark = pytest.mark.django_db

STAFF_FILE = (
    "Name,Email,Role,Job Title\n"
    "Sam Patel,S.Patel@School.example,,Class teacher\n"
    "Alex Morgan,a.morgan@school.example,DSL,Deputy headteacher\n"
    "Chris Lee,c.lee@school.example,Technician,Network manager\n"
)


def test_new_staff_get_an_account_without_a_usable_password_and_a_role(school, dsl):
    run = import_people(school=school, kind="staff", data=STAFF_FILE.encode(), by=dsl)

    assert (run.status, run.created, run.details["users_created"]) == ("applied", 3, 3)
    sam = User.objects.get(email="s.patel@school.example")
    assert sam.full_name == "Sam Patel" and not sam.has_usable_password() and sam.is_active
    roles = {(m.user.email, m.role, m.job_title) for m in Membership.objects.filter(school=school).exclude(user=dsl)}
    assert roles == {
        ("s.patel@school.example", Role.STAFF, "Class teacher"),
        ("a.morgan@school.example", Role.DSL, "Deputy headteacher"),
        ("c.lee@school.example", Role.TECHNICIAN, "Network manager"),
    }
    granted = AuditEvent.objects.filter(school=school, action=AuditAction.ROLE_GRANTED)
    assert granted.count() == 3 and {e.actor for e in granted} == {dsl}


def test_an_existing_account_is_found_by_email_whatever_its_case(school, other_school):
    elsewhere = User.objects.create_user("c.lee@school.example", full_name="Chris Lee")
    Membership.objects.create(user=elsewhere, school=other_school, role=Role.STAFF)

    run = import_people(school=school, kind="staff", data=STAFF_FILE.encode())

    assert run.details["users_created"] == 2
    assert User.objects.filter(email__iexact="c.lee@school.example").count() == 1
    assert Membership.objects.filter(user=elsewhere, school=school, role=Role.TECHNICIAN).exists()
    assert Membership.objects.filter(user=elsewhere, school=other_school, ended_on__isnull=True).exists()


def test_re_importing_changes_nothing_and_a_new_job_title_updates_the_role(school):
    import_people(school=school, kind="staff", data=STAFF_FILE.encode())

    again = import_people(school=school, kind="staff", data=STAFF_FILE.encode())
    retitled = import_people(
        school=school, kind="staff", data=STAFF_FILE.replace("Class teacher", "Year 5 lead").encode()
    )

    assert (again.created, again.updated, again.left, again.unchanged) == (0, 0, 0, 3)
    assert (retitled.created, retitled.updated) == (0, 1)
    assert Membership.objects.get(user__email="s.patel@school.example").job_title == "Year 5 lead"
    assert Membership.objects.filter(school=school).count() == 3


def test_a_blank_role_does_not_add_staff_to_someone_who_already_works_here(school, dsl):
    data = "Name,Email\nDsl,dsl@oak.example\n"
    run = import_people(school=school, kind="staff", data=data.encode())
    assert run.created == 0
    assert list(Membership.objects.filter(user=dsl).values_list("role", flat=True)) == [Role.DSL]


def test_forename_and_surname_columns_and_several_roles_in_one_cell(school):
    data = "First Name,Last Name,Work Email,Portal Role\nPat,Jones,p.jones@school.example,Headteacher; DSL\n"
    import_people(school=school, kind="staff", data=data.encode())
    user = User.objects.get(email="p.jones@school.example")
    assert user.full_name == "Pat Jones"
    assert sorted(user.memberships.values_list("role", flat=True)) == [Role.DSL, Role.HEADTEACHER]


@pytest.mark.parametrize(
    ("cell", "roles"),
    [
        ("Designated Safeguarding Lead", [Role.DSL]),
        ("Deputy DSL", [Role.DEPUTY_DSL]),
        ("online_safety_lead", [Role.ONLINE_SAFETY_LEAD]),
        ("Technician (filtering management)", [Role.TECHNICIAN]),
        ("Governor", [Role.GOVERNOR]),
        ("staff / head", [Role.STAFF, Role.HEADTEACHER]),
    ],
)
def test_role_spellings(cell, roles):
    assert parse_roles(cell) == roles


def test_bad_staff_rows_are_reported_and_nothing_is_created(school):
    data = (
        "Name,Email,Role\n"
        "Sam Patel,not-an-email,\n"
        ",nameless@school.example,\n"
        "Jo Bloggs,,\n"
        "Trust Person,trust@school.example,Trust safeguarding lead\n"
        "A Parent,parent@school.example,Parent\n"
        "Kim Teacher,kim@school.example,Class Teacher\n"
        "Lee Twice,lee@school.example,\n"
        "Leigh Twice,LEE@school.example,\n"
    )
    run = import_people(school=school, kind="staff", data=data.encode())

    assert run.status == "rejected"
    found = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert set(found) == {
        (2, "Email"),
        (3, "Name"),
        (4, "Email"),
        (5, "Role"),
        (6, "Role"),
        (7, "Role"),
        (8, "Name"),
        (9, "Name"),
    }
    assert "given by the trust" in found[(5, "Role")]
    assert "pupils file" in found[(6, "Role")]
    assert "“Class Teacher” is not a portal role" in found[(7, "Role")] and "Job Title" in found[(7, "Role")]
    assert "with different names" in found[(8, "Name")]
    assert not User.objects.filter(email__endswith="@school.example").exists()
