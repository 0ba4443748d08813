"""Coverage of one procedure for some diagnoses on a date, from the loaded releases.

The one entry point for callers outside the claim check (CasePilot, the code pages):
`coverage_for("82947", ["E11.9"], on)` gives what each NCD that applies to the procedure says
of each diagnosis, with the release it was read from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medcode.claims.releases import Setting
from medcode.claims.tables import STORE, ClaimTables
from medcode.rules import Claim, ClaimLine
from medcode.rules.claim import normalise_code, normalise_diagnosis
from medcode.rules.coverage import NcdVerdict, ncd_verdicts


@dataclass(frozen=True, slots=True)
class Coverage:
    procedure: str
    on: dt.date
    verdicts: tuple[NcdVerdict, ...]  # empty: no NCD of the spreadsheet applies
    source: str  # the NCD spreadsheet release, or why there is none

    @property
    def is_covered(self) -> bool | None:
        """True when every NCD that applies covers one of the diagnoses; None when none applies."""
        if not self.verdicts:
            return None
        ncds = {v.ncd for v in self.verdicts}
        return all(any(v.is_covered for v in self.verdicts if v.ncd == n) for n in ncds)


def coverage_for(
    procedure: str,
    diagnoses: list[str] | tuple[str, ...],
    on: dt.date,
    *,
    setting: Setting = "practitioner",
) -> Coverage:
    """What the NCD coding spreadsheet in force on `on` says of `procedure` with `diagnoses`."""
    code = normalise_code(procedure)
    wanted = [normalise_diagnosis(d) for d in diagnoses]
    line = ClaimLine(number=1, code=code, modifiers=(), units=1, date_of_service=on)
    claim = Claim(lines=(line,), diagnoses=tuple(wanted))
    catalog = STORE.refresh()
    cache = STORE.cache_for(catalog.release_set(on, setting))
    cache.prepare([claim])
    tables = ClaimTables(cache, claim)
    return Coverage(
        procedure=code,
        on=on,
        verdicts=tuple(ncd_verdicts(code, wanted, on, tables)),
        source=tables.source("ncd"),
    )
