"""Rendered code pages (a guest's HTML page, the JSON twin), kept per data generation.

The page data itself is cached by its query (`queries.lookup_code`, medcode.ops.datacache);
this module keeps only what rendering it produces, because rendering costs several times
serving a kept copy: in bench/pages.py (16 connections, load 11-16 on 2 cores) a kept page
cost the server 0.68-0.76 ms of CPU (the hot page, 3.5-5.4x Datasette's row page), a
long-tail page, mostly read and rendered, 3.7-5.5 ms.

Two levels, both keyed by the data generation: this process's memory (a cachetools LRU of at
most MEDCODE_PAGE_CACHE_MB megabytes; 0 turns it off), then the shared data cache, so each page
is rendered once for every worker when that cache is shared (Redis, the database cache; Django's
local-memory default, without REDIS_URL, is each process's own). Pages are kept as the UTF-8
bytes sent: a str holding one character beyond Latin-1 (every code page's title has an en dash)
takes two bytes a character, so a 28,919-character page took 57,912 bytes where the budget
counted 29,431. Each is kept with
its digest (`Kept`), from which the ETag of every answer that sends it is made: hashing the
page again for each request was 5% of a kept page's server time (py-spy, bench/pages.py).

Beside each page, the process keeps where the typed code led (`Target`: its canonical display,
code set and whether the page holds gated sections), so that answering a kept page, or
redirecting to it, needs no lookup of the code: the lookup (page data kept in the data cache's
count-limited front, medcode.ops.datacache) was rebuilt for every request of a long tail
longer than that front: a kept page of bench/pages.py's 3,000 codes cost 1.4-1.6 ms of CPU in
process with the lookup, 0.4 ms without.

A guest's HTML page is the same for every guest but for two parts, which the page is rendered
with placeholders for and `fill` puts in for each request: the CSRF token of its form (masked
afresh for each request) and the gate's notice (pages left, or why the gated part is hidden).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from cachetools import LRUCache
from django.conf import settings

from medcode.ops import conditional, datacache

CSRF_PLACEHOLDER = "__medcode_csrf_token__"
GATE_PLACEHOLDER = "__medcode_gate_notice__"
_CSRF, _GATE = CSRF_PLACEHOLDER.encode(), GATE_PLACEHOLDER.encode()

_lock = threading.Lock()
_pages: LRUCache[tuple[int, str, Hashable], Kept | Target] | None = None
_budget = -1


class Kept(NamedTuple):
    """A rendered page and its digest (medcode.ops.conditional.digest of the bytes)."""

    body: bytes
    digest: str

    @classmethod
    def of(cls, body: bytes) -> Kept:
        return cls(body, conditional.digest(body))


class Target(NamedTuple):
    """Where a typed code led when it named one page (medcode.codes.queries.Lookup)."""

    text: str  # the typed code as read (Lookup.text)
    display: str  # the page's code as printed: its canonical URL
    system: str
    code: str
    needs_system: bool  # the canonical URL needs ?system=
    gated: bool  # the page holds gated sections (medcode.accounts.gate.has_gated_content)

    @classmethod
    def of(cls, found: Any, *, gated: bool) -> Target:
        page = found.page
        return cls(found.text, page.display, page.system, page.code, found.needs_system, gated)


def _weight(value: Kept | Target) -> int:
    if isinstance(value, Target):
        return 512  # about what the strings, key and entry hold
    return len(value.body) + 512  # the bytes and about what the digest, key and entry hold


def _memory() -> LRUCache[tuple[int, str, Hashable], Kept | Target] | None:
    """This process's pages (None when MEDCODE_PAGE_CACHE_MB is 0); a new budget starts anew."""
    global _pages, _budget
    budget = int(float(getattr(settings, "MEDCODE_PAGE_CACHE_MB", 64)) * 1024 * 1024)
    if budget != _budget:
        _pages = LRUCache(maxsize=budget, getsizeof=_weight) if budget > 0 else None
        _budget = budget
    return _pages


def rendered(kind: str, key: Hashable, render: Callable[[], bytes], *, shared: bool = True) -> Kept:
    """The page `kind` of `key` in the current data generation: kept in this process, else in
    the shared cache (`shared`: the same for every viewer), else `render()`."""
    token = datacache.version()
    entry = (token, kind, key)
    with _lock:
        memory = _memory()
        found = memory.get(entry) if memory is not None else None
    if isinstance(found, Kept):
        return found

    def build() -> Kept:
        return Kept.of(render())

    found = datacache.get_or_build(kind, key, build, local=False) if shared else build()
    with _lock:
        memory = _memory()
        if memory is not None and _weight(found) <= memory.maxsize:
            memory[entry] = found
    return found


def target(typed: str, system: str | None, on: dt.date) -> Target | None:
    """Where `typed` (as in the URL, with ?system= or None) led on `on`, if this process has
    seen it lead to one page in the current data generation."""
    entry = (datacache.version(), "target", (typed, system, on))
    with _lock:
        memory = _memory()
        found = memory.get(entry) if memory is not None else None
    return found if isinstance(found, Target) else None


def keep_target(typed: str, system: str | None, on: dt.date, value: Target) -> None:
    """Remember where `typed` led (see `target`)."""
    entry = (datacache.version(), "target", (typed, system, on))
    with _lock:
        memory = _memory()
        if memory is not None:
            memory[entry] = value


def has_form_token(html: bytes) -> bool:
    """Whether a kept page holds a form that needs this request's CSRF token."""
    return _CSRF in html


def fill(html: bytes, *, csrf_token: str, gate_notice: str) -> bytes:
    """A kept HTML page (UTF-8) with this request's CSRF token and gate notice in place."""
    return html.replace(_GATE, gate_notice.encode()).replace(_CSRF, csrf_token.encode())


def clear() -> None:
    """Forget this process's pages (the shared copies are of their generation)."""
    global _budget
    with _lock:
        _budget = -1
