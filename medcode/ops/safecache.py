"""A Redis cache that keeps the site up while Redis is down.

Django's RedisCache raises on every call when Redis cannot be reached, so a page that touches
the cache (sign-in rate limits, for one) would answer 500. `ResilientRedisCache` catches the
Redis error, logs it once, and serves from a per-process memory cache for
RETRY_SECONDS before trying Redis again. Limits kept in the cache are then per process
rather than shared: looser for a while, never an outage. (Metering counters have their own
fallback to the database: medcode.accounts.metering.)

Not django-redis with IGNORE_EXCEPTIONS: it answers a read Redis cannot serve as a miss and
drops the write, so a rate limit counted in the cache (allauth's sign-in limits) would not
count at all while Redis is down, and every call would try Redis again; here the counts go on
in this process's memory and Redis is tried again once every RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
# Short socket timeouts, so an unreachable Redis costs a request a fraction of a second.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._fallback = LocMemCache(
            f"medcode-redis-fallback-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )
        self._down_until = 0.0

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_down:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except _redis_errors() as exc:
                log.warning(
                    "Redis cache unavailable (%s); using per-process memory for %d s",
                    exc,
                    RETRY_SECONDS,
                )
                self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._call("clear")
