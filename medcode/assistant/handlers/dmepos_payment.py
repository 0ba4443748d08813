"""What Medicare pays for a DME item in a state ("What does Medicare pay for E0114 in
Texas?"): the DMEPOS fee schedule's fee per payment modifier in that state
(medcode.codes.page.dmepos, the code page's ?state= panel). Fees change each January: a
question of a year whose file is not loaded is told so, then given the latest loaded fees
with their own release and date, never passed off as that year's."""

from __future__ import annotations

import re

from medcode.assistant.context import Context
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.handlers.locality_payment import PAYMENT
from medcode.assistant.intent import Question
from medcode.lib.codeshapes import HCPCS_LEVEL2_CODE

EXAMPLES = (
    "What does Medicare pay for E0114 in Texas?",
    "DMEPOS fee for E0601 rental in NY, rural?",
)
STATES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI", "MINNESOTA": "MN",
    "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV",
    "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY",
    "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR",
    "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA",
    "WASHINGTON": "WA", "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY",
}  # fmt: skip
# "in Texas", "in New York", "in TX", "for NY": a state by name, or two capitals after in/for.
NAMED = re.compile(
    r"\b(?:in|for)\s+(?:the\s+state\s+of\s+)?("
    + "|".join(sorted((n.title() for n in STATES), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
ABBREVIATED = re.compile(r"\b(?:in|for)\s+([A-Z]{2})\b")
RURAL = r"\brural\b"


def state_of(text: str) -> str | None:
    found = NAMED.search(text)
    if found:
        return STATES[" ".join(found.group(1).upper().split())]
    for match in ABBREVIATED.finditer(text):
        if match.group(1) in STATES.values():
            return match.group(1)
    return None


def score(question: Question) -> float:
    codes = question.procedure_codes
    if len(codes) != 1 or not HCPCS_LEVEL2_CODE.match(codes[0].code):
        return 0.0
    if not (says(question.text, PAYMENT) or says(question.text, r"\bdmepos\b")):
        return 0.0
    return 3.4 if state_of(question.text) else 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures
    from medcode.codes.page.dmepos import dmepos_rows, state_panel

    state = state_of(ctx.question.text)
    codes = [c for c in ctx.procedures if c.system == "HCPCS"]
    if not codes or state is None:
        return procedures.payment(ctx)
    check = codes[0]
    found = dmepos_rows(check.code, ctx.on)
    if found is None:
        draft = procedures.payment(ctx)
        draft.notices.insert(
            0, f"{check.display} has no row in the loaded DMEPOS fee schedule: no DMEPOS fee."
        )
        return draft
    release, _ = found
    rural = says(ctx.question.text, RURAL)
    notices = []
    on = ctx.on
    if release.effective_from.year != on.year:
        notices.append(
            f"No DMEPOS fee schedule of {on.year} is loaded; these are the fees of the latest "
            f"loaded file, {release.version_label} (effective {release.effective_from}), not "
            f"{on.year}'s."
        )
        on = release.effective_from
    panel = state_panel(check.code, on, state, rural)
    if panel is None or not panel.facts:
        draft = procedures.payment(ctx)
        if panel is not None:
            draft.notices.insert(0, panel.summary)
        return draft
    citation = Citation(f"{check.display}: {panel.title}", check.url, panel.source.citation)
    area = "rural" if rural else "non-rural"
    facts = [
        Fact(f"{f.label} ({explain_row(f.label)}): {f.value} in {state}, {f.meaning}", citation)
        for f in panel.facts
    ]
    listed = "; ".join(f"{f.label} {f.value}" for f in panel.facts)
    summary = (
        f"Medicare's DMEPOS fee schedule amount for {check.display} in {state} ({area}, "
        f"{release.version_label}): {listed}. The claim line's payment modifier picks the row; "
        "a rental (RR) fee is per month, and Medicare pays 80% of it after the deductible."
    )
    return Draft(summary, facts, notices)


def explain_row(label: str) -> str:
    from medcode.codes.page.meanings import DMEPOS_MODIFIERS

    parts = label.split()[1:]
    meanings = [DMEPOS_MODIFIERS.get(p, "") for p in parts]
    return "; ".join(m for m in meanings if m) or ("no payment modifier" if not parts else "")


HANDLER = Handler("dmepos_payment", score, build, EXAMPLES)
