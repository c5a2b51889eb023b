"""gunicorn for the portal in production.

    gunicorn -c deploy/gunicorn.conf.py safeguarding_portal.wsgi

gunicorn sits behind a TLS-terminating reverse proxy (nginx, Caddy or a load balancer) on the same host or
network; whitenoise serves the static files, so the proxy only forwards. Every number can be changed from the
environment without editing this file.
"""

import importlib.util
import multiprocessing
import os
from pathlib import Path

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads let a worker keep serving while one request waits on PostgreSQL or a PDF render; two processes
# per core is gunicorn's usual starting point for I/O-bound Django.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A gthread worker keeps accepting connections while it has fewer than worker_connections (1,000), so a few
# long-lived keep-alive connections can all land on one worker and leave the others idle (the signing load
# test did exactly that until each parent got a connection of their own). Have the proxy open a connection per
# request to gunicorn (nginx's default) or keep many upstream connections, not a handful.

# A request that takes longer than this is a bug or a stuck query, not work to wait for: long jobs (reports,
# imports of large files) belong in Celery tasks.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so a slow leak in a library never becomes an outage.
max_requests = 2000
max_requests_jitter = 200

# The proxy in front sets X-Forwarded-For/-Proto; trust it only from where the proxy connects.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to the journal (systemd) or the platform's log collector. The access log leaves out query strings:
# they can carry search terms about pupils. Paths can carry a parent's signing link, a password-reset link or a
# kept form's link: RedactingLogger takes those tokens out of every field of every line. A pupil's "tell someone"
# page (/incidents/tell/) promises anonymity: its lines keep no client address, forwarded address or browser.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# Loaded from its file: importing the package would start the portal's Celery app in gunicorn's master.
_spec = importlib.util.spec_from_file_location(
    "portal_redact", Path(__file__).resolve().parent.parent / "safeguarding_portal" / "core" / "redact.py"
)
_redact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_redact)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = _redact.anonymise_atoms(super().atoms(resp, req, environ, request_time))
        return {k: _redact.redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's advice)
