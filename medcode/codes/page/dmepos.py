"""A HCPCS code's DMEPOS fee in one state (code page ?state=, or the state of ?locality=).

The DMEPOS fee schedule gives, per code and payment modifier (NU, RR, UE, KU, ...), a
non-rural and a rural fee for each state. The panel lists each row's fee in the chosen state
(medcode.rules.dmepos reads the same rows for the claim check). The release must be of the
date's calendar year: fees change each January, so another year's file is not shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from medcode.codes.catalog import release_catalog
from medcode.codes.page.build import CodePage
from medcode.codes.page.panels import Fact, Panel, money
from medcode.codes.page.payment import find_locality, gpci_release
from medcode.rules.dmepos import US_STATES, DmeposRow, row_name

OTHER_YEAR = (
    "No DMEPOS fee schedule of {year} is loaded (loaded: {release}); fees change each January, "
    "so none is shown for {on}."
)
NO_STATE_COLUMN = "The DMEPOS file has no fee column for {state}."
UNKNOWN_STATE = (
    "No state from {given!r}: give a two-letter state (?state=TX), or a locality of the GPCI "
    "file of the date's year or a 'County, ST'."
)
SUMMARY = (
    "The DMEPOS fee schedule amount in {state} per payment modifier ({area}), the allowed "
    "amount before the 20% coinsurance; a rental (RR) fee is per month. A DME claim line takes "
    "the row its modifiers pick."
)


def state_from_locality(locality: str, on: dt.date) -> str | None:
    """The state a locality names: 'County, ST', or the GPCI row of the date's year."""
    if "," in locality:
        found = locality.rsplit(",", 1)[1].strip().upper()
        if len(found) == 2 and found.isalpha():
            return found
    release = gpci_release(on)
    if release is None:
        return None
    gpci = find_locality(release, locality)
    return gpci.state.upper() if gpci is not None and gpci.state else None


def dmepos_rows(code: str, on: dt.date) -> tuple[Any, list[DmeposRow]] | None:
    """The DMEPOS release in force on `on` (any year) and the code's rows; None without any."""
    from medcode.codes.page.reads import _dmepos_rows

    releases = release_catalog().in_force("dmepos_fees", on)[-1:]
    if not releases:
        return None
    release = releases[0]
    rows = [
        DmeposRow(
            code,
            tuple(
                m for m in (str(d.get("mod") or "").upper(), str(d.get("mod2") or "").upper()) if m
            ),
            str(d.get("catg", "")),
            dict(d.get("fees") or {}),
        )
        for d in _dmepos_rows(release).get(code, [])
    ]
    return (release, rows) if rows else None


def state_panel(code: str, on: dt.date, state: str, rural: bool) -> Panel | None:
    """The code's DMEPOS fees in `state`; None when the code has no DMEPOS row."""
    found = dmepos_rows(code, on)
    if found is None:
        return None
    release, rows = found
    source = release_catalog().sources[release.pk]
    state = state.upper()
    title = f"DMEPOS fee in {state}"
    if release.effective_from.year != on.year:
        text = OTHER_YEAR.format(year=on.year, release=source.citation, on=on)
        return Panel(key="dmepos_state", title=title, source=source, as_of=on, summary=text)
    if f"{state.lower()}_nr" not in rows[0].fees:
        text = NO_STATE_COLUMN.format(state=state)
        return Panel(key="dmepos_state", title=title, source=source, as_of=on, summary=text)
    facts = []
    for row in sorted(rows, key=lambda r: r.modifiers):
        nr = float(row.fees.get(f"{state.lower()}_nr", 0) or 0)
        r = float(row.fees.get(f"{state.lower()}_r", 0) or 0)
        name = row_name(row)
        if rural:
            value = money(r) if r else "none listed (0.00 in the file)"
            meaning = f"rural; non-rural {money(nr)}" if nr else "rural"
        else:
            value = money(nr) if nr else "none listed (0.00 in the file)"
            meaning = f"non-rural; rural {money(r)}" if r else "non-rural; no rural fee listed"
        facts.append(Fact(name, value, meaning))
    area = "rural" if rural else "non-rural"
    return Panel(
        key="dmepos_state",
        title=title,
        source=source,
        as_of=on,
        summary=SUMMARY.format(state=state, area=area),
        facts=tuple(facts),
    )


def with_state(page: CodePage, state: str, rural: bool) -> CodePage:
    """The page with the DMEPOS state panel after the DMEPOS panel (when it has DMEPOS rows)."""
    panel = state_panel(page.code, page.on, state, rural)
    if panel is None:
        return page
    found = list(page.panels)
    at = next((n + 1 for n, p in enumerate(found) if p.key == "dmepos"), len(found))
    found.insert(at, panel)
    return replace(page, panels=tuple(found))


def unknown_state_page(page: CodePage, given: str) -> CodePage:
    """A page whose ?state= or ?locality= names no state: say so where the fee would be."""
    found = dmepos_rows(page.code, page.on)
    if found is None:
        return page
    panel = Panel(
        key="dmepos_state",
        title="DMEPOS fee in your state",
        source=release_catalog().sources[found[0].pk],
        as_of=page.on,
        summary=UNKNOWN_STATE.format(given=given),
    )
    found_panels = list(page.panels)
    at = next((n + 1 for n, p in enumerate(found_panels) if p.key == "dmepos"), len(found_panels))
    found_panels.insert(at, panel)
    return replace(page, panels=tuple(found_panels))


def with_state_or_locality(page: CodePage, state: str, locality: str, rural: bool) -> CodePage:
    """The DMEPOS state panel for ?state= (two letters) or the state of ?locality=."""
    wanted = state.strip().upper()
    if not wanted and locality:
        if dmepos_rows(page.code, page.on) is None:
            return page  # not a DMEPOS code: no lookup of the locality for it
        wanted = state_from_locality(locality, page.on) or ""
        if not wanted:
            return unknown_state_page(page, locality)
    if not wanted:
        return page
    if wanted not in US_STATES:
        return unknown_state_page(page, state)
    return with_state(page, wanted, rural)


__all__ = ["state_from_locality", "state_panel", "with_state", "with_state_or_locality"]
