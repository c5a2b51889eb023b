"""The portal's Redis cache (core/cache.ResilientRedisCache) answers "nothing cached" while Redis refuses or hangs,
tries Redis once per outage window rather than once per call, and tries again when the window ends."""

import pytest

from safeguarding_portal.core.cache import ResilientRedisCache, cache_is_down

from .outage import CLOSED_PORT_URL, hung_listener

pytestmark = pytest.mark.timeout(60)


def _cache(url: str, *, down_seconds: float = 30) -> ResilientRedisCache:
    return ResilientRedisCache(
        url, {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "down_seconds": down_seconds}}
    )


def _answers_as_no_cache(cache: ResilientRedisCache) -> None:
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is True
    assert cache.get_or_set("k", lambda: "computed") == "computed"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == []
    assert cache.has_key("k") is False
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    cache.delete_many(["a", "b"])
    with pytest.raises(ValueError):
        cache.incr("k")  # as for a key that is not there; callers then set it
    with pytest.raises(ValueError):
        cache.decr("k")


def test_a_refused_connection_answers_as_no_cache():
    cache = _cache(CLOSED_PORT_URL.replace("/0", "/3"))
    _answers_as_no_cache(cache)
    assert cache_is_down(cache)


def test_a_hung_redis_is_waited_for_once_then_skipped_until_the_window_ends():
    with hung_listener() as listener:
        cache = _cache(listener.url)
        assert not cache_is_down(cache)
        assert cache.get("k", "default") == "default"
        assert listener.accepted == 1
        assert cache_is_down(cache)
        # Every call after the first is answered without touching the hung server.
        _answers_as_no_cache(cache)
        assert listener.accepted == 1
        # Another thread's cache object (Django makes one per thread) shares the process's window.
        assert cache_is_down(_cache(listener.url))


def test_when_the_window_ends_redis_is_tried_again():
    with hung_listener() as listener:
        cache = _cache(listener.url, down_seconds=0)
        assert cache.get("k") is None
        assert cache.get("k") is None
        assert listener.accepted == 2
