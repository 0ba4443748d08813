"""The claim a rule checks, and the finding it returns.

Inputs are normalised here and only here: codes and modifiers upper-case, diagnoses
upper-case without dots. Every rule can then compare strings directly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

Severity = Literal["error", "warning", "info"]

RuleId = Literal[
    "ptp",
    "mue",
    "addon",
    "pfs_status",
    "global_surgery",
    "bilateral",
    "pctc",
    "assistant",
    "cosurgeon",
    "team",
    "dx_invalid",
    "dx_excludes1",
    "dx_pointer",
    "code_invalid",
    "units_zero",
    "modifier_invalid",
    "duplicate_line",
    "hcpcs_coverage",
    "pfs_not_used",
    "place_of_service",
    "ncd",
    "lcd_article",
]


def normalise_code(code: str) -> str:
    """A CPT/HCPCS code as the tables key it: trimmed and upper-case."""
    return code.strip().upper()


def normalise_modifier(modifier: str) -> str:
    return modifier.strip().upper()


def normalise_diagnosis(code: str) -> str:
    """An ICD-10-CM code as the tables key it: upper-case, no dot ("e11.9" -> "E119")."""
    return code.strip().replace(".", "").upper()


def format_diagnosis(code: str) -> str:
    """The dotted form coders read ("E119" -> "E11.9")."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def is_evaluation_and_management(code: str) -> bool:
    """E/M visit codes, 99202-99499."""
    return len(code) == 5 and code.isdigit() and 99202 <= int(code) <= 99499


@dataclass(frozen=True, slots=True)
class ClaimLine:
    number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    date_of_service: date
    place_of_service: str | None = None
    diagnosis_pointers: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__: a ClaimLine is never un-normalised.
        object.__setattr__(self, "code", normalise_code(self.code))
        modifiers = tuple(normalise_modifier(m) for m in self.modifiers if m.strip())
        object.__setattr__(self, "modifiers", modifiers)
        object.__setattr__(self, "diagnosis_pointers", tuple(self.diagnosis_pointers))

    def has_modifier(self, *modifiers: str) -> bool:
        return bool(self.modifiers) and any(m in self.modifiers for m in modifiers)


@dataclass(frozen=True, slots=True)
class Claim:
    lines: tuple[ClaimLine, ...]
    diagnoses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        diagnoses = tuple(normalise_diagnosis(d) for d in self.diagnoses)
        object.__setattr__(self, "diagnoses", diagnoses)


FixAction = Literal["append", "remove", "replace", "move"]
# The fix helpers below are cached: a batch makes the same few fixes for many findings.


@dataclass(frozen=True, slots=True)
class ModifierFix:
    """A fix that changes modifiers, as data (what a one-click button does); the finding's
    `fix` says the same in words, with the conditions a person must check.

    append: add `modifiers` to `line`; remove: take `modifiers` off `line`; replace: take
    `modifiers[0]` off `line` and add `modifiers[1]`; move: take `modifiers` off `line` and
    add them to `to_line`.
    """

    action: FixAction
    line: int
    modifiers: tuple[str, ...]
    to_line: int = 0


@lru_cache(maxsize=4096)
def append_fixes(line: int, *modifiers: str) -> tuple[ModifierFix, ...]:
    """Each modifier a separate choice: append 59, or append XS."""
    return tuple(ModifierFix("append", line, (m,)) for m in modifiers)


@lru_cache(maxsize=4096)
def remove_fixes(line: int, *modifiers: str) -> tuple[ModifierFix, ...]:
    """Each modifier a separate choice: remove 26, or remove TC."""
    return tuple(ModifierFix("remove", line, (m,)) for m in modifiers if m)


@lru_cache(maxsize=4096)
def replace_fix(line: int, old: str, new: str) -> tuple[ModifierFix, ...]:
    return (ModifierFix("replace", line, (old, new)),)


@lru_cache(maxsize=4096)
def move_fix(line: int, to_line: int, modifiers: tuple[str, ...]) -> tuple[ModifierFix, ...]:
    return (ModifierFix("move", line, modifiers, to_line),)


# What a `ptp` finding says of its pair: not_paid (modifier indicator 0: no modifier bypasses
# the edit); bundled (indicator 1: the column 2 code is bundled into the column 1 code unless a
# modifier shows the services were distinct); modifier_on_column_1 (indicator 1, and the
# bypassing modifier is on the column 1 line).
PtpOutcome = Literal["not_paid", "bundled", "modifier_on_column_1"]


@dataclass(frozen=True, slots=True)
class PtpPair:
    """The NCCI procedure-to-procedure edit a `ptp` finding reports, as data (what the
    worksheet's bundling view reads); the finding's message says the same in words."""

    outcome: PtpOutcome
    column_1: str
    line_1: int
    column_2: str
    line_2: int
    rationale: str  # the edit's rationale, or "NCCI PTP edit" when the file gives none


@dataclass(frozen=True, slots=True)
class Finding:
    rule: RuleId
    severity: Severity
    lines: tuple[int, ...]
    message: str
    fix: str | None
    source: str
    # Set by the claim check when `source` ends before the date of service (else ""):
    # "NCCI PTP edits for 2026-12-05 are not loaded; the newest loaded are 2024Q3 ...".
    stale: str = ""
    # The fix as data, when it is a change of modifiers: one choice each (append 59, or XS).
    fixes: tuple[ModifierFix, ...] = ()
    # The edit a `ptp` finding reports, as data (None for other rules).
    ptp: PtpPair | None = None


def format_lines(numbers: tuple[int, ...] | list[int]) -> str:
    """Line numbers as a message says them: "line 2" or "lines 2, 3"."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return "lines " + ", ".join(str(n) for n in numbers)


def format_units(units: int) -> str:
    """Units as a message says them: "1 unit" or "3 units"."""
    return f"{units} unit" if units == 1 else f"{units} units"


def lines_by_date(claim: Claim) -> dict[date, list[ClaimLine]]:
    """The claim's lines grouped by date of service, in claim order."""
    by_date: defaultdict[date, list[ClaimLine]] = defaultdict(list)
    for line in claim.lines:
        by_date[line.date_of_service].append(line)
    return dict(by_date)
