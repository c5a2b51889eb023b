"""The portal's Redis cache: a speed-up, never a dependency.

Everything the portal keeps in the cache can be recomputed from the database (dashboard counts, the agreement
gate stamp, the "broker is down" marker), and sessions live in the database. So a Redis that refuses, hangs
or drops a connection must cost a request at most one short wait, never an error page or a hang:

* short socket timeouts (settings.py: well under a second) and no client-side retries, so one call waits
  at most one timeout;
* every error is caught and the call answers as Django's DummyCache would ("nothing cached");
* after an error the cache is skipped in this process for ``down_seconds`` (a circuit breaker), so a request
  that makes ten cache calls pays for one timeout, not ten, and so do the requests after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

DOWN_SECONDS = 10.0

# Django makes one cache object per thread; the outage is the process's, so every thread of it shares when
# Redis was last found unreachable (keyed by LOCATION).
_down_until: dict[str, float] = {}
_lock = threading.Lock()


_T = TypeVar("_T")


class ResilientRedisCache(RedisCache):
    """RedisCache that degrades to "no cache" while Redis is unreachable (see the module docstring).

    OPTIONS: ``down_seconds`` (how long to skip Redis after an error; default 10), and whatever RedisCache
    passes to the connection pool (``socket_connect_timeout``, ``socket_timeout``, ...).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.down_seconds = float(options.pop("down_seconds", DOWN_SECONDS))
        # Connections from the pool RedisCache builds do not retry a failed command (redis-py's default for a
        # pool's connections; its client-level default of three retries with backoff does not apply here):
        # one call waits at most one timeout, and the circuit breaker spares the calls after it.
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)

    # --- the circuit breaker ------------------------------------------------------------------------------
    @property
    def is_down(self) -> bool:
        """True while this process skips Redis after an error (the next call after that tries it again)."""
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def _failed(self, operation: str, exc: BaseException) -> None:
        with _lock:
            first = not self.is_down
            _down_until[self._location] = time.monotonic() + self.down_seconds
        if first:  # one line per outage and process, not one per call
            log.warning(
                "cache: Redis unavailable (%s: %s: %s); serving without a cache for %.0fs",
                operation,
                type(exc).__name__,
                exc,
                self.down_seconds,
            )

    def _call(self, operation: str, fallback: _T, *args: Any, **kwargs: Any) -> _T:
        if self.is_down:
            return fallback
        try:
            return cast("_T", getattr(super(), operation)(*args, **kwargs))
        except ValueError:
            raise  # incr/decr of a missing key: an answer, not a fault
        except Exception as exc:  # redis.RedisError, OSError, a pickling error: all mean "no cache"
            self._failed(operation, exc)
            return fallback

    # --- every public operation, answering as DummyCache does when Redis is unreachable ------------------------
    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", default, key, default, version)

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call("set", None, key, value, timeout, version)

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("add", True, key, value, timeout, version)

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", False, key, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", dict[Any, Any](), keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", False, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        if self.is_down:
            raise ValueError(f"Key '{key}' not found")  # as for a missing key: callers already handle it
        value: int | None = self._call("incr", None, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found")
        return value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self.incr(key, -delta, version)

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._call("set_many", list[Any](), data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call("delete_many", None, keys, version)

    def clear(self) -> bool:  # type: ignore[override]  # Django's RedisCache answers whether Redis flushed
        return self._call("clear", False)

    def get_or_set(
        self, key: Any, default: Any | None, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> Any | None:
        # BaseCache's version calls get, add and get: each is guarded above, so a failure part-way answers
        # with the default, as DummyCache would.
        value = self.get(key, version=version)
        if value is None:
            value = default() if callable(default) else default
            if value is not None:
                self.add(key, value, timeout=timeout, version=version)
        return value


def cache_is_down(cache: Any) -> bool:
    """True when ``cache`` is a ResilientRedisCache that is skipping Redis after an error."""
    return bool(getattr(cache, "is_down", False))


def forget_outages() -> None:
    """Try Redis on the next call again, in every thread of this process (tests start an outage with it)."""
    with _lock:
        _down_until.clear()
