"""portal.cache.RedisCache: Django's Redis cache with one client per pool; it behaves as Django's does.

Needs a Redis server: CI's (CELERY_BROKER_URL), or this machine's; skipped when none answers. Keys carry a prefix of
their own and are deleted afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from portal.cache import RedisCache

URL = os.environ.get("CELERY_BROKER_URL", "")
URL = URL if URL.startswith("redis://") else "redis://127.0.0.1:6379/5"


@pytest.fixture
def backend() -> Iterator[RedisCache]:
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {URL}")
    cache = RedisCache(URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "n", "gone"])


def test_it_works_as_djangos_redis_cache(backend: RedisCache) -> None:
    backend.set("a", {"x": [1, "二"]}, 30)
    assert backend.get("a") == {"x": [1, "二"]}
    assert backend.add("a", "other") is False
    backend.set("n", 1, 30)
    assert backend.incr("n") == 2
    backend.set("gone", 1, 30)
    backend.delete("gone")
    assert backend.get("gone", "missing") == "missing"


def test_one_client_serves_every_operation(backend: RedisCache) -> None:
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client() is client
    assert backend._cache.get_client("some-key", write=True) is client
