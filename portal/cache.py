"""Django's Redis cache backend, with one client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every get and set; with redis-py 8 that
constructor (its table of reply callbacks) costs about as much CPU as the round trip itself. A throttled API call
makes four or five such operations (bench/load.py). The client is only a front for the pool (which does the
connecting and is thread-safe), so keeping it changes nothing else. ``CACHE_URL=redis://…`` selects this backend
(settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's own, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    if TYPE_CHECKING:
        _cache: _ReusingClient  # Django's cached property: the client (the stubs leave it out)

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
