"""One-click fixes for findings whose fix is a modifier: add 59 or XS, remove 50, move 59.

Each rule sets its fix as data where it makes the finding (`Finding.fixes`, beside the fix
in words); a button does exactly that. A fix is encoded for a form as steps "2+59",
"1-57+25" or "1-59,2+59": line number, then modifiers to remove (-) and add (+).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcode.rules import Finding, ModifierFix

MODIFIER = r"[0-9A-Z]{2}"
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


def suggest_fixes(finding: Finding) -> list[FixAction]:
    """The one-click buttons for a finding: its fixes as data, set by the rule."""
    return [_action(fix) for fix in finding.fixes]


def _action(fix: ModifierFix) -> FixAction:
    line, modifiers, names = fix.line, fix.modifiers, ", ".join(fix.modifiers)
    if fix.action == "append":
        return FixAction(f"Add {names} to line {line}", (Step(line, add=modifiers),))
    if fix.action == "remove":
        return FixAction(f"Remove {names} from line {line}", (Step(line, remove=modifiers),))
    if fix.action == "replace":
        old, new = modifiers
        label = f"Replace {old} with {new} on line {line}"
        return FixAction(label, (Step(line, remove=(old,), add=(new,)),))
    label = f"Move {names} from line {line} to line {fix.to_line}"
    return FixAction(label, (Step(line, remove=modifiers), Step(fix.to_line, add=modifiers)))


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
