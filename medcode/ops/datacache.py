"""The one cache of values read from the loaded data, shared by every process through Django's
cache.

`@cached("kind")` on a query function (code lookups, code pages, search) keeps its results by
arguments, with the data generation (medcode.ops.generation) as the cache `version`: an
import starts a new generation, so every older entry becomes unreachable at once and expires
after MEDCODE_DATA_CACHE_SECONDS (default 6 hours). `get_or_build(kind, args, build)` is the
same for a value that is not one function's result. Works with any cache backend: the
local-memory default (per process), the database cache, or Redis when REDIS_URL is set
(shared by every worker and replica).

In front of the shared cache, each process keeps the last MEDCODE_DATA_CACHE_LOCAL (default
2,048) values it used, unpickled (a cachetools LRU keyed by generation too). With the
local-memory backend the "shared" cache is this process's memory as well, so the values kept in
front are not also pickled into it (that copy cost a long-tail code page miss ~0.3 ms of CPU,
bench/page_miss.py, and shared nothing).

Only data that is the same for every viewer goes here (code page data, search results): never
a response, a gate decision or anything else that depends on who asks.

A cache that fails (Redis down) is stepped around for MEDCODE_DATA_CACHE_RETRY_SECONDS
(default 30 s): values are built as if there were no cache, and the failure is logged once.
MEDCODE_DATA_CACHE=off turns the shared level off.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from cachetools import LRUCache
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from medcode.ops import generation

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

_MISSING = object()
_down_until = 0.0
_lock = threading.Lock()
_local: LRUCache[tuple[int, str], Any] | None = None


def cache_key(kind: str, args: Hashable) -> str:
    """The key of (kind, args) (short, ASCII, no spaces); the generation is the version."""
    digest = hashlib.blake2b(repr(args).encode(), digest_size=16).hexdigest()
    return f"medcode:data:{kind}:{digest}"


def version() -> int:
    """The cache version of every value: the current data generation's token (16 hex digits)
    as a number."""
    return int(generation.current().token, 16)


def _front() -> LRUCache[tuple[int, str], Any]:
    global _local
    if _local is None:
        _local = LRUCache(maxsize=max(1, int(getattr(settings, "MEDCODE_DATA_CACHE_LOCAL", 2048))))
    return _local


def _shared_usable() -> bool:
    return time.monotonic() >= _down_until


def _failed(exc: Exception) -> None:
    global _down_until
    retry = float(getattr(settings, "MEDCODE_DATA_CACHE_RETRY_SECONDS", 30.0))
    log.warning("shared data cache unavailable (%s); building values for %.0f s", exc, retry)
    _down_until = time.monotonic() + retry


def get_or_build(
    kind: str,
    args: Hashable,
    build: Callable[[], T],
    *,
    local: bool = True,
    keep_when_off: bool = False,
) -> T:
    """The value of (kind, args) in the current generation: from this process's memory, else
    the shared cache, else `build()` (then kept in both). `local=False` skips the process's
    memory, for values that are read once (rendered pages keep their own copies).
    `keep_when_off`: with MEDCODE_DATA_CACHE=off the process still keeps the value in its
    memory (reference tables a claim or an answer reads whole, which take 0.1-0.2 s to build:
    before there was one data cache they were kept per process whatever the setting)."""
    enabled = getattr(settings, "MEDCODE_DATA_CACHE", True)
    if not enabled and not (keep_when_off and local):
        return build()
    key = cache_key(kind, args)
    token = version()
    if local:
        with _lock:
            found: Any = _front().get((token, key), _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
    shared = enabled and not (local and _in_process(caches[_alias()]))
    found = _from_shared(key, token, build) if shared else build()
    if local:
        with _lock:
            _front()[(token, key)] = found
    return found  # type: ignore[no-any-return]


def cached(kind: str, *, keep_when_off: bool = False) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Keep a query function's results in the data cache, by its arguments (which must have a
    stable repr: strings, numbers, dates, tuples); `keep_when_off` as in get_or_build."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            key = (args, tuple(sorted(kwargs.items())))
            return get_or_build(
                kind, key, lambda: function(*args, **kwargs), keep_when_off=keep_when_off
            )

        return wrapper

    return decorate


def _alias() -> str:
    return str(getattr(settings, "MEDCODE_DATA_CACHE_ALIAS", "default"))


def _in_process(cache: BaseCache) -> bool:
    """Whether the shared cache is this process's own memory (Django's local-memory backend,
    the default without REDIS_URL)."""
    return isinstance(cache, LocMemCache)


def _from_shared(key: str, token: int, build: Callable[[], T]) -> T:
    if not _shared_usable():
        return build()
    cache = caches[_alias()]
    try:
        found: Any = cache.get(key, _MISSING, version=token)
    except Exception as exc:  # any backend failure: the value is built instead
        _failed(exc)
        return build()
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = build()
    seconds = int(getattr(settings, "MEDCODE_DATA_CACHE_SECONDS", 6 * 3600))
    try:
        cache.set(key, value, seconds, version=token)
    except Exception as exc:
        _failed(exc)
    return value


def reset() -> None:
    """Use the cache again at once (after a failure) and forget this process's copies; for
    tests, operators and a new import."""
    global _down_until, _local
    _down_until = 0.0
    with _lock:
        _local = None
