"""Starts the test OpenID Connect provider (tests/oidc_provider/) as its own process on a free loopback port.

Its database and signing key live in a fresh folder, so every run starts empty. ``Provider.apply`` creates or
changes its clients and users (``manage.py provider_state``), in the provider's own process.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS = "tests.oidc_provider.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    base_url: str
    env: dict[str, str]

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    def manage(self, *args: str, stdin: str | None = None) -> str:
        command = [sys.executable, "-m", "django", *args]
        result = subprocess.run(  # noqa: S603 (fixed list, no shell)
            command,
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"provider {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def apply(self, *, clients: list[dict] | None = None, users: list[dict] | None = None) -> None:
        """Through the provider's test-only state URL: no new process for each change."""
        request = urllib.request.Request(  # noqa: S310 (http on loopback)
            f"{self.base_url}/test/state/",
            method="POST",
            data=json.dumps({"clients": clients or [], "users": users or []}).encode(),
            headers={"Content-Type": "application/json", "X-Provider-Token": self.env["OIDC_PROVIDER_TOKEN"]},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http on loopback)
            assert response.status == 200


def provider_env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION")}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        OIDC_PROVIDER_DIR=str(state_dir),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        OIDC_PROVIDER_TOKEN=secrets.token_urlsafe(24),
    )
    return env


@contextmanager
def running_provider(state_dir: Path, *, timeout: float = 30) -> Iterator[Provider]:
    state_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    provider = Provider(base_url=f"http://127.0.0.1:{port}", env=provider_env(state_dir))
    log = open(state_dir / "provider.log", "w")  # noqa: SIM115 - closed below, after the process ends
    # One process migrates its fresh database and serves (run_provider), so the tests wait for one start only.
    command = [sys.executable, "-m", "django", "run_provider", f"--port={port}"]
    process = subprocess.Popen(  # noqa: S603 (a fixed list, no shell)
        command,
        cwd=ROOT,
        env=provider.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                discovery = f"{provider.issuer}/.well-known/openid-configuration"
                with urllib.request.urlopen(discovery, timeout=2):  # noqa: S310 (http on loopback)
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the test OIDC provider did not start:\n" + (state_dir / "provider.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
