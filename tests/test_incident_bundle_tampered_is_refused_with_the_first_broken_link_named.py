"""A transfer bundle verifies as made, and any tampering is refused with the first broken link named: a changed
field, a record removed in the middle of the claimed range, records cut off the end, a changed signature, a
manifest re-signed with another key, or a key other than the sending school's."""

import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from incidents import bundles, transfer_bundles

from .bundle_helpers import leaver_with_records, produced

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(school, staff, dsl):
    pupil = leaver_with_records(school=school, reporter=staff, cases=3)
    transfer = produced(school=school, dsl=dsl, pupil=pupil)
    data, _, count, fingerprint = transfer_bundles.build_bytes(
        school=school, transfer=transfer, by=dsl, to={"name": "Elm Secondary"}
    )
    return data, count, fingerprint


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _with_records(data: bytes, change) -> bytes:
    members = _members(data)
    doc = json.loads(members["records.json"])
    change(doc["records"])
    members["records.json"] = json.dumps(doc).encode()
    return _rezip(members)


def test_an_untouched_bundle_verifies_with_every_kind_of_record_and_the_schools_key(bundle):
    data, count, fingerprint = bundle
    result = bundles.verify(data, expected_fingerprint=fingerprint)
    assert result.ok, result.problems
    assert result.fingerprint == fingerprint and len(result.records) == count
    types = {r["type"] for r in result.records}
    assert {"case", "timeline_entry"} <= types
    # Every timeline entry carries its link in the school's chain.
    entry = next(r for r in result.records if r["type"] == "timeline_entry")
    assert set(entry["origin"]) >= {"chain", "seq", "prev_hash", "hash", "payload"}
    assert result.manifest["version"] == bundles.VERSION and result.pdf.startswith(b"%PDF")


def test_a_changed_field_names_that_record(bundle):
    data, count, fingerprint = bundle

    def change(records):
        target = next(r for r in records if r["type"] == "timeline_entry" and r["n"] > 2)
        target["data"]["text"] = "Nothing happened."
        change.n = target["n"]

    result = bundles.verify(_with_records(data, change), expected_fingerprint=fingerprint)
    assert not result.ok
    assert result.first.where.startswith(f"record {change.n} of {count}: case timeline entry")
    assert "changed after the bundle was made" in result.first.reason
    assert any(p.where == "records.json" for p in result.problems)


def test_a_change_made_with_the_bundle_hashes_recomputed_is_caught_by_the_origin_link(bundle):
    data, count, fingerprint = bundle

    def change(records):
        target = next(r for r in records if r["type"] == "timeline_entry")
        target["origin"]["payload"]["text"] = "Rewritten."
        change.n = target["n"]
        rechained = bundles.chain_records(records)
        records[:] = rechained

    result = bundles.verify(_with_records(data, change), expected_fingerprint=fingerprint)
    assert result.first.where.startswith(f"record {change.n} of {count}")
    assert "differ from the record as written at the sending school" in result.first.reason


def test_a_record_removed_in_the_middle_names_the_one_after_the_gap(bundle):
    data, count, fingerprint = bundle
    result = bundles.verify(_with_records(data, lambda records: records.pop(2)), expected_fingerprint=fingerprint)
    assert result.first.where.startswith(f"record 4 of {count}")
    assert result.first.reason == "record #3 before it is missing"


def test_records_cut_off_the_end_are_named(bundle):
    data, count, fingerprint = bundle
    result = bundles.verify(_with_records(data, lambda records: records.pop()), expected_fingerprint=fingerprint)
    assert result.first.where == f"record {count} of {count}"
    assert f"records after #{count - 1} were removed" in result.first.reason


def test_a_changed_signature_is_refused(bundle):
    data, _, fingerprint = bundle
    members = _members(data)
    sig = bytearray(members["manifest.sig"])
    sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
    members["manifest.sig"] = bytes(sig)
    result = bundles.verify(_rezip(members), expected_fingerprint=fingerprint)
    assert [str(p.where) for p in result.problems] == ["the signature"]


def test_a_manifest_re_signed_with_another_key_is_refused_as_not_the_sending_schools(bundle):
    data, _, fingerprint = bundle
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    other = Ed25519PrivateKey.generate()
    import base64

    raw = bundles.public_raw(other)
    manifest["signing_key"] = {
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(raw).decode(),
        "fingerprint": bundles.fingerprint_of(raw),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    members["manifest.sig"] = base64.b64encode(other.sign(members["manifest.json"]))
    result = bundles.verify(_rezip(members), expected_fingerprint=fingerprint)
    assert result.first.where == "the signing key" and "not the sending school's key" in result.first.reason
    # Without an expected key, the signature holds: the fingerprint shown is the reader's check.
    assert bundles.verify(_rezip(members)).ok


def test_a_signature_by_a_key_other_than_the_one_carried_is_refused(bundle):
    data, _, _ = bundle
    members = _members(data)
    import base64

    members["manifest.sig"] = base64.b64encode(Ed25519PrivateKey.generate().sign(members["manifest.json"]))
    result = bundles.verify(_rezip(members))
    assert result.first.where == "the signature"


def test_the_command_says_verified_or_refused(bundle, tmp_path, capsys):
    data, _, fingerprint = bundle
    good = tmp_path / "good.zip"
    good.write_bytes(data)
    call_command("verify_bundle", str(good), "--fingerprint", fingerprint)
    out = capsys.readouterr().out
    assert "Verified" in out and bundles.spaced(fingerprint) in out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_with_records(data, lambda records: records.pop(1)))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_bundle", str(bad))
    assert exit_.value.code == 1
    assert "Refused" in capsys.readouterr().out
