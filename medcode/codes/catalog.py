"""Every loaded release, kept per process and reloaded when the data generation changes.

A page selects the releases in force from this catalog instead of querying the release table
for each panel. `derived` holds values computed from one release (headings, indicator counts),
emptied whenever the catalog reloads. The generation (medcode.ops.generation, the token the
data cache uses as its version) is re-read at most once per MEDCODE_RELEASE_CHECK_SECONDS
(default 1 s), so a new import shows within a second.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from medcode.codes.models import CodeSystem, Release
from medcode.codes.page import cache as page_cache
from medcode.codes.page import panels
from medcode.codes.page.panels import Source
from medcode.lib.in_force import age, each_dataset_in_force
from medcode.ops import datacache, generation

SYSTEM_LABELS: dict[str, str] = {str(value): str(label) for value, label in CodeSystem.choices}


@dataclass(frozen=True)
class ReleaseCatalog:
    generation: str  # the data generation it was read in (medcode.ops.generation's token)
    releases: tuple[Release, ...]  # by effective date, then import order
    sources: dict[int, Source]
    # in_force's answers: a page asks about ten times, for a few dates in all.
    chosen: dict[tuple[str, dt.date, str | None], tuple[Release, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    # with_table's answers: tables and code sets are few.
    listing: dict[tuple[str, str | None], tuple[Release, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def with_table(self, table: str, system: str | None = None) -> list[Release]:
        key = (table, system)
        found = self.listing.get(key)
        if found is None:
            found = tuple(
                r
                for r in self.releases
                if table in r.row_counts and (system is None or r.code_system == system)
            )
            self.listing[key] = found
        return list(found)

    def in_force(self, table: str, on: dt.date, system: str | None = None) -> list[Release]:
        """Per dataset, the latest release in effect on `on` (else that dataset's earliest),
        oldest first."""
        key = (table, on, system)
        found = self.chosen.get(key)
        if found is None:
            found = tuple(
                sorted(each_dataset_in_force(self.with_table(table, system), on), key=age)
            )
            if len(self.chosen) < 10_000:  # dates of service asked for are few; stay bounded
                self.chosen[key] = found
        return list(found)


_lock = threading.Lock()
_catalog: ReleaseCatalog | None = None

# Values derived from one release (headings, indicator counts), dropped with the catalog.
derived: dict[tuple[Any, ...], Any] = {}


def release_catalog() -> ReleaseCatalog:
    """All releases, reloaded when the data generation changes (an import)."""
    global _catalog
    catalog = _catalog
    token = generation.current().token
    if catalog is not None and catalog.generation == token:
        return catalog
    releases = tuple(Release.objects.order_by("effective_from", "pk"))
    catalog = ReleaseCatalog(
        generation=token,
        releases=releases,
        sources={r.pk: panels.source_of(r) for r in releases},
    )
    with _lock:
        _catalog = catalog
        _clear_derived()
    return catalog


def _clear_derived() -> None:
    derived.clear()


def clear_caches() -> None:
    """Forget everything read from the data in this process: the catalog, `derived`, the
    data cache's and the page cache's copies, and the generation (re-read at its next use)."""
    global _catalog
    with _lock:
        _catalog = None
        _clear_derived()
    generation.expire()
    datacache.reset()
    page_cache.clear()
