"""The transfer bundle: a child-protection file that any school can verify, on this portal or not.

A bundle is a zip holding four members, always in this order:

* ``manifest.json``: what the bundle is (``format`` and ``version`` below), who sent it, for which pupil, the
  SHA-256 and size of every other member, the number of records and the hash of the last one, and the sending
  school's Ed25519 public key with its fingerprint (SHA-256 of the raw key, hex);
* ``manifest.sig``: the Ed25519 signature over the exact bytes of ``manifest.json``, base64;
* ``cp-file.pdf``: the child-protection file as produced for the transfer;
* ``records.json``: the pupil's safeguarding records, machine-readable, one list.

Each record in ``records.json`` is a link of the bundle's own chain: ``n`` (1, 2, 3...), ``prev`` (the hash of
record ``n - 1``, sixty-four zeros for the first) and ``hash`` = ``audit.chain.link_hash(prev, n, "bundle",
{"type", "id", "origin", "data"})``. Removing a record breaks the next one; changing one breaks itself. A
record copied from one of the portal's append-only chains (a case's timeline entry, a monitoring alert's event,
a police notification, a signed agreement...) also carries its ``origin`` link as it was written at the sending
school: model, chain, seq, prev_hash, hash and the hashed payload, so a reader recomputes that hash too, and the
sending school can show the same link in its own chain (``manage.py verify_chains``).

A record disposed of under the retention schedule (safeguarding_portal/retention/disposal.py) keeps its link but
not its content, so its ``hash`` can no longer be recomputed from its ``payload``. Its origin then also carries
``disposed``: the ``residue_hash`` its tombstone recorded (the hash of what was left at the same place in the
chain), when and under which rule it was disposed of, and the tombstone's own link. A reader checks the blanked
payload against the residue instead; ``hash`` and ``prev_hash`` still tie the link to its neighbours. A bundle
made before the disposal carries the record whole and verifies on its own bytes, as ever.

``verify`` reads a bundle's bytes and nothing else (no database): the same function serves the verify page,
``manage.py verify_bundle`` and the import, here or at another deployment. It walks the records first, then the
members, then the signature, and names the first broken link.

Version history: 1 (December 2026) is the first.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from safeguarding_portal.audit.chain import GENESIS, ChainedRecord, _canonical

FORMAT = "safeguarding-portal.cp-transfer-bundle"
VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})
MANIFEST, SIGNATURE, PDF, RECORDS = "manifest.json", "manifest.sig", "cp-file.pdf", "records.json"
MEMBERS = (MANIFEST, SIGNATURE, PDF, RECORDS)
BUNDLE_CHAIN = "bundle"
# A bundle is a few megabytes at most (the PDF of a long file is the bulk): anything far bigger is refused unread.
MAX_BUNDLE_BYTES = 100 * 1024 * 1024

TYPE_LABELS = {
    "case": "case",
    "timeline_entry": "case timeline entry",
    "monitoring_alert": "monitoring alert",
    "alert_event": "monitoring alert event",
    "encompass_notification": "Operation Encompass notification",
    "encompass_child": "child named on an Operation Encompass notification",
    "encompass_entry": "Operation Encompass entry",
    "signature": "signed agreement or consent",
    "signature_event": "agreement or consent event",
    "device_search": "device search",
    "device_search_entry": "device search entry",
}


# --- Keys ---------------------------------------------------------------------------------------------------


def fingerprint_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def spaced(fingerprint: str) -> str:
    """A fingerprint as people read it aloud over the phone: groups of four."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- Records ------------------------------------------------------------------------------------------------


def origin_of(record: ChainedRecord) -> dict[str, Any]:
    """The record's link in its own chain, with the payload its hash covers (canonical, as hashed)."""
    return {
        "model": record._meta.label,
        "chain": record.chain,
        "seq": record.seq,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "payload": _canonical(record.payload()),
    }


def origin_problem(origin: dict[str, Any]) -> str | None:
    """Why an origin link does not hold (None when it does): its payload hashes to its ``hash``, or, for a
    disposed record, to the residue its tombstone recorded."""
    try:
        again = json_link_hash(origin["prev_hash"], origin["seq"], origin["chain"], origin["payload"])
        disposed = origin.get("disposed")
        if disposed is not None:
            if again != disposed["residue_hash"]:
                return "what is left of it differs from what its disposal left"
            return None
    except (KeyError, TypeError, AttributeError):
        return "its link in the sending school's chain is incomplete"
    if again != origin["hash"]:
        return "its contents differ from the record as written at the sending school"
    return None


def item(type_: str, pk: Any, data: dict[str, Any], record: ChainedRecord | None = None) -> dict[str, Any]:
    """One record for the bundle: ``data`` is what a reader needs (labels, names, texts), canonical JSON."""
    return {
        "type": type_,
        "id": pk,
        "origin": origin_of(record) if record is not None else None,
        "data": _canonical(data),
    }


# Other apps add their records for a pupil: ``fn(*, school, pupil) -> list[item(...)]``, registered from the
# app's ready() (as chronology sections are), so this module imports none of them.
_EXPORTERS: list[Callable[..., list[dict]]] = []


def register_exporter(fn: Callable[..., list[dict]]) -> None:
    if fn not in _EXPORTERS:
        _EXPORTERS.append(fn)


def exporters() -> list[Callable[..., list[dict]]]:
    return list(_EXPORTERS)


def json_link_hash(prev_hash: str, seq: int, chain: str, payload: dict[str, Any]) -> str:
    """``audit.chain.link_hash`` for a payload that is already canonical JSON (as read from a bundle, or made by
    ``item``): the same bytes hashed, without walking the payload again to canonicalise it (the walk was most of
    a 2,000-record bundle's time)."""
    body = json.dumps(
        {"prev": prev_hash, "seq": seq, "chain": chain, "data": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def chain_records(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number and link the records (the bundle's own chain)."""
    chained, prev = [], GENESIS
    for n, it in enumerate(items, start=1):
        body = {"type": it["type"], "id": it["id"], "origin": it["origin"], "data": it["data"]}
        digest = json_link_hash(prev, n, BUNDLE_CHAIN, body)
        chained.append({"n": n, "prev": prev, "hash": digest, **body})
        prev = digest
    return chained


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- Building -----------------------------------------------------------------------------------------------


def build(
    *,
    private_key: Ed25519PrivateKey,
    pdf: bytes,
    records: list[dict[str, Any]],
    bundle_id: str,
    created_at: datetime.datetime,
    deployment: str,
    from_school: dict[str, str],
    sent_by: dict[str, str],
    pupil: dict[str, str],
    to: dict[str, str] | None = None,
) -> bytes:
    """The bundle's bytes. ``records`` come from ``item`` (not yet chained)."""
    chained = chain_records(records)
    records_json = _dumps({"format": FORMAT, "version": VERSION, "records": chained})
    raw = public_raw(private_key)
    types: dict[str, int] = {}
    for r in chained:
        types[r["type"]] = types.get(r["type"], 0) + 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "bundle_id": bundle_id,
        "created_at": _canonical(created_at),
        "deployment": deployment,
        "from_school": from_school,
        "sent_by": sent_by,
        "to": to or {},
        "pupil": pupil,
        "members": [
            {"name": PDF, "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)},
            {"name": RECORDS, "sha256": hashlib.sha256(records_json).hexdigest(), "size": len(records_json)},
        ],
        "records": {"count": len(chained), "head": chained[-1]["hash"] if chained else GENESIS, "types": types},
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(raw).decode(),
            "fingerprint": fingerprint_of(raw),
        },
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")
    signature = base64.b64encode(private_key.sign(manifest_bytes))
    out = io.BytesIO()
    # The PDF is already compressed; JSON compresses well. A fixed date on each member: the same content, the
    # same zip.
    stamp = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(out, "w") as archive:
        for name, body, method in (
            (MANIFEST, manifest_bytes, zipfile.ZIP_DEFLATED),
            (SIGNATURE, signature, zipfile.ZIP_STORED),
            (PDF, pdf, zipfile.ZIP_STORED),
            (RECORDS, records_json, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            archive.writestr(info, body)
    return out.getvalue()


# --- Verifying ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str  # "record 17 of 2040: case timeline entry 5531 (case OAK-2026-0012)", "the signature"...
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Verification:
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    pdf: bytes = b""
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The first broken link: what a refusal names."""
        return self.problems[0] if self.problems else None

    @property
    def fingerprint_spaced(self) -> str:
        return spaced(self.fingerprint)


def describe(record: dict[str, Any], total: int) -> str:
    label = TYPE_LABELS.get(str(record.get("type")), str(record.get("type")))
    where = f"record {record.get('n')} of {total}: {label} {record.get('id')}"
    origin = record.get("origin") or {}
    case = (record.get("data") or {}).get("case")
    if case:
        where += f" (case {case})"
    if origin:
        where += f", link #{origin.get('seq')} of the sending school's chain {origin.get('chain')!r}"
    return where


def _walk(records: list[dict[str, Any]], total: int) -> Problem | None:
    expected_n, expected_prev = 1, GENESIS
    for record in records:
        try:
            n, prev, digest = record["n"], record["prev"], record["hash"]
            body = {"type": record["type"], "id": record["id"], "origin": record["origin"], "data": record["data"]}
        except (KeyError, TypeError):
            return Problem(f"record {expected_n} of {total}", "it is not a record of this format")
        where = describe(record, total)
        if n != expected_n:
            if isinstance(n, int) and n > expected_n:
                missing = f"#{expected_n}" if n == expected_n + 1 else f"#{expected_n} to #{n - 1}"
                return Problem(where, f"record {missing} before it is missing")
            return Problem(where, f"it is numbered {n} where {expected_n} was expected")
        if prev != expected_prev:
            return Problem(where, "it does not point at the record before it (a record was removed or replaced)")
        if json_link_hash(prev, n, BUNDLE_CHAIN, body) != digest:
            return Problem(where, "its contents were changed after the bundle was made")
        origin = body["origin"]
        if origin is not None:
            reason = origin_problem(origin)
            if reason:
                return Problem(where, reason)
        expected_n, expected_prev = n + 1, digest
    return None


def verify(data: bytes, *, expected_fingerprint: str = "") -> Verification:
    """Check a bundle from its bytes alone. ``expected_fingerprint``: the sending school's key as known out of
    band (this portal's record of the school's key, or read over the phone); empty to trust the embedded key
    and show its fingerprint for the reader to compare."""
    result = Verification()
    members = _open_members(data, result)
    if members is None:
        return result
    manifest = _read_manifest(members, result)
    if manifest is None:
        return result
    result.pdf = members[PDF]
    problems: list[Problem] = []
    # 1. The records, link by link: the most precise place to name.
    _check_records(members, manifest, result, problems)
    # 2. Every member against the manifest.
    _check_members(members, manifest, problems)
    # 3. The signature over the manifest, with the key the manifest carries.
    _check_signature(members, manifest, result, problems, expected_fingerprint=expected_fingerprint)
    result.problems = problems
    return result


def _open_members(data: bytes, result: Verification) -> dict[str, bytes] | None:
    if len(data) > MAX_BUNDLE_BYTES:
        result.problems.append(Problem("the file", "it is too large to be a transfer bundle"))
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            missing = [m for m in MEMBERS if m not in names]
            if missing:
                result.problems.append(Problem("the bundle", f"{', '.join(missing)} is missing"))
                return None
            return {name: archive.read(name) for name in MEMBERS}
    except (zipfile.BadZipFile, OSError, ValueError, zipfile.LargeZipFile):
        result.problems.append(Problem("the file", "it is not a transfer bundle (not a readable zip)"))
        return None


def _read_manifest(members: dict[str, bytes], result: Verification) -> dict[str, Any] | None:
    try:
        manifest = json.loads(members[MANIFEST])
        assert isinstance(manifest, dict)
    except (ValueError, AssertionError):
        result.problems.append(Problem("the manifest", "it is not readable JSON"))
        return None
    result.manifest = manifest
    if manifest.get("format") != FORMAT or manifest.get("version") not in SUPPORTED_VERSIONS:
        result.problems.append(
            Problem(
                "the manifest",
                f"format {manifest.get('format')!r} version {manifest.get('version')!r} is not one this portal reads",
            )
        )
        return None
    return manifest


def _check_records(
    members: dict[str, bytes], manifest: dict[str, Any], result: Verification, problems: list[Problem]
) -> None:
    try:
        records = json.loads(members[RECORDS])["records"]
        assert isinstance(records, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        problems.append(Problem(RECORDS, "it is not readable"))
        records = []
    result.records = records
    claimed = manifest.get("records") or {}
    total = max(int(claimed.get("count") or 0), len(records))
    broken = _walk(records, total)
    if broken:
        problems.append(broken)
    elif len(records) != claimed.get("count"):
        last = records[-1]["n"] if records else 0
        problems.append(
            Problem(
                f"record {last + 1} of {total}",
                f"the manifest claims {claimed.get('count')} records and the bundle ends after "
                f"{last}: records after #{last} were removed",
            )
        )
    elif (records[-1]["hash"] if records else GENESIS) != claimed.get("head"):
        problems.append(
            Problem(f"record {len(records)} of {total}", "the last record differs from the one the manifest names")
        )


def _check_members(members: dict[str, bytes], manifest: dict[str, Any], problems: list[Problem]) -> None:
    listed = {m.get("name"): m for m in manifest.get("members") or [] if isinstance(m, dict)}
    for name in (PDF, RECORDS):
        entry = listed.get(name)
        if entry is None:
            problems.append(Problem(name, "the manifest does not list it"))
        elif hashlib.sha256(members[name]).hexdigest() != entry.get("sha256"):
            problems.append(Problem(name, "it differs from the file the manifest names (SHA-256)"))


def _check_signature(
    members: dict[str, bytes],
    manifest: dict[str, Any],
    result: Verification,
    problems: list[Problem],
    *,
    expected_fingerprint: str,
) -> None:
    key_info = manifest.get("signing_key") or {}
    try:
        raw = base64.b64decode(key_info.get("public_key", ""), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        problems.append(Problem("the signing key", "the manifest carries no readable Ed25519 public key"))
        return
    result.fingerprint = fingerprint_of(raw)
    if key_info.get("fingerprint") != result.fingerprint:
        problems.append(Problem("the signing key", "the fingerprint in the manifest is not that of its key"))
    try:
        public.verify(base64.b64decode(members[SIGNATURE], validate=True), members[MANIFEST])
    except (InvalidSignature, ValueError):
        problems.append(
            Problem(
                "the signature",
                "it does not match the manifest and the key it carries (the manifest or the signature was changed)",
            )
        )
    if expected_fingerprint and expected_fingerprint.replace(" ", "").lower() != result.fingerprint:
        problems.append(
            Problem(
                "the signing key",
                f"signed with key {spaced(result.fingerprint)[:39]}…, not the "
                f"sending school's key {spaced(expected_fingerprint.replace(' ', '').lower())[:39]}…",
            )
        )


# --- Reading a verified bundle ------------------------------------------------------------------------------


def grouped(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Records for the page: cases with their timelines, alerts with their events, and the rest by type."""
    cases: dict[Any, dict] = {}
    alerts: dict[Any, dict] = {}
    notices: dict[Any, dict] = {}
    others: list[dict] = []
    for r in records:
        t, d = r.get("type"), r.get("data") or {}
        if t == "case":
            cases[r["id"]] = {"case": d, "entries": []}
        elif t == "timeline_entry" and d.get("case_id") in cases:
            cases[d["case_id"]]["entries"].append(d)
        elif t == "monitoring_alert":
            alerts[r["id"]] = {"alert": d, "events": []}
        elif t == "alert_event" and d.get("alert_id") in alerts:
            alerts[d["alert_id"]]["events"].append(d)
        elif t == "encompass_notification":
            notices[r["id"]] = {"notice": d, "entries": []}
        elif t == "encompass_entry" and d.get("notification_id") in notices:
            notices[d["notification_id"]]["entries"].append(d)
        elif t != "encompass_child":
            others.append({"type": TYPE_LABELS.get(str(t), t), **d})
    return {
        "cases": list(cases.values()),
        "alerts": list(alerts.values()),
        "notices": list(notices.values()),
        "others": others,
    }
