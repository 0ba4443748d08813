"""HCPCS codes added and terminated between the loaded quarterly HCPCS files.

The yearly long-description list (a reference file, not a quarterly release) names every code
in use that year and, for the ones terminated during it, "Terminated <date>". The guard reads
it so that a code added or ended between two loaded quarterly files is judged on the date.
"""

from __future__ import annotations

import datetime as dt
import re

from medcode.codes.models import ReferenceRow
from medcode.codes.queries import release_catalog
from medcode.ops import datacache

_TERMINATED = re.compile(r"\s*Terminated ([A-Z][a-z]+ \d{1,2}, \d{4})\.?\s*$")


@datacache.cached("hcpcs-listing", keep_when_off=True)
def hcpcs_listing() -> dict[str, tuple[str, dt.date | None, dt.date]]:
    """The HCPCS long-description list (a yearly reference file): code -> (description,
    termination date or None, the list's effective date). It fills the gap between the
    quarterly files loaded: a code listed there was in use that year unless terminated.
    Kept in the data cache until the next import (callers only read it)."""
    found: dict[str, tuple[str, dt.date | None, dt.date]] = {}
    for release in release_catalog().with_table("hcpcs_long_descriptions")[-1:]:
        rows = ReferenceRow.objects.filter(
            release_id=release.pk, key="hcpcs_long_descriptions"
        ).values_list("data", flat=True)
        for data in rows:
            text = str(data.get("long_description", ""))
            match = _TERMINATED.search(text)
            ended = dt.datetime.strptime(match.group(1), "%B %d, %Y").date() if match else None
            code = str(data.get("code", "")).upper()
            found[code] = (_TERMINATED.sub("", text), ended, release.effective_from)
    return found


def hcpcs_in_use(code: str, on: dt.date) -> bool | None:
    """Whether the yearly HCPCS list shows the code in use on `on` (None: it cannot say)."""
    listed = hcpcs_listing().get(code)
    if listed is None:
        return None
    _, ended, start = listed
    if ended is not None and on > ended:
        return False
    if on >= start:
        return True
    return None
