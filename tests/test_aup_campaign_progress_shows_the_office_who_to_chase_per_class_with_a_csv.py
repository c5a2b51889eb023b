"""The office sees sent, opened, signed, declined and bounced per class and overall, who to chase, and a CSV."""

import csv
import io

import pytest
from django.urls import reverse

from aup import services
from aup.models import EventKind, Invitation, SignatureEvent

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_progress_per_class_and_the_chase_list(client, signed_in, school, dsl, django_capture_on_commit_callbacks):
    signed = f.family(school, email="a@home.example", children=1, class_name="5B")
    waiting = f.family(school, email="b@home.example", children=1, class_name="6A")
    bounced = f.family(school, email="c@home.example", children=1, class_name="6A")
    with django_capture_on_commit_callbacks(execute=True):
        camp = f.campaign(school)
    f.sign_invitation(f.invitation_of(camp, signed.guardian))
    services.record_opened(invitation=f.invitation_of(camp, waiting.guardian), ip="203.0.113.1")
    signed_in(dsl)
    response = client.post(
        reverse("aup:invitation_bounced", args=[camp.pk, f.invitation_of(camp, bounced.guardian).pk])
    )
    assert response.status_code == 302
    assert SignatureEvent.objects.filter(kind=EventKind.BOUNCED).count() == 1

    page = client.get(reverse("aup:campaign", args=[camp.pk]))
    assert page.status_code == 200
    progress = page.context["progress"]
    assert progress["total"] == {"children": 3, "signed": 1, "declined": 0, "waiting": 2}
    assert progress["invitations"] == {"invitations": 6, "sent": 6, "opened": 1, "bounced": 1}
    classes = dict(progress["classes"])
    assert classes["5B"]["signed"] == 1 and classes["6A"]["waiting"] == 2 and classes["6A"]["bounced"] == 1
    chase = page.context["chase"]
    # Both parents of each waiting child, never the family that signed.
    assert {line["email"] for line in chase} == {
        "b@home.example",
        "other.b@home.example",
        "c@home.example",
        "other.c@home.example",
    }
    assert b"1 of 3 children signed for" in page.content

    export = client.get(reverse("aup:campaign_csv", args=[camp.pk]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert export["Content-Type"].startswith("text/csv") and len(rows) == 6
    statuses = {(r["email"], r["status"]) for r in rows}
    assert ("a@home.example", "Signed") in statuses and (
        "other.a@home.example",
        "Signed by another parent or carer",
    ) in statuses
    assert {r["email bounced"] for r in rows if r["email"] == "c@home.example"} == {"yes"}


def test_another_schools_dsl_gets_404(client, signed_in, school, outsider):
    camp = f.campaign(school, notify=False)
    signed_in(outsider)
    assert client.get(reverse("aup:campaign", args=[camp.pk])).status_code == 404
    assert client.get(reverse("aup:campaign_csv", args=[camp.pk])).status_code == 404
    assert not Invitation.objects.filter(bounced_at__isnull=False).exists()
