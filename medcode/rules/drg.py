"""MS-DRG grouping of an inpatient discharge, by drgpy over CMS's published definitions tables.

The grouper is drgpy (PyPI, Apache-2.0), which ships the MS-DRG Definitions Manual tables as
parsed data per version and picks the version by discharge date: v43 from 2025-10-01 (FY2026),
v43.1 from 2026-04-01. It applies the CC exclusion list (the Definitions Manual's Appendix C:
a secondary CC/MCC is not counted with a principal in its exclusion collection), the DRG's own
severity exclusions, and "counts only if discharged alive"; it does not take age or birth
weight, and we pass no present-on-admission indicators (drgpy then assumes "Y", so the
hospital-acquired-condition rule never removes a CC/MCC here). Where its result differs from
the definitions (docs/msdrg-grouping.md lists every case we found) the difference is known,
not corrected here.

The weight, title and MDC come from the loaded IPPS Table 5 (the caller's `DrgWeights`), not
from drgpy, so each figure cites its own source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.metadata import version as package_version
from typing import Any, Protocol

from medcode.rules.claim import format_diagnosis
from medcode.rules.mce import Discharge

# UB-04 patient discharge status codes meaning the patient died (20; 40-42 on hospice claims).
TABLE = {"MCC": "6I", "CC": "6J"}
ARTICLE = {"MCC": "an MCC", "CC": "a CC"}
EXPIRED = frozenset({"20", "40", "41", "42"})
SEXES = ("M", "F")

FISCAL_YEAR_OFFSET = 1983  # MS-DRG v43 is FY2026 (October 2025 - September 2026)
NO_VERSION = (
    "no MS-DRG version in drgpy {release} covers {on}: it ships v36 (discharges from "
    "2018-10-01) to v{latest} (through {last})"
)
NOT_IN_TABLES = (
    "{code} is not a diagnosis in the MS-DRG {version} tables, so the discharge is not "
    "grouped (check the code: the MCE edits say whether it is valid)"
)
NO_DRG = "drgpy found no MS-DRG for these codes under {version}"
SEX_NEEDED = (
    "the MS-DRG depends on the patient's sex here ({female} if female, {male} if male): "
    "give sex M or F"
)
EXCLUDED_BY_PRINCIPAL = "not counted: on the CC exclusion list of principal {principal}"
EXCLUDED_BY_DRG = "not counted: MS-DRG {drg} excludes it as a CC/MCC"
EXCLUDED_EXPIRED = "not counted: it is a CC/MCC only when the patient is discharged alive"
NO_WEIGHT = "MS-DRG {drg} has no weight in the loaded IPPS Table 5 ({source})"
MISSING_SEVERITY = (
    "not counted: the loaded IPPS Table {table} lists it as {level}, but drgpy's MS-DRG "
    "{version} tables do not"
)
MISSING_SEVERITY_WARNING = (
    "known drgpy difference: {code} is {level} on IPPS Table {table} but drgpy does not "
    "count it; CMS's grouper counts it unless the CC exclusion list removes it, so the "
    "severity level may be higher than shown (see About the data, MS-DRG grouping)"
)
RIGHT_HIP_PAIR = (
    "known drgpy difference: a right hip joint procedure ({code}) with another lower-extremity "
    "major joint procedure should group to 461-462 (bilateral or multiple major joint "
    "procedures of lower extremity); drgpy's tables never pair the right hip "
    "(see About the data, MS-DRG grouping)"
)
BILATERAL_JOINT = "461&462|"
RIGHT_HIP_LABEL = "TO QUALIFY AS BILATERAL"  # drgpy's right-hip site label, merged with a note


@dataclass(frozen=True, slots=True)
class DrgWeight:
    """One IPPS Table 5 row."""

    drg: str
    title: str
    mdc: str  # "05"; "PRE" for pre-MDC; "" for the 981-989 and 998/999 groups
    kind: str  # "MED" or "SURG" ("**" for 998/999)
    weight: float | None  # Table 5 weight after the 10% cap on reductions (used for payment)
    geometric_mean_los: float | None
    arithmetic_mean_los: float | None


class DrgWeights(Protocol):
    def weight(self, drg: str) -> DrgWeight | None:
        """The Table 5 row of an MS-DRG (three digits), or None."""
        ...

    def source(self) -> str:
        """The citation of the Table 5 release read (or why none)."""
        ...

    def listed_severity(self, code: str) -> str | None:
        """ "CC" or "MCC" where the loaded IPPS Tables 6I/6J list the code (no dot), else None."""
        ...


@dataclass(frozen=True, slots=True)
class SecondarySeverity:
    """A secondary diagnosis on the CC or MCC list, and whether this grouping counted it."""

    code: str  # no dot
    level: str  # "CC" or "MCC"
    counted: bool
    reason: str = ""  # why it was not counted


@dataclass(frozen=True, slots=True)
class Grouping:
    grouped: bool
    grouper: str  # "drgpy 0.2.1, MS-DRG v43.1"
    version: str = ""  # "v43.1"
    drg: str = ""
    title: str = ""
    mdc: str = ""
    kind: str = ""
    weight: float | None = None
    geometric_mean_los: float | None = None
    arithmetic_mean_los: float | None = None
    weight_source: str = ""
    severity: tuple[SecondarySeverity, ...] = ()
    drove: tuple[str, ...] = ()  # the counted CC/MCC codes the DRG's "with CC/MCC" split used
    reason: str = ""  # why not grouped, or why no weight
    candidates: tuple[str, ...] = ()  # the other DRGs drgpy matched, in its order
    warnings: tuple[str, ...] = ()  # a known drgpy difference these codes meet


@cache
def _engine(version: str) -> Any:
    from drgpy.msdrg import DRGEngine

    return DRGEngine(version=version)


@cache
def drgpy_release() -> str:
    """drgpy's installed version ("0.2.1"), read once a process: importlib.metadata parses the
    package metadata on every call (~3 ms)."""
    return package_version("drgpy")


def grouper_version(on: date) -> str | None:
    """The MS-DRG version for a discharge date ("v43.1"), or None when drgpy ships none.

    drgpy picks its latest version for any later date; a version holds only to the end of its
    fiscal year (v43.1: FY2026, through 2026-09-30), so a later date has none here.
    """
    from drgpy._versions import get_version_for_date

    try:
        found = get_version_for_date(on)
    except ValueError:
        return None
    return str(found.name) if on <= last_covered(int(found.major)) else None


def last_covered(major: int | None = None) -> date:
    """The last discharge date of an MS-DRG version's fiscal year (default: drgpy's latest)."""
    from drgpy._versions import LATEST_VERSION

    number = int(LATEST_VERSION.major) if major is None else major
    return date(number + FISCAL_YEAR_OFFSET, 9, 30)


def group_discharge(discharge: Discharge, weights: DrgWeights) -> Grouping:
    """The MS-DRG of a discharge on its date, with the CC/MCC that decided its severity level."""
    version = grouper_version(discharge.discharge_date)
    release = drgpy_release()
    grouper = f"drgpy {release}"
    if version is None:
        from drgpy._versions import LATEST_VERSION

        text = NO_VERSION.format(
            release=release,
            on=discharge.discharge_date.isoformat(),
            latest=LATEST_VERSION.name.removeprefix("v"),
            last=last_covered().isoformat(),
        )
        return Grouping(False, grouper, reason=text)
    grouper = f"{grouper}, MS-DRG {version}"
    engine = _engine(version)
    principal = discharge.principal
    if not engine.dxmap.get(principal):
        # drgpy would drop the last character and try again; we do not guess a code.
        text = NOT_IN_TABLES.format(code=format_diagnosis(principal), version=version)
        return Grouping(False, grouper, version, reason=text)
    alive = discharge.discharge_status not in EXPIRED
    # Only codes drgpy's tables name: the others add nothing to its grouping, and its tables
    # are defaultdicts that would keep every unknown code asked about for the process's life.
    diagnoses = [
        code
        for code in dict.fromkeys(discharge.diagnoses)
        if code == principal or code in engine.dxmap or code in engine.ccmap
    ]
    procedures = [
        code
        for code in dict.fromkeys(discharge.procedures)
        if code in engine.prmap or code in engine.orpcsmap
    ]

    def run(sex: str) -> list[str]:
        found = engine.get_drg_all(
            diagnoses, procedures, sex, alive, None, discharge.discharge_status
        )
        return [str(d) for d in found]

    if discharge.sex in SEXES:
        results = run(discharge.sex)
    else:
        female, male = run("F"), run("M")
        if female[:1] != male[:1]:
            text = SEX_NEEDED.format(
                female=female[0] if female else "none", male=male[0] if male else "none"
            )
            return Grouping(False, grouper, version, reason=text)
        results = female
    if not results:
        return Grouping(False, grouper, version, reason=NO_DRG.format(version=version))
    drg = results[0]
    severity = _severity(engine, principal, discharge.secondary, drg, alive)
    missing = _missing_severity(engine, principal, discharge.secondary, weights, version)
    warnings = _known_differences(engine, procedures, drg) + tuple(
        MISSING_SEVERITY_WARNING.format(
            code=format_diagnosis(m.code), level=ARTICLE[m.level], table=TABLE[m.level]
        )
        for m in missing
    )
    severity += missing
    # The severity split read from the grouper's own DRG title (Table 5 may not be loaded).
    drove = _drove(str(engine.drgmap.get(drg, {}).get("desc", "")), severity)
    row = weights.weight(drg)
    if row is None:
        return Grouping(
            True,
            grouper,
            version,
            drg,
            severity=severity,
            drove=drove,
            weight_source=weights.source(),
            reason=NO_WEIGHT.format(drg=drg, source=weights.source()),
            candidates=tuple(results[1:]),
            warnings=warnings,
        )
    return Grouping(
        True,
        grouper,
        version,
        drg,
        row.title,
        row.mdc,
        row.kind,
        row.weight,
        row.geometric_mean_los,
        row.arithmetic_mean_los,
        weights.source(),
        severity,
        drove,
        candidates=tuple(results[1:]),
        warnings=warnings,
    )


def _severity(
    engine: Any, principal: str, secondary: Sequence[str], drg: str, alive: bool
) -> tuple[SecondarySeverity, ...]:
    """drgpy's own CC/MCC test (msdrg.get_features), per secondary diagnosis, said out loud."""
    found = []
    by_drg = engine.drg_exclusions.get(drg, set())
    for code in dict.fromkeys(secondary):
        info = engine.ccmap.get(code)
        if code == principal or info is None:
            continue
        reason = ""
        if principal in engine.exmap.get(info["pdx"], ()):
            reason = EXCLUDED_BY_PRINCIPAL.format(principal=format_diagnosis(principal))
        elif code in by_drg:
            reason = EXCLUDED_BY_DRG.format(drg=drg)
        elif info["aowa"] and not alive:
            reason = EXCLUDED_EXPIRED
        found.append(SecondarySeverity(code, str(info["level"]), not reason, reason))
    return tuple(found)


def _missing_severity(
    engine: Any, principal: str, secondary: Sequence[str], weights: DrgWeights, version: str
) -> tuple[SecondarySeverity, ...]:
    """Secondaries the loaded Tables 6I/6J list as CC/MCC and drgpy's tables do not."""
    found = []
    for code in dict.fromkeys(secondary):
        if code == principal or code in engine.ccmap:
            continue
        level = weights.listed_severity(code)
        if level in TABLE:
            reason = MISSING_SEVERITY.format(
                table=TABLE[level], level=ARTICLE[level], version=version
            )
            found.append(SecondarySeverity(code, level, False, reason))
    return tuple(found)


def _known_differences(engine: Any, procedures: Sequence[str], drg: str) -> tuple[str, ...]:
    """The documented drgpy differences these codes meet (docs/msdrg-grouping.md)."""
    if drg in {"461", "462"}:
        return ()
    sites = {
        code: [label for label in engine.prmap.get(code, ()) if label.startswith(BILATERAL_JOINT)]
        for code in procedures
    }
    right_hip = [c for c, labels in sites.items() if any(RIGHT_HIP_LABEL in x for x in labels)]
    if right_hip and sum(1 for labels in sites.values() if labels) >= 2:
        return (RIGHT_HIP_PAIR.format(code=right_hip[0]),)
    return ()


def _drove(title: str, severity: Sequence[SecondarySeverity]) -> tuple[str, ...]:
    """The counted CC/MCC codes behind a 'with MCC' / 'with CC' / 'with CC/MCC' title."""
    counted = [s for s in severity if s.counted]
    upper = f" {title.upper()} "
    if " WITH MCC" in upper:
        levels = {"MCC"}
    elif " WITH CC/MCC" in upper:
        levels = {"CC", "MCC"}
    elif " WITH CC" in upper:
        levels = {"CC"}
    else:
        return ()
    return tuple(s.code for s in counted if s.level in levels)
