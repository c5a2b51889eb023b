"""Redis that is not there: a closed port (refused at once) and a hung listener (accepts, never answers).

Used by the tests that take Redis away in the middle of signing in and of reporting a concern. The hung
listener is the nastier fault: a TCP connection is made, so only a read timeout ends each wait.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # port 1: nothing listens, so connecting is refused at once


@dataclass
class HungListener:
    url: str
    held: list[socket.socket] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """How many connections were made to it: how many times a client tried it afresh."""
        return len(self.held)


@contextmanager
def hung_listener() -> Iterator[HungListener]:
    """A socket server on a free loopback port that accepts every connection and never sends a byte.
    Yields it (``.url`` is its redis:// URL); the connections are closed when the block ends."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    server.settimeout(0.2)
    listener = HungListener(url=f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    held = listener.held
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            held.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def redis_settings(url: str) -> tuple[dict, str]:
    """(CACHES, SESSION_ENGINE) as settings.py sets them for REDIS_URL=url."""
    from django.conf import settings

    return {"default": {**settings.REDIS_CACHE, "LOCATION": url}}, "django.contrib.sessions.backends.db"
