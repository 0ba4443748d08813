"""Values built from the loaded data, shared by every process through Django's cache.

`get_or_build(kind, args, build)` returns the value cached under (kind, args, data
generation), building and storing it on a miss; the last MEDCODE_DATA_CACHE_LOCAL (default
2,048) values a process used are also kept in its memory, in front of the shared cache.
The generation (medcode.ops.generation) is in every key, so an import makes all older
entries unreachable at once; they expire after
MEDCODE_DATA_CACHE_SECONDS (default 6 hours). Works with any cache backend: the local-memory
default (per process), the database cache, or Redis when REDIS_URL is set (shared by every
worker and replica).

Only data that is the same for every viewer goes here (code page data, search results): never
a response, a gate decision or anything else that depends on who asks.

A cache that fails (Redis down) is stepped around for MEDCODE_DATA_CACHE_RETRY_SECONDS
(default 30 s): values are built as if there were no cache, and the failure is logged once.
MEDCODE_DATA_CACHE=off turns the shared level off.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches

from medcode.codes.catalog import LRU
from medcode.ops import generation

log = logging.getLogger(__name__)

T = TypeVar("T")

_MISSING = object()
_down_until = 0.0
# This process's copies of recent values (their keys carry the generation, so an import
# needs no clearing: old keys are simply not asked for again and age out).
_local = LRU("MEDCODE_DATA_CACHE_LOCAL", 2048)


def cache_key(kind: str, args: Hashable) -> str:
    """The key of (kind, args) in the current data generation (short, ASCII, no spaces)."""
    token = generation.current().token
    digest = hashlib.blake2b(repr(args).encode(), digest_size=16).hexdigest()
    return f"medcode:data:{kind}:{token}:{digest}"


def _shared_usable() -> bool:
    return time.monotonic() >= _down_until


def _failed(exc: Exception) -> None:
    global _down_until
    retry = float(getattr(settings, "MEDCODE_DATA_CACHE_RETRY_SECONDS", 30.0))
    log.warning("shared data cache unavailable (%s); building values for %.0f s", exc, retry)
    _down_until = time.monotonic() + retry


def get_or_build(kind: str, args: Hashable, build: Callable[[], T], *, local: bool = True) -> T:
    """The value of (kind, args) in the current generation: from this process's memory, else
    the shared cache, else `build()` (then kept in both). `local=False` skips the process's
    memory, for callers that keep their own."""
    if not getattr(settings, "MEDCODE_DATA_CACHE", True):
        return build()
    key = cache_key(kind, args)
    found: Any = _local.get(key) if local else None
    if found is not None:
        return found  # type: ignore[no-any-return]
    found = _from_shared(key, build)
    if local and found is not None:
        _local.put(key, found)
    return found  # type: ignore[no-any-return]


def _from_shared(key: str, build: Callable[[], T]) -> T:
    if not _shared_usable():
        return build()
    cache = caches[getattr(settings, "MEDCODE_DATA_CACHE_ALIAS", "default")]
    try:
        found: Any = cache.get(key, _MISSING)
    except Exception as exc:  # any backend failure: the value is built instead
        _failed(exc)
        return build()
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = build()
    try:
        cache.set(key, value, int(getattr(settings, "MEDCODE_DATA_CACHE_SECONDS", 6 * 3600)))
    except Exception as exc:
        _failed(exc)
    return value


def reset() -> None:
    """Use the cache again at once (after a failure) and forget this process's copies; for
    tests and operators."""
    global _down_until
    _down_until = 0.0
    _local.clear()
