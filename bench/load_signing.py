"""Load test, start of year: parents open their links and sign at the same time, against gunicorn and PostgreSQL.

    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/load_signing.py --clients 16 --duration 30

It builds (or reuses) a bench school of ``--pupils`` pupils with their parents, publishes a new version of
the parents' agreement that everyone must sign again, issues it to the whole school, and computes each
parent's link in this process (the links' hashes are what the database holds). It then starts gunicorn with
production settings on a free loopback port, and runs ``--clients`` threads; each takes the next parent,
opens the link (GET: the page with the text, the child and the consent questions), and signs (POST: six
consent answers, a typed name, a drawn signature, "I have read and agree"). Every tenth parent's browser
sends the form twice, as a double tap would. When the time is up it counts the signatures in the database:
each parent who got a "signed" answer must have exactly one signature per child, and there must be no
other signature. One JSON line: signatures per second, errors, latency percentiles, lost and duplicated.

Certificates are rendered by Celery workers after commit, so gunicorn is given a broker (``--redis``,
a Redis database of its own, emptied afterwards); without one every signature would render its PDF inline.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cpu  # noqa: E402
from bench.load_report_submission import CSRF_INPUT, Browser, _free_port, gunicorn_server, percentile  # noqa: E402

# A small drawn signature, as the canvas sends it.
PNG = (
    "data:image/png;base64,"
    + base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    ).decode()
)
CONSENT_FIELD = re.compile(r'name="(consent-\d+-[a-z0-9_]+)" id="[^"]+-yes"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16, help="parents signing at the same moment")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of signing (at most 300)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (1-4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11", help="broker for gunicorn ('' for none)")
    parser.add_argument(
        "--certificates",
        type=int,
        default=40,
        help="signatures whose certificates are built after the run to price them (0: none)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.duration <= 300 or not 1 <= args.workers <= 4:
        parser.error("keep it bounded: 1-64 clients, 1-300 seconds, 1-4 workers")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("point DATABASE_URL at a scratch PostgreSQL database")
    # gunicorn and this process share one secret, so the links computed here are the ones gunicorn expects.
    secret = secrets.token_hex(32)
    os.environ["SECRET_KEY"] = secret
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")
    # The certificates built below are files: in a scratch directory, never the portal's media.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
    # The receipts priced below go nowhere, as gunicorn's do.
    os.environ["EMAIL_URL"] = "dummymail://"
    import django  # why: the load-test worker sets Django up first

    django.setup()
    from django.db import connections  # why: the load-test worker sets Django up first

    from aup.models import Signature  # why: the load-test worker sets Django up first

    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    campaign, school, links = new_campaign(pupils=args.pupils, progress=say)
    connections.close_all()

    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DEBUG": "False",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": static_root,
        "EMAIL_URL": "dummymail://",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_LOG_LEVEL": "warning",
        # Every simulated person comes from 127.0.0.1: the per-address rate limits would stop them all at once.
        "RATELIMIT_ENABLE": "False",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
    signed_ok: list[int] = []
    latencies: list[float] = []
    errors: list[str] = []
    doubles = [0]
    get_ms: list[float] = []

    def empty_broker() -> None:
        if args.redis:
            # The certificate tasks queued for workers that this test does not run.
            subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], check=False, capture_output=True)  # noqa: S603,S607

    with gunicorn_server(env=env, port=port, log_dir=static_root, after_stop=empty_broker) as server:
        lock = threading.Lock()
        queue = list(reversed(links))
        start = threading.Barrier(args.clients + 1)
        stop_at = [0.0]

        def client(index: int) -> None:
            browser: Browser | None = None
            start.wait()
            n = 0
            while time.perf_counter() < stop_at[0]:
                with lock:
                    if not queue:
                        return
                    pk, path = queue.pop()
                n += 1
                began = time.perf_counter()
                problem = ""
                try:
                    # Each parent is a different phone: a new connection and no cookies. (One keep-alive
                    # connection per thread for the whole run would also pin every client to whichever
                    # gunicorn worker accepted it first, leaving the other workers idle.)
                    if browser is not None:
                        browser.conn.close()
                    browser = Browser(port)
                    t0 = time.perf_counter()
                    status, _, html = browser.request("GET", path)
                    with lock:
                        get_ms.append((time.perf_counter() - t0) * 1000)
                    token = CSRF_INPUT.search(html)
                    fields = CONSENT_FIELD.findall(html)
                    if status != 200 or not token or not fields:
                        problem = f"GET HTTP {status}"
                    else:
                        form = [
                            ("csrfmiddlewaretoken", token.group(1)),
                            ("action", "sign"),
                            ("full_name", "Load Test Parent"),
                            ("agree", "on"),
                            ("drawn_signature", PNG),
                        ]
                        form += [(name, "yes") for name in fields]
                        times = 2 if n % 10 == 0 else 1
                        for _ in range(times):
                            status, headers, _ = browser.request("POST", path, form)
                            if status != 302 or "/agreements/signed/" not in headers.get("Location", ""):
                                problem = f"POST HTTP {status}"
                        if times == 2:
                            with lock:
                                doubles[0] += 1
                except Exception as exc:  # any failure is counted, never hidden
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if problem:
                        errors.append(problem)
                    else:
                        latencies.append(elapsed)
                        signed_ok.append(pk)

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        database = connections["default"].settings_dict["NAME"]
        cpu_before = cpu.snapshot(server_pgid=server.pid, database=database)
        began = time.perf_counter()
        stop_at[0] = began + args.duration
        start.wait()
        for t in threads:
            t.join(args.duration + 60)
        wall = time.perf_counter() - began
        cpu_after = cpu.snapshot(server_pgid=server.pid, database=database)

    # Count after the run: one signature per child of every parent who was told "signed", and no others.
    from django.db.models import Count  # why: the load-test worker sets Django up first

    signatures = Signature.objects.filter(request__campaign=campaign)
    per_invitation = dict(
        signatures.values_list("request__invitation_id")
        .annotate(n=Count("pk"))
        .values_list("request__invitation_id", "n")
    )
    lost = sum(1 for pk in signed_ok if per_invitation.get(pk, 0) < 1)
    duplicated = sum(max(0, n - 1) for n in per_invitation.values())
    unexpected = len(set(per_invitation) - set(signed_ok))
    from safeguarding_portal.audit import chain  # why: the load-test worker sets Django up first

    intact = not chain.verify(Signature, chains=[f"school:{school.pk}"])
    certificates = _price_certificates(signatures, args.certificates) if args.certificates else {}
    receipts = _price_receipts(campaign, args.certificates) if args.certificates else {}
    # Sustained parents a second on these cores: their CPU over what one parent costs, signing (gunicorn,
    # PostgreSQL, Redis, measured above), plus the receipt email (the outbox's worker, priced below), plus each
    # certificate built once if it is ever downloaded. Certificates are built only when first downloaded, so
    # how many are built is the parents' choice: the ceiling is given for none, one in ten, and all of them.
    spent = cpu.per_unit(cpu_before, cpu_after, max(len(signed_ok), 1))
    # Other people's databases on a shared machine are not this test's work (bench/cpu.py counts them apart).
    server_ms = sum(v for k, v in spent.items() if k not in ("total", "load_client", "postgres_other"))
    per_parent = signatures.count() / max(len(signed_ok), 1)
    ceilings = {}
    with_certificates = None
    if certificates.get("built") and server_ms:
        base = server_ms + receipts.get("cpu_ms_each", 0.0)
        for share in (0.0, 0.1, 1.0):
            cost = base + share * per_parent * certificates["cpu_ms_each"]
            ceilings[f"{int(share * 100)}%_downloaded"] = round((os.cpu_count() or 1) * 1000 / cost, 1)
        with_certificates = ceilings["100%_downloaded"]
    line = {
        "bench": "load_signing",
        "scale": args.pupils,
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "cpus": os.cpu_count(),
        "duration_s": round(wall, 1),
        "parents_signed": len(signed_ok),
        "signatures": signatures.count(),
        "signatures_per_s": round(signatures.count() / wall, 1),
        "parents_per_s": round(len(signed_ok) / wall, 1),
        "server_cpu_ms_per_parent": round(server_ms, 1),
        "parents_per_s_with_certificates": with_certificates,
        "cpu_bound_parents_per_s": ceilings,
        "certificates": certificates,
        "receipts": receipts,
        "double_submits": doubles[0],
        "lost": lost,
        "duplicated": duplicated,
        "unexpected": unexpected,
        "chain_intact": intact,
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "get_median_ms": round(statistics.median(get_ms), 1) if get_ms else None,
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        # CPU per signature by process group: with two cores, 100 signatures a second needs the sum under 20 ms.
        "cpu_ms_per_signature": cpu.per_unit(cpu_before, cpu_after, signatures.count()),
        "tasks": "broker" if args.redis else "in-process (no broker)",
        "database": "postgresql",
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(line))
    rebuilt = certificates.get("rebuilt", 0)
    return 0 if not errors and not lost and not duplicated and not unexpected and intact and not rebuilt else 1


def new_campaign(*, pupils: int, progress):
    """The bench school (built or reused), a new version of the parents' agreement everyone must sign again,
    issued to the whole school: the campaign, the school and each first carer's (invitation id, link path)."""
    import datetime  # why: the load-test worker sets Django up first

    from django.utils import timezone  # why: the load-test worker sets Django up first

    from aup import services  # why: the load-test worker sets Django up first
    from aup.models import Audience, Campaign, Invitation  # why: the load-test worker sets Django up first
    from bench.aup_data import build_families  # why: the load-test worker sets Django up first

    data = build_families(schools=1, pupils=pupils, label="aup", progress=progress)
    school = data.school(0)
    head = data.persona("headteacher", 0)
    agreement = services.ensure_agreement(school=school, audience=Audience.PARENT)
    base = agreement.current_version or agreement.draft
    draft = services.save_draft(
        agreement=agreement,
        text=base.text + f"\n(Load test {timezone.now():%H:%M:%S}.)",
        consent_items=base.consent_items,
        requires_resign=True,
    )
    version = services.publish(version=draft, by=head)
    Campaign.objects.filter(school=school, closed_at__isnull=True).update(closed_at=timezone.now())
    campaign = services.create_campaign(
        school=school,
        version=version,
        scope="school",
        notify=False,
        by=head,
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    # First carers only (one per child), so one parent's signature never covers another's request.
    parents = list(
        Invitation.objects.filter(campaign=campaign, guardian__email__startswith="carer")
        .order_by("pk")
        .values_list("pk", "nonce")
    )
    links = []
    for pk, nonce in parents:
        invitation = Invitation(pk=pk, nonce=nonce)
        links.append((pk, f"/agreements/s/{services.signing_token(invitation)}/"))
    progress(f"campaign {campaign.pk}: {len(links)} parents with a link")
    return campaign, school, links


def new_campaign_links(*, pupils: int, progress) -> list[tuple[int, str]]:
    return new_campaign(pupils=pupils, progress=progress)[2]


def _price_certificates(signatures, count: int) -> dict:
    """Builds the certificates of ``count`` of the run's signatures, as the outbox's workers would after
    commit (this process's CPU per certificate: WeasyPrint's layout is most of it), then asks for each again:
    none may be built twice, and each keeps the SHA-256 the verify page checks."""
    from aup import certificate as certificates
    from aup.models import Certificate

    sample = list(signatures.select_related("version__agreement__school").order_by("pk")[:count])
    if not sample:
        return {"built": 0}
    renders = [0]
    real = certificates.render_certificate

    def counted(signature):
        renders[0] += 1
        return real(signature)

    certificates.render_certificate = counted
    try:
        began = time.process_time()
        first = [certificates.certificate_for(s) for s in sample]
        cpu_ms = (time.process_time() - began) * 1000
        built = renders[0]
        again = [certificates.certificate_for(s) for s in sample]
    finally:
        certificates.render_certificate = real
    stored = Certificate.objects.filter(signature__in=sample)
    return {
        "built": built,
        "cpu_ms_each": round(cpu_ms / max(built, 1), 1),
        "rebuilt": renders[0] - built,
        "same_on_second_ask": [c.pk for c in first] == [c.pk for c in again],
        "one_each_with_hash": stored.count() == len(sample) and not stored.filter(sha256="").exists(),
    }


def _price_receipts(campaign, count: int) -> dict:
    """The receipt email's task (``aup.issue_certificates``: the codes and the parent's link, no PDF) for
    ``count`` of the run's parents, as the outbox's worker runs it: this process's CPU per parent, with the
    email backend the run was given."""
    from aup.models import Invitation, Signature
    from aup.services import manage_url
    from aup.tasks import issue_certificates

    invitations = list(Invitation.objects.filter(campaign=campaign, used_at__isnull=False).order_by("pk")[:count])
    if not invitations:
        return {"sent": 0}
    jobs = [
        (list(Signature.objects.filter(request__invitation=i).values_list("pk", flat=True)), i.email, manage_url(i))
        for i in invitations
    ]
    began = time.process_time()
    sent = sum(issue_certificates(signature_ids=ids, email=email, manage_url=url) for ids, email, url in jobs)
    cpu_ms = (time.process_time() - began) * 1000
    return {"parents": len(jobs), "sent": sent, "cpu_ms_each": round(cpu_ms / len(jobs), 1)}


if __name__ == "__main__":
    sys.exit(main())
