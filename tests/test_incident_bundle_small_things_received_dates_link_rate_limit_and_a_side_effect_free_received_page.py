"""Small things of the transfer bundles: records received from another school show dates in the portal's format
(never ISO 8601 as stored in the bundle); the one-time link is rate limited per client IP; opening "Files received"
makes nothing (the school's signing key is made when first needed: to sign, or when asked for to show it)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aup import services as aup_services
from aup.models import Audience
from incidents import searches, transfer_bundles
from incidents.models import ReceivedBundle, SigningKey
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditEvent

from . import clock
from .bundle_helpers import leaver_with_records, produced
from .conftest import sign_in
from .factories import MembershipFactory, PupilFactory, UserFactory
from .factories_aup import published
from .factories_duty import notification
from .factories_monitoring import alert

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")


def _visible_text(html: str) -> str:
    """The page's words: no tags, attributes or scripts (a hash or an id may look like anything)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_received_records_show_the_portals_date_format(client, school, other_school, staff, dsl, head):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    pupil.network_username = "smover"
    pupil.save()
    alert(school, username="smover")
    notification(school, by=dsl, pupils=[pupil], police_reference="WPC/2026/77")
    searches.search_record(
        school=school,
        by=head,
        pupil=pupil,
        searched_at=timezone.now(),
        device="Own phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=head,
        witness=None,
        no_witness_reason="Alone at the time",
        grounds="school_rules",
        reason="Phone out in an exam",
        looked_at="Messages",
        found="Nothing",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="held",
    )
    published(school, Audience.PUPIL_OLDER)
    aup_services.record_pupil_agreements(school=school, pupils=[pupil], agreed_on=timezone.localdate(), witness=staff)
    transfer = produced(school=school, dsl=dsl, pupil=pupil)
    data, *_ = transfer_bundles.build_bytes(school=school, transfer=transfer, by=dsl, to={})
    new_dsl = UserFactory(email="dsl@hillside.example", full_name="Hana Hill")
    MembershipFactory(user=new_dsl, school=other_school, role=Role.DSL)
    arrived = PupilFactory(school=other_school, upn=pupil.upn)
    received = transfer_bundles.received_import(school=other_school, data=data, by=new_dsl, expected_fingerprint="")
    sign_in(client, new_dsl)

    for url in (reverse("incidents:received_list"), reverse("incidents:received", args=[received.pk])):
        page = _visible_text(client.get(url).content.decode())
        assert not ISO.findall(page), (url, ISO.findall(page)[:5])
    client.post(reverse("incidents:received", args=[received.pk]), {"pupil": arrived.pk})
    assert ReceivedBundle.objects.get(pk=received.pk).state == "accepted"
    chronology = _visible_text(client.get(reverse("incidents:chronology", args=[arrived.pk])).content.decode())
    assert "Records received from earlier schools" in chronology
    assert not ISO.findall(chronology), ISO.findall(chronology)[:5]


def test_opening_files_received_makes_no_key_and_asking_for_it_does(client, school, dsl):
    sign_in(client, dsl)
    page = client.get(reverse("incidents:received_list")).content.decode()
    assert 'data-testid="no-key"' in page and not SigningKey.objects.exists()
    assert not AuditEvent.objects.filter(action="incidents.signing_key_made").exists()

    made = client.post(reverse("incidents:received_list"), {"action": "make_key"})
    assert made.status_code == 302
    key = SigningKey.objects.get(school=school)
    page = client.get(reverse("incidents:received_list")).content.decode()
    assert 'data-testid="own-fingerprint"' in page
    assert AuditEvent.objects.get(action="incidents.signing_key_made").actor == dsl
    client.post(reverse("incidents:received_list"), {"action": "make_key"})  # asked again: the same key
    assert list(SigningKey.objects.all()) == [key]


def test_signing_the_first_bundle_makes_the_key(school, staff, dsl):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    transfer = produced(school=school, dsl=dsl, pupil=pupil)
    assert not SigningKey.objects.exists()
    transfer_bundles.build_bytes(school=school, transfer=transfer, by=dsl, to={})
    assert SigningKey.objects.filter(school=school).count() == 1


@clock.frozen("2026-11-23 10:00:05")  # the limit counts per window: the clock stands a few seconds into one
def test_the_one_time_link_is_limited_per_client_ip(client, settings):
    settings.PROXY_COUNT = 1
    settings.RATE_LIMITS = {"incidents.bundle_link.ip": "4/10m"}
    here = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "81.2.69.20"}
    guesses = [client.get(reverse("incidents:bundle_link", args=[f"guess-{n}"]), **here).status_code for n in range(4)]
    over = client.post(reverse("incidents:bundle_link", args=["guess-5"]), {"passphrase": "x"}, **here)
    confirm = client.get(reverse("incidents:bundle_link_confirm", args=["guess-6"]), **here)
    elsewhere = client.get(
        reverse("incidents:bundle_link", args=["guess-7"]), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="81.2.69.21"
    )
    assert guesses == [404] * 4
    assert over.status_code == confirm.status_code == 429 and over["Retry-After"]
    assert elsewhere.status_code == 404  # another address has its own count
