"""Real services for the integration tests: PostgreSQL, a Redis broker, a Celery worker process, an SMTP server.

Tests marked ``integration`` run when PORTAL_INTEGRATION=1 (``.ci/run`` sets it, with DATABASE_URL pointing at
PostgreSQL and a Redis broker). Without it they are skipped; with it, a missing service fails them, so CI
cannot go green by skipping. The worker is a separate process that reads the test database pytest created
(TEST_DATABASE_NAME gives it a fixed name), so these tests use ``django_db(transaction=True)``: the worker
only sees committed rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ENABLED = os.environ.get("PORTAL_INTEGRATION") == "1"
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"  # port 1: nothing listens, so connecting is refused at once


def wait_until(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    interval: float = 0.2,
    diagnostics: Callable[[], str] = lambda: "",
) -> object:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{diagnostics()}")
        time.sleep(interval)


@pytest.fixture(scope="package")
def integration_services() -> Iterator[None]:
    """Checks the real services are there, and sends tasks to the real broker while these tests run.

    The rest of the suite may run with CELERY_TASK_ALWAYS_EAGER (its tests assert what a task did,
    in-process); here the web side must publish to Redis, as in production, for the worker to pick up.
    """
    if not ENABLED:
        pytest.skip("needs PostgreSQL, Redis and a Celery worker: run with PORTAL_INTEGRATION=1 (.ci/run does)")
    from safeguarding_portal.celery import app

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL (a worker process cannot see an in-memory SQLite)")
    broker = app.conf.broker_url
    if not broker.startswith("redis://"):
        problems.append(f"the Celery broker must be Redis, not {broker!r} (set REDIS_URL)")
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:
            problems.append(f"the broker {broker} does not answer: {exc}")
    if problems:
        pytest.fail("PORTAL_INTEGRATION=1 but:\n  " + "\n  ".join(problems), pytrace=False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


# --- SMTP -------------------------------------------------------------------------------------------------
@dataclass
class Inbox:
    """What the SMTP server received. aiosmtpd calls ``handle_DATA`` from its own thread."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    controller: object = None

    def start_server(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop_server(self) -> None:
        """The mail server goes away: connecting to its port is refused until ``start_server``."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=email_policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="package")
def smtp_server(integration_services) -> Iterator[Inbox]:
    inbox = Inbox(port=_free_port())
    inbox.start_server()
    try:
        yield inbox
    finally:
        inbox.stop_server()


@pytest.fixture
def inbox(smtp_server: Inbox) -> Iterator[Inbox]:
    smtp_server.clear()
    yield smtp_server
    if smtp_server.controller is None:  # a test that took it away gives it back
        smtp_server.start_server()


# --- Celery worker ----------------------------------------------------------------------------------------
@dataclass
class Worker:
    process: subprocess.Popen | None
    name: str
    log_path: Path
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        """Start the worker process (again, after ``kill``) and wait until it answers a ping."""
        from safeguarding_portal.celery import app

        if self.process is None or self.process.poll() is not None:
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(  # noqa: S603 (a fixed argument list, no shell)
                    self.command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )

        def answers() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {self.process.returncode}\n{self.log_tail()}")
            return bool(app.control.ping(destination=[self.name], timeout=0.5))

        wait_until(answers, timeout=90, what="the Celery worker to answer a ping", diagnostics=self.log_tail)

    def kill(self) -> None:
        """SIGKILL, as the out-of-memory killer or a pulled plug would: no warm shutdown, nothing acknowledged."""
        self.process.kill()
        self.process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no worker log)"
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text.splitlines()[-lines:])


def _test_database_url() -> str:
    """DATABASE_URL for the test database pytest-django created (its NAME is the test name by now)."""
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="package")
def celery_worker(
    integration_services, smtp_server: Inbox, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[Worker]:
    from safeguarding_portal.celery import app

    # Anything an earlier (non-integration) test published would otherwise run now, against rows that
    # were rolled back long ago.
    app.control.purge()

    name = f"portal-test-{uuid.uuid4().hex[:8]}@integration"
    artifacts = Path(os.environ.get("PORTAL_ARTIFACTS", settings.BASE_DIR / "artifacts"))
    try:
        artifacts.mkdir(parents=True, exist_ok=True)
        log_path = artifacts / "celery-worker.log"
        log_path.write_text("")
    except OSError:
        log_path = tmp_path_factory.mktemp("worker") / "celery-worker.log"
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "safeguarding_portal",
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        name,
    ]
    worker = Worker(process=None, name=name, log_path=log_path, command=command, env=env)
    try:
        worker.start()
        yield worker
    finally:
        # The process running now: a test may have killed and restarted it.
        process = worker.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- Taking the broker away -------------------------------------------------------------------------------
def _drop_broker_connections(app) -> None:
    # The app caches a connection pool and a producer pool for the broker URL it first saw; both must go
    # for a changed URL to take effect. They are not closed: kombu's registry hands the same pools back
    # when the URL is restored.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_unreachable(url: str = DEAD_BROKER_URL) -> Iterator[None]:
    """The web side's broker points at a port where nothing listens, as when Redis is down (or at ``url``:
    tests.outage.hung_listener's, for a Redis that accepts connections and never answers).

    Safer on a shared machine than stopping Redis, and the same to the code under test: every publish
    fails with a refused connection. The worker keeps its own connection and is unaffected.
    """
    from safeguarding_portal.celery import app

    # Publishing uses broker_write_url; broker_url itself cannot be overridden here, because Celery reads
    # CELERY_BROKER_URL from the environment before its configuration.
    saved = app.conf.get("broker_write_url")
    _drop_broker_connections(app)
    app.conf.broker_write_url = url
    try:
        yield
    finally:
        _drop_broker_connections(app)
        app.conf.broker_write_url = saved


# The real OpenID Connect provider for the single sign-on tests (tests/oidc_provider/, tests/sso_provider.py).
from tests.sso_provider import oidc_provider  # noqa: E402, F401
