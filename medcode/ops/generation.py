"""The data generation: a short token that changes whenever the data behind pages and search do.

Code pages, their JSON twin and search results depend only on their arguments and on the
loaded data: the releases (changed by `medcode data import`), the search index (changed by
the index rebuild after an import and by `medcode search build`) and the stored diffs (an
import, or `medcode data diff`). The token is derived from the three tables (highest release
id, count, latest import time; latest index build time; highest diff id, count), so every
process and every replica derives the same token from the same database, with no coordination.

The data cache (medcode.ops.datacache) uses the token as its cache version, the release
catalog (medcode.codes.catalog) reloads when it changes, and HTTP validators (ETag) carry it:
after an import, old entries are never read again (they expire). Each process re-reads the tables at
most once per MEDCODE_RELEASE_CHECK_SECONDS (default 1 s); the import service calls `bump()`
when its transaction commits, so the importing process sees the new generation at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max


@dataclass(frozen=True)
class Generation:
    token: str  # 16 hex characters
    # When the data last changed (the latest import or index build); None with no data.
    changed_at: dt.datetime | None


_lock = threading.Lock()
_current: Generation | None = None
_checked_at = 0.0


def current() -> Generation:
    """This process's view of the data generation (re-read at most once per check interval)."""
    global _current, _checked_at
    interval = float(getattr(settings, "MEDCODE_RELEASE_CHECK_SECONDS", 1.0))
    found = _current
    if found is not None and time.monotonic() - _checked_at < interval:
        return found
    found = _read()
    with _lock:
        _current, _checked_at = found, time.monotonic()
    return found


def _read() -> Generation:
    from medcode.changes.models import ReleaseDiff
    from medcode.codes.models import Release
    from medcode.search.models import IndexState

    releases = Release.objects.aggregate(top=Max("pk"), n=Count("pk"), last=Max("imported_at"))
    index = IndexState.objects.aggregate(n=Count("pk"), last=Max("built_at"))
    # Code pages show their History from the stored diffs, which `medcode data diff` can
    # compute outside an import.
    diffs = ReleaseDiff.objects.aggregate(top=Max("pk"), n=Count("pk"))
    parts = (
        releases["top"],
        releases["n"],
        releases["last"],
        index["n"],
        index["last"],
        diffs["top"],
        diffs["n"],
    )
    token = hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
    times = [t for t in (releases["last"], index["last"]) if t is not None]
    return Generation(token, max(times) if times else None)


def expire() -> None:
    """Re-read the generation at its next use (medcode.codes.catalog.clear_caches)."""
    global _current, _checked_at
    with _lock:
        _current, _checked_at = None, 0.0


def bump() -> None:
    """The data just changed (an import committed): forget everything derived in this process.

    Other processes see the new token within the check interval; shared cache entries of the
    old generation are never read again.
    """
    global _current, _checked_at
    from medcode.codes.catalog import clear_caches

    with _lock:
        _current, _checked_at = None, 0.0
    clear_caches()
