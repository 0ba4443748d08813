"""Every loaded release, cached per process and reloaded when an import changes the table.

A page selects the releases in force from this catalog instead of querying the release table
for each panel. `derived` holds values computed from one release (headings, indicator counts),
`lookups` the pages built for a typed code and date, `responses` rendered page bodies; all
three are emptied whenever the catalog reloads. The release table is checked at most once per
MEDCODE_RELEASE_CHECK_SECONDS (default 1 s), so a new import shows within a second.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from medcode.codes import panels
from medcode.codes.models import CodeSystem, Release
from medcode.codes.panels import Source
from medcode.lib.in_force import age, each_dataset_in_force
from medcode.ops import generation

SYSTEM_LABELS: dict[str, str] = {str(value): str(label) for value, label in CodeSystem.choices}


@dataclass(frozen=True)
class ReleaseCatalog:
    fingerprint: tuple[Any, ...]
    releases: tuple[Release, ...]  # by effective date, then import order
    sources: dict[int, Source]

    def with_table(self, table: str, system: str | None = None) -> list[Release]:
        return [
            r
            for r in self.releases
            if table in r.row_counts and (system is None or r.code_system == system)
        ]

    def in_force(self, table: str, on: dt.date, system: str | None = None) -> list[Release]:
        """Per dataset, the latest release in effect on `on` (else that dataset's earliest),
        oldest first."""
        return sorted(each_dataset_in_force(self.with_table(table, system), on), key=age)


class LRU:
    """A least-recently-used map, per process (safe under threaded workers too).

    At most `setting` entries (default `default`); with `budget_setting`, also at most that
    many megabytes of text, as `weigh` counts them (entries are evicted oldest first).
    """

    def __init__(
        self,
        setting: str,
        default: int,
        *,
        budget_setting: str = "",
        budget_default_mb: float = 0,
        weigh: Callable[[Any], int] | None = None,
    ) -> None:
        self.setting = setting
        self.default = default
        self.budget_setting = budget_setting
        self.budget_default_mb = budget_default_mb
        self.weigh = weigh
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.weights: dict[Any, int] = {}
        self.weight = 0
        self.lock = threading.Lock()

    @property
    def size(self) -> int:
        return int(getattr(settings, self.setting, self.default))

    @property
    def budget(self) -> int:
        """The byte budget (0: none)."""
        if not self.budget_setting or self.weigh is None:
            return 0
        megabytes = float(getattr(settings, self.budget_setting, self.budget_default_mb))
        return int(megabytes * 1024 * 1024)

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        size, budget = self.size, self.budget
        if size <= 0:
            return
        weight = self.weigh(value) if budget and self.weigh is not None else 0
        if budget and weight > budget:
            return
        with self.lock:
            self.weight += weight - self.weights.get(key, 0)
            self.weights[key] = weight
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > size or (budget and self.weight > budget):
                old, _ = self.items.popitem(last=False)
                self.weight -= self.weights.pop(old, 0)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.weights.clear()
            self.weight = 0


def _text_weight(value: Any) -> int:
    """About what a cached response holds: its text (a page, or a body with its head)."""
    text = value if isinstance(value, str | bytes) else getattr(value, "html", "")
    return len(text) + 512


_lock = threading.Lock()
_catalog: ReleaseCatalog | None = None
_checked_at = 0.0

# Values derived from one release (headings, indicator counts), dropped with the catalog.
derived: dict[tuple[Any, ...], Any] = {}
# Lookups (typed code, code set, date -> page) and rendered responses, dropped with it too.
lookups = LRU("MEDCODE_PAGE_CACHE", 2048)
# Rendered pages (about 15 KB each, two entries a page): bounded by MEDCODE_PAGE_CACHE_MB.
# 1,024 entries held a quarter of bench/load.py's 2,000 codes, and a miss costs 4-15 times a hit.
responses = LRU(
    "MEDCODE_PAGE_CACHE",
    65536,
    budget_setting="MEDCODE_PAGE_CACHE_MB",
    budget_default_mb=64,
    weigh=_text_weight,
)


def release_catalog() -> ReleaseCatalog:
    """All releases, reloaded only when an import changed the release table."""
    global _catalog, _checked_at
    catalog = _catalog
    interval = float(getattr(settings, "MEDCODE_RELEASE_CHECK_SECONDS", 1.0))
    if catalog is not None and time.monotonic() - _checked_at < interval:
        return catalog
    state = Release.objects.aggregate(top=Max("pk"), n=Count("pk"), last=Max("imported_at"))
    fingerprint = (state["top"], state["n"], state["last"])
    _checked_at = time.monotonic()
    if catalog is not None and catalog.fingerprint == fingerprint:
        return catalog
    releases = tuple(Release.objects.order_by("effective_from", "pk"))
    catalog = ReleaseCatalog(
        fingerprint=fingerprint,
        releases=releases,
        sources={r.pk: panels.source_of(r) for r in releases},
    )
    with _lock:
        _catalog = catalog
        _clear_derived()
    # The data generation (shared cache keys) has its own check interval: re-read it now, or
    # an old-generation value could refill the caches just cleared and outlive the import.
    generation.expire()
    return catalog


def _clear_derived() -> None:
    derived.clear()
    lookups.clear()
    responses.clear()


def clear_caches() -> None:
    global _catalog
    with _lock:
        _catalog = None
        _clear_derived()
