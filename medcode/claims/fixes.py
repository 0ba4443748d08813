"""One-click fixes for findings whose fix is a modifier: add 59 or XS, remove 50, move 59.

A fix is read from the finding's own fix text (the rules' message constants), so a button
does exactly what the text says. A fix is encoded for a form as steps "2+59", "1-57+25" or
"1-59,2+59": line number, then modifiers to remove (-) and add (+).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medcode.rules import Finding

MODIFIER = r"[0-9A-Z]{2}"
CODE = r"[0-9A-Z]{5}"
APPEND = re.compile(rf"^Append (?P<mods>{MODIFIER}(?: or {MODIFIER})?) (?:to (?P<code>{CODE})|if)")
ALTERNATIVE = re.compile(rf"\((?P<mod>{MODIFIER}) if ")
MOVE = re.compile(
    rf"^Move (?P<mods>{MODIFIER}(?:, {MODIFIER})*) from (?P<source>{CODE}) to (?P<target>{CODE})"
)
REPLACE = re.compile(rf"^Replace (?P<old>{MODIFIER}) with (?P<new>{MODIFIER}) on (?P<code>{CODE})")
REMOVE = re.compile(rf"^Remove (?P<mod>{MODIFIER})(?: from (?P<code>{CODE})|[;:,.]| and )")
REMOVE_EITHER = re.compile(
    rf"^Bill (?P<code>{CODE}) without (?P<a>{MODIFIER}) and (?P<b>{MODIFIER})"
)
STEP = re.compile(rf"^(?P<line>\d{{1,4}})(?P<ops>(?:[+-]{MODIFIER})+)$")
OP = re.compile(rf"([+-])({MODIFIER})")
MAX_MODIFIERS = 4


@dataclass(frozen=True, slots=True)
class Step:
    line: int
    remove: tuple[str, ...] = ()
    add: tuple[str, ...] = ()

    def encode(self) -> str:
        removals = "".join("-" + m for m in self.remove)
        return f"{self.line}{removals}{''.join('+' + m for m in self.add)}"


@dataclass(frozen=True, slots=True)
class FixAction:
    label: str
    steps: tuple[Step, ...]

    @property
    def value(self) -> str:
        return ",".join(step.encode() for step in self.steps)


def suggest_fixes(finding: Finding, codes: Mapping[int, str]) -> list[FixAction]:
    """The modifier changes a finding's fix names, for the lines it is about.

    codes maps line number to code (to find the line a fix names by its code).
    """
    fix = finding.fix or ""

    def line_of(code: str | None) -> int | None:
        for number in finding.lines:
            if code is None or codes.get(number) == code:
                return number
        return None

    if found := APPEND.match(fix):
        line = line_of(found["code"]) if found["code"] else _only(finding.lines)
        modifiers = found["mods"].split(" or ") + ALTERNATIVE.findall(fix)
        if line is None:
            return []
        return [FixAction(f"Add {m} to line {line}", (Step(line, add=(m,)),)) for m in modifiers]
    if found := MOVE.match(fix):
        source, target = line_of(found["source"]), line_of(found["target"])
        if source is None or target is None:
            return []
        modifiers = tuple(found["mods"].split(", "))
        label = f"Move {', '.join(modifiers)} from line {source} to line {target}"
        return [FixAction(label, (Step(source, remove=modifiers), Step(target, add=modifiers)))]
    if found := REPLACE.match(fix):
        line = line_of(found["code"])
        if line is None:
            return []
        label = f"Replace {found['old']} with {found['new']} on line {line}"
        return [FixAction(label, (Step(line, remove=(found["old"],), add=(found["new"],)),))]
    if found := REMOVE_EITHER.match(fix):
        line = line_of(found["code"])
        if line is None:
            return []
        return [
            FixAction(f"Remove {m} from line {line}", (Step(line, remove=(m,)),))
            for m in (found["a"], found["b"])
        ]
    if found := REMOVE.match(fix):
        line = line_of(found["code"]) if found["code"] else _only(finding.lines)
        if line is None:
            return []
        return [
            FixAction(
                f"Remove {found['mod']} from line {line}", (Step(line, remove=(found["mod"],)),)
            )
        ]
    return []


def _only(lines: Sequence[int]) -> int | None:
    return lines[0] if len(lines) == 1 else None


def decode_fix(value: str) -> list[Step]:
    """Steps from a form value; ValueError for anything else."""
    steps = []
    for part in value.strip().upper().split(","):
        found = STEP.match(part.strip())
        if not found:
            raise ValueError(f"not a fix: {value!r}")
        ops = OP.findall(found["ops"])
        steps.append(
            Step(
                int(found["line"]),
                remove=tuple(m for sign, m in ops if sign == "-"),
                add=tuple(m for sign, m in ops if sign == "+"),
            )
        )
    return steps


def apply_steps(modifiers: Sequence[str], step: Step) -> list[str]:
    """A line's modifiers after a step: removals first, additions kept within four."""
    found = [m for m in modifiers if m.strip() and m.strip().upper() not in step.remove]
    for modifier in step.add:
        if modifier not in found and len(found) < MAX_MODIFIERS:
            found.append(modifier)
    return found
