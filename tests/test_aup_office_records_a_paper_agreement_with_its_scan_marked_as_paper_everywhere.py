"""A parent who signs the printed agreement: the office records it with a scan. The record keeps the online
evidence rules (who recorded it, when, from where, the hash of the text signed) and is marked as paper in the
register, the certificate and the governors' figures."""

import csv
import datetime
import hashlib
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aup import report, services
from aup.certificate import certificate_for
from aup.models import (
    PAPER_SIGNATURE_PREFIX,
    Audience,
    Consent,
    EventKind,
    RequestStatus,
    Signature,
    SignatureEvent,
    SigningRequest,
    SignMethod,
)
from safeguarding_portal.audit.chain import verify
from safeguarding_portal.reports.privacy import small_count

from . import factories_aup as f
from .reports_helpers import pdf_text

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 a scanned, signed paper agreement"


@pytest.fixture
def waiting(school):
    fam = f.family(school)  # Hannah and Mark Morgan; Oliver and Isla in 5B
    camp = f.campaign(school, notify=False)
    return camp, fam


def _form(version, *, guardian, answer: str = "no", scan: bytes = SCAN, **extra) -> dict:
    data = {
        "submission_token": str(uuid.uuid4()),
        "guardian": guardian.pk,
        "signer_name": "",
        "signed_on": timezone.localdate().isoformat(),
        "confirm": "on",
        "scan": SimpleUploadedFile("morgan-aup.pdf", scan, content_type="application/pdf"),
    }
    for item in version.consent_items:
        data[f"consent_{item['key']}"] = answer
    data["consent_website"] = "yes"
    return data | extra


def _record(client, pupil, data):
    return client.post(
        reverse("aup:paper_agreement", args=[pupil.pk]),
        data,
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Office PC (Firefox)",
    )


def test_the_office_records_a_paper_copy_with_the_online_evidence(waiting, dsl, signed_in):
    camp, fam = waiting
    oliver, isla = fam.children
    version = camp.version
    response = _record(signed_in(dsl), oliver, _form(version, guardian=fam.guardian))
    assert response.status_code == 302

    signature = Signature.objects.get(pupil=oliver)
    assert signature.method == SignMethod.PAPER and signature.on_paper
    assert (signature.guardian, signature.witness, signature.signer_name) == (fam.guardian, dsl, "Hannah Morgan")
    assert signature.version == version and signature.version_sha256 == version.sha256
    assert signature.agreed_on == timezone.localdate()
    assert (signature.ip_address, signature.user_agent) == ("198.51.100.7", "Office PC (Firefox)")
    assert signature.drawn_signature == PAPER_SIGNATURE_PREFIX + hashlib.sha256(SCAN).hexdigest()
    with signature.paper_scan.file.open("rb") as fh:
        assert fh.read() == SCAN
    assert signature.paper_scan.uploaded_by == dsl
    # The child's waiting request is answered, the other parent's covered; Isla still waits.
    assert SigningRequest.objects.get(pupil=oliver, guardian=fam.guardian).status == RequestStatus.SIGNED
    assert SigningRequest.objects.get(pupil=oliver, guardian=fam.other_guardian).status == RequestStatus.COVERED
    assert set(SigningRequest.objects.filter(pupil=isla).values_list("status", flat=True)) == {RequestStatus.PENDING}
    consents = dict(Consent.objects.filter(pupil=oliver).values_list("key", "given"))
    assert consents["website"] is True and consents["press"] is False
    event = SignatureEvent.objects.get(kind=EventKind.SIGNED, signature=signature)
    assert event.data["paper"] is True and event.data["recorded_by"] == dsl.full_name
    assert event.data["scan_sha256"] == signature.paper_scan.sha256 and event.actor == dsl.full_name
    assert verify(Signature) == [] and verify(SignatureEvent) == []
    # The chained hash covers the scan's name: another scan would not match the record.
    signature.drawn_signature = PAPER_SIGNATURE_PREFIX + "0" * 64
    assert signature.compute_hash() != signature.hash


def test_the_register_and_its_csv_say_on_paper_and_offer_the_rest(waiting, dsl, signed_in):
    camp, fam = waiting
    oliver, isla = fam.children
    client = signed_in(dsl)
    _record(client, oliver, _form(camp.version, guardian=fam.guardian))
    page = client.get(reverse("aup:register", args=[Audience.PARENT])).content.decode()
    scan = Signature.objects.get(pupil=oliver).paper_scan
    assert f'On paper (<a href="{reverse("aup:paper_scan", args=[scan.pk])}">scan' in page
    assert reverse("aup:paper_agreement", args=[isla.pk]) in page
    export = client.get(reverse("aup:register", args=[Audience.PARENT]) + "?format=csv").content.decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(export))}
    assert rows[oliver.full_name]["how"] == "on paper" and rows[isla.full_name]["how"] == ""
    download = client.get(reverse("aup:paper_scan", args=[scan.pk]))
    assert b"".join(download.streaming_content) == SCAN


def test_the_certificate_says_it_was_signed_on_paper_and_who_recorded_it(waiting, dsl):
    camp, fam = waiting
    scan = SimpleUploadedFile("scan.pdf", SCAN, content_type="application/pdf")
    signature = services.record_paper_agreement(
        school=camp.school,
        pupil=fam.children[0],
        guardian=fam.guardian,
        by=dsl,
        signed_on=timezone.localdate(),
        answers={i["key"]: True for i in camp.version.consent_items},
        scan=scan,
        ip_address="198.51.100.7",
        user_agent="Office PC",
        submission_token=uuid.uuid4(),
        issue_certificate=False,
    )
    with certificate_for(signature).pdf.open("rb") as fh:
        text = " ".join(pdf_text(fh.read()).split())
    assert "Signed on paper" in text and f"Recorded by {dsl.full_name}" in text
    assert hashlib.sha256(SCAN).hexdigest()[:20] in text.replace(" ", "")
    assert camp.version.sha256[:20] in text.replace(" ", "")


def test_the_governors_see_how_many_were_on_paper_in_figures_only(waiting, dsl, signed_in):
    camp, fam = waiting
    client = signed_in(dsl)
    _record(client, fam.children[0], _form(camp.version, guardian=fam.guardian))
    today = timezone.localdate()
    section = report.governor_section(school=camp.school, start=today - datetime.timedelta(days=30), end=today)
    parents = next(r for r in section["coverage"] if r["audience"] == Audience.PARENT.label)
    assert parents["on_paper"] == small_count(1) and parents["signed"] == small_count(1)
    staff_row = next(r for r in section["coverage"] if r["audience"] == Audience.STAFF.label)
    assert staff_row["on_paper"] is None


def test_the_parent_can_change_consents_later_from_their_link(waiting, dsl, signed_in, client):
    camp, fam = waiting
    _record(signed_in(dsl), fam.children[0], _form(camp.version, guardian=fam.guardian))
    invitation = f.invitation_of(camp, fam.guardian)
    client.logout()
    page = client.get(reverse("aup:signed", args=[services.manage_token(invitation)]))
    assert page.status_code == 200 and "Oliver" in page.content.decode()


def test_a_double_submission_records_one_paper_agreement(waiting, dsl, signed_in):
    camp, fam = waiting
    client = signed_in(dsl)
    data = _form(camp.version, guardian=fam.guardian)
    _record(client, fam.children[0], data)
    data["scan"] = SimpleUploadedFile("morgan-aup.pdf", SCAN, content_type="application/pdf")
    assert _record(client, fam.children[0], data).status_code == 302
    assert Signature.objects.filter(pupil=fam.children[0]).count() == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"scan": b"MZ\x90\x00 not a scan"}, "Attach the scan as a PDF, PNG or JPEG file."),
        ({"consent_press": ""}, "Enter the answer ticked on the paper."),
        ({"confirm": ""}, "This field is required."),
        ({"signed_on": "2020-01-06"}, "a paper copy signed then is of an older version"),
    ],
)
def test_what_the_office_must_get_right(waiting, dsl, signed_in, change, problem):
    camp, fam = waiting
    data = _form(camp.version, guardian=fam.guardian)
    if "scan" in change:
        data["scan"] = SimpleUploadedFile("x.pdf", change.pop("scan"))
    data |= change
    response = _record(signed_in(dsl), fam.children[0], data)
    assert response.status_code == 200
    assert problem in response.content.decode().replace("&#x27;", "'")
    assert not Signature.objects.exists()


def test_a_child_with_a_current_agreement_is_not_recorded_twice(waiting, dsl, signed_in):
    camp, fam = waiting
    f.sign_invitation(f.invitation_of(camp, fam.guardian))
    page = signed_in(dsl).get(reverse("aup:paper_agreement", args=[fam.children[0].pk]))
    assert b'data-testid="already-signed"' in page.content
    with pytest.raises(ValidationError, match="already has a current"):
        services.record_paper_agreement(
            school=camp.school,
            pupil=fam.children[0],
            guardian=fam.guardian,
            by=dsl,
            signed_on=timezone.localdate(),
            answers={i["key"]: True for i in camp.version.consent_items},
            scan=SimpleUploadedFile("s.pdf", SCAN),
            ip_address=None,
            user_agent="",
            submission_token=uuid.uuid4(),
        )


def test_only_the_office_and_safeguarding_team_record_paper_agreements(waiting, staff):
    camp, fam = waiting
    with pytest.raises(ValidationError, match="Only the office"):
        services.record_paper_agreement(
            school=camp.school,
            pupil=fam.children[0],
            guardian=fam.guardian,
            by=staff,
            signed_on=timezone.localdate(),
            answers={i["key"]: True for i in camp.version.consent_items},
            scan=SimpleUploadedFile("s.pdf", SCAN),
            ip_address=None,
            user_agent="",
            submission_token=uuid.uuid4(),
        )
    assert not Signature.objects.exists()


def test_a_paper_agreement_is_not_taken_for_the_pupils_own(waiting, dsl, staff, signed_in):
    camp, fam = waiting
    _record(signed_in(dsl), fam.children[0], _form(camp.version, guardian=fam.guardian))
    page = signed_in(staff).get(reverse("aup:class", args=["5B"]))
    assert page.context["recorded"] == set()
