"""How the worksheet presents an NCCI bundling finding: what is usually true first, the
modifier override second.

A procedure-to-procedure edit says the column 2 code is normally part of the column 1 code
(or, for mutually exclusive pairs, that the two are not done together). The NCCI policy
manual (chapter I, "Modifiers and Modifier Indicators") allows an NCCI-associated modifier
only when the record shows the services were distinct: a different session or encounter
(XE), a different site or organ system, a separate incision or excision, a separate lesion or
a separate injury (XS), a different practitioner (XP), or a service that does not overlap the
usual components of the main one (XU); 59 only when no X modifier describes it. A modifier is
never used just because the edit exists. Whether that is so is the coder's call, from the
record, so the worksheet shows the rationale and these conditions before any modifier button.
"""

from __future__ import annotations

from dataclasses import dataclass

from medcode.claims.fixes import decode_fix
from medcode.rules import Finding
from medcode.rules.claim import is_evaluation_and_management
from medcode.rules.modifier_sets import DISTINCT_SERVICE

INCLUDED_LEAD = (
    "Usually included: {column2} is normally part of {column1} when both are done for the "
    "same patient on the same day, so Medicare pays {column1} alone."
)
EXCLUSIVE_LEAD = (
    "Usually not reported together: NCCI treats {column2} and {column1} as services that "
    "are not done together for the same patient on the same day; only {column1} is paid."
)
DISTINCT_CONDITIONS = (
    "A modifier may bypass this edit only if the record documents that the services were "
    "distinct: a separate session or encounter (XE); a different site or organ system, a "
    "separate incision or excision, a separate lesion or a separate injury (XS); a different "
    "practitioner (XP); or a service that does not overlap the usual parts of the main "
    "one (XU). Use 59 only when none of these fits. A modifier is never added just to get "
    "past the edit: whether the services were distinct is your decision, from the record."
)
# A visit (E/M) as the column 2 code: modifier 59 is for services other than E/M (CMS's
# modifier 59 article, MLN1783722); a significant, separately identifiable visit takes 25.
EM_CONDITIONS = (
    "For a visit (E/M) the modifier is 25, and only if the record shows a significant, "
    "separately identifiable visit beyond the usual work before and after the other service "
    "(57 instead when the visit is where the decision for major surgery was made); 59 and the "
    "X modifiers are not used on E/M visits. Whether the visit was separate is your "
    "decision, from the record."
)
CONFIRM_LABEL = "The record documents a distinct service (as above)"


@dataclass(frozen=True)
class Bundling:
    lead: str
    rationale: str
    column2_line: int
    conditions: str = DISTINCT_CONDITIONS


def bundling_of(finding: Finding) -> Bundling | None:
    """The bundling view of an NCCI PTP finding whose column 2 code is bundled into its column 1
    code (a modifier may bypass the edit), else None. Read from the edit the rule attached to
    the finding (Finding.ptp), not from its message."""
    pair = finding.ptp
    if pair is None or pair.outcome != "bundled":
        return None
    why = pair.rationale.strip()
    template = EXCLUSIVE_LEAD if "mutually exclusive" in why.lower() else INCLUDED_LEAD
    return Bundling(
        lead=template.format(column1=pair.column_1, column2=pair.column_2),
        rationale=why,
        column2_line=pair.line_2,
        conditions=(
            EM_CONDITIONS if is_evaluation_and_management(pair.column_2) else DISTINCT_CONDITIONS
        ),
    )


# Adding a modifier that claims a distinct service (DISTINCT_SERVICE) takes the coder's
# confirmation.
CONFIRM_FIRST = (
    "Not changed: adding 59 or an X modifier needs your confirmation that the record "
    "documents a distinct service. Tick the box above the modifier buttons first."
)


def needs_confirmation(value: str) -> bool:
    """Whether a fix value adds a distinct-service modifier (59, XE, XS, XP, XU)."""
    try:
        steps = decode_fix(value)
    except ValueError:
        return False
    return any(DISTINCT_SERVICE.intersection(step.add) for step in steps)
