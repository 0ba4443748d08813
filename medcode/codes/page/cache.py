"""Rendered code pages (a guest's HTML page, as its parts; the JSON twin), kept per data
generation.

The page data itself is cached by its query (`queries.lookup_code`, medcode.ops.datacache);
this module keeps only what rendering it produces, because rendering costs several times
serving a kept copy: a long-tail page miss cost 2.2-2.5 ms of CPU in process
(bench/page_miss.py), a kept page about 0.7 ms, of which the layout rendered around the kept
parts for each request is about 0.26 ms.

Two levels: this process's memory (a cachetools LRU of at most MEDCODE_PAGE_CACHE_MB
megabytes; 0 turns it off), keyed by the data generation, then the shared data cache, keyed by
the data generation and medcode's files (a deploy's templates make new parts), so each page is
rendered once for every worker when that cache is shared (Redis, the database cache; Django's
local-memory default, without REDIS_URL, is each process's own). Pages are kept as UTF-8
bytes, not str: a str holding one character beyond Latin-1 (every code page's title has an en
dash) takes two bytes a character, so a 28,919-character page took 57,912 bytes where the
budget counted 29,431. Each is kept with the digest of its parts (`Kept`), from which the JSON
twin's ETag is made: hashing it again for each request was 5% of a kept page's server time
(py-spy, bench/pages.py). An HTML page's ETag is made from its inputs (views.code_detail).

Beside each page, the process keeps where the typed code led (`Target`: its canonical display,
code set and whether the page holds gated sections), so that answering a kept page, or
redirecting to it, needs no lookup of the code: the lookup (page data kept in the data cache's
count-limited front, medcode.ops.datacache) was rebuilt for every request of a long tail
longer than that front: a kept page of bench/pages.py's 3,000 codes cost 1.4-1.6 ms of CPU in
process with the lookup, 0.4 ms without.

What is kept of a guest's HTML page is what is the same for every guest: the parts
`medcode.codes.views.render_body` renders (the head's strings and the body's sections either
side of the gate's notice). The layout around them, the gate's notice to this visitor and the
actions, whose form holds this request's CSRF token, are built for each request
(`views.page_body`, codes/detail.html), as around a template fragment cache: nothing kept holds
a visitor's part or a marker to put one in.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from cachetools import LRUCache
from django.conf import settings

from medcode.ops import conditional, datacache

_lock = threading.Lock()
_pages: LRUCache[tuple[int, str, Hashable], Kept | Target] | None = None
_budget = -1


class Kept(NamedTuple):
    """A rendered page, as the parts its renderer gave (UTF-8), and their digest
    (medcode.ops.conditional.digest of the parts)."""

    parts: tuple[bytes, ...]
    digest: str

    @classmethod
    def of(cls, *parts: bytes) -> Kept:
        return cls(parts, conditional.digest(*parts))

    @property
    def body(self) -> bytes:
        """The parts as one."""
        return b"".join(self.parts)


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
    # The bytes (33: a bytes object's own size) and about what the digest, key and entry hold.
    return sum(len(part) + 33 for part in value.parts) + 512


def _memory() -> LRUCache[tuple[int, str, Hashable], Kept | Target] | None:
    """This process's pages (None when MEDCODE_PAGE_CACHE_MB is 0); a new budget starts anew."""
    global _pages, _budget
    budget = int(float(getattr(settings, "MEDCODE_PAGE_CACHE_MB", 64)) * 1024 * 1024)
    if budget != _budget:
        _pages = LRUCache(maxsize=budget, getsizeof=_weight) if budget > 0 else None
        _budget = budget
    return _pages


def rendered(
    kind: str, key: Hashable, render: Callable[[], tuple[bytes, ...]], *, shared: bool = True
) -> Kept:
    """The page `kind` of `key` in the current data generation, as the parts `render()` gives:
    kept in this process, else in the shared cache (`shared`: the same for every viewer, and
    kept there per deploy too: medcode's templates make the page), else rendered."""
    token = datacache.version()
    entry = (token, kind, key)
    with _lock:
        memory = _memory()
        found = memory.get(entry) if memory is not None else None
    if isinstance(found, Kept):
        return found

    def build() -> Kept:
        return Kept.of(*render())

    found = (
        datacache.get_or_build(kind, (conditional.code_stamp()[0], key), build, local=False)
        if shared
        else build()
    )
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


def clear() -> None:
    """Forget this process's pages (the shared copies are of their generation)."""
    global _budget
    with _lock:
        _budget = -1
