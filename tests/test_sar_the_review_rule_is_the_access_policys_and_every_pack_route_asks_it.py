"""Whose review pack a person reads is one object rule of the access policy (``can_review_subject_access``): a
pupil's pack is the DSL team's, a member of staff's the head's, never one's own. Every pack page and the services
behind them ask that rule, so changing it there changes them all (a view or service with its own condition would
fail here); its list form agrees with it for every persona."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.context import acting_as
from safeguarding_portal.audit.models import AuditEvent
from sar import services
from sar.models import RedactionMark, SubjectAccessRequest

from .sar_helpers import log_request, pupil_with_records

pytestmark = pytest.mark.django_db

PACK_PAGES = ("sar:pack",)
PACK_POSTS = ("sar:mark", "sar:withdraw", "sar:build", "sar:sent")


def test_refusing_in_the_policy_closes_every_pack_route(client, signed_in, school, staff, dsl, monkeypatch):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 200

    monkeypatch.setattr(policy, "can_review_subject_access", lambda portal, sar: False)

    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 404
    for name in PACK_POSTS:
        assert client.post(reverse(name, args=[sar.pk]), {"target": "x", "reason": "r"}).status_code == 404, name
    assert "sar:pack" not in client.get(reverse("sar:detail", args=[sar.pk])).content.decode()
    with pytest.raises(ValidationError):
        services.disclosure_build(school=school, sar=sar, by=dsl)
    assert not sar.disclosures.exists() and not RedactionMark.objects.exists()


def test_allowing_in_the_policy_opens_them(client, signed_in, school, staff, dsl, head, monkeypatch):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    signed_in(head)  # manages requests, but a pupil's pack is the DSL team's
    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 404

    monkeypatch.setattr(policy, "can_review_subject_access", lambda portal, sar: True)

    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 200


def test_the_services_refuse_a_reviewer_the_rule_refuses(client, signed_in, school, staff, dsl, head):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    with pytest.raises(ValidationError, match="DSL team"):
        services.redaction_mark(
            school=school, sar=sar, by=head, target=f"incidents.case:{case.pk}", exemption="third_party", reason="r"
        )
    with pytest.raises(ValidationError, match="DSL team"):
        services.disclosure_build(school=school, sar=sar, by=head)
    assert not RedactionMark.objects.exists() and not sar.disclosures.exists()


def test_the_list_form_of_the_rule_agrees_with_it_for_everyone(client, signed_in, school, personas):
    signed_in(personas["head"])
    about_pupil = log_request(
        client, pupil=pupil_with_records(school=school, reporter=personas["staff"], dsl=personas["dsl"])[0]
    )
    about_deputy = log_request(client, staff=personas["deputy"], requester="D", relationship="staff")
    signed_in(personas["dsl"])
    about_head = log_request(client, staff=personas["head"], requester="H", relationship="staff")
    requests = [about_pupil, about_deputy, about_head]
    for name, user in personas.items():
        portal = acting_as(user=user, school=school)
        listed = set(SubjectAccessRequest.objects.filter(policy.subject_access_review_visibility(portal)))
        one_by_one = {sar for sar in requests if policy.can_review_subject_access(portal, sar)}
        assert listed == one_by_one, name
    dsl_portal = acting_as(user=personas["dsl"], school=school)
    head_portal = acting_as(user=personas["head"], school=school)
    assert policy.can_review_subject_access(dsl_portal, about_pupil)
    assert not policy.can_review_subject_access(dsl_portal, about_deputy)
    assert policy.can_review_subject_access(head_portal, about_deputy)
    assert not policy.can_review_subject_access(head_portal, about_head)  # never one's own


def test_the_audit_log_never_lists_a_request_to_its_subject(client, signed_in, school, dsl, head):
    signed_in(dsl)
    sar = log_request(client, staff=head, requester="H", relationship="staff")
    assert AuditEvent.objects.filter(object_type="sar.subjectaccessrequest", object_id=str(sar.pk)).exists()
    signed_in(head)  # reads the audit log, but this request is about them
    page = client.get(reverse("audit:log")).content.decode()
    assert f"Subject access request {sar.pk} logged" not in page
    signed_in(dsl)
    assert f"Subject access request {sar.pk} logged" in client.get(reverse("audit:log")).content.decode()
