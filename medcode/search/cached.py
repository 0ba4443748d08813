"""`search` and `suggest` with their results kept in the shared data cache.

Results depend only on the arguments and the loaded data (releases and search index), so
they are cached by arguments and data generation (medcode.ops.datacache); an import or an
index build starts a new generation. Invalid input raises SearchInputError as the facade
does, and nothing is cached for it. `elapsed_ms` is this call's time, cached or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Sequence

from medcode.ops import datacache
from medcode.search import facade
from medcode.search.facade import SearchResults

# The facade's search, kept by its arguments in the data cache.
_search = datacache.cached("search")(facade.search)


def search(
    q: str,
    *,
    system: str | Sequence[str] | None = None,
    billable: bool | None = None,
    on: dt.date | None = None,
    limit: int = 20,
    semantic: bool = True,
    typing: bool = False,
) -> SearchResults:
    started = time.perf_counter()
    systems = system if system is None or isinstance(system, str) else tuple(system)
    found = _search(
        q,
        system=systems,
        billable=billable,
        on=on,
        limit=limit,
        semantic=semantic,
        typing=typing,
    )
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return dataclasses.replace(found, elapsed_ms=elapsed)


def suggest(q: str, *, limit: int = 8) -> SearchResults:
    """Search as you type (see facade.suggest), cached like `search`."""
    return search(q, limit=limit, semantic=False, typing=True)
