"""Run the same call from several threads at the same moment, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(call: Callable[[], T], *, times: int = 2, timeout: float = 60) -> list[T]:
    """Start ``times`` threads that wait for each other and then ``call()`` together (two beat processes, a
    double tap). Returns what each returned, in the order they finished; re-raises the first error."""
    barrier = threading.Barrier(times)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:  # re-raised below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()  # each thread's connection, or the test database cannot be dropped

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads), f"a call was still running after {timeout}s"
    return results
